"""The appraisal ledgers: PetroChina's stations, 片区 and people by year and month, Vanke's specialists by year and
quarter, as a page and as CSV or Excel. The page parses the period choosers and labels what :meth:`Engine.ledger`
answers (who may read it and every figure are the engine's); each number links to the cases it counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import clock
from engine.cases.ledgers import YEARS, ledger_of
from engine.errors import NotFound, PreplanError, ValidationFailed
from engine.preplans.manifest import Manifest

from . import schema_form
from .auth import engine
from .downloads import send_tables
from .errors import page
from .feedback import refusal
from .i18n import current_language

bp = Blueprint("ledgers", __name__)
#: How many parts a ledger's year has, by the kind of part its source appraises in.
PARTS = {"month": 12, "quarter": 4}
T = TypeVar("T")


@bp.get("/ledgers")
@login_required
def index() -> ResponseReturnValue:
    """The nav's way in: the first ledger the reader may read of the preplans installed here."""
    installed = _installed(current_user.ledgers)
    if not installed:
        abort(403 if not current_user.ledgers else 404)
    return redirect(url_for("ledgers.show", preplan=next(iter(installed))))


@bp.get("/ledgers/<preplan>")
@login_required
def show(preplan: str) -> ResponseReturnValue:
    part, year, number, ledger = _read(preplan, engine().ledger)
    installed = _installed(current_user.ledgers)
    if preplan not in installed:
        abort(404)
    return render_template(
        "ledgers/show.html",
        preplan=preplan,
        titles={key: manifest.title for key, manifest in installed.items()},
        part=part,
        parts=range(1, PARTS[part] + 1),
        years=YEARS,
        year=year,
        number=number,
        ledger=ledger,
        labels=_labels(installed[preplan]),
    )


@bp.get("/ledgers/<preplan>.<any(csv, xlsx):fmt>")
@login_required
def export(preplan: str, fmt: str) -> ResponseReturnValue:
    """The page's period as a workbook (a sheet per table) or CSV, each number beside the cases it counts."""
    part, year, number, tables = _read(preplan, engine().ledger_tables)
    return send_tables(tables, fmt, f"{preplan}-{year}" + (f"-{part}{number}" if number else ""))


def _read(preplan: str, read: Callable[..., T]) -> tuple[str, int, int | None, T]:
    """The kind of part, the period the address chooses, and what ``read`` answers for it as the reader may
    read it; a bad period is answered 400, a refusal 403, an unknown ledger 404."""
    try:
        part = ledger_of(preplan).part
    except NotFound:
        abort(404)
    year, number, wrong = _period(part)
    if wrong:
        abort(make_response(page(400, _period_refusal(wrong))))
    try:
        return part, year, number, read(preplan, year, number, user=current_user.name)
    except ValidationFailed as exc:
        abort(make_response(page(400, _period_refusal(list(exc.fields)))))
    except PreplanError as exc:
        abort(make_response(page(403 if exc.code == "forbidden" else 404, refusal(exc))))


def _period(part: str) -> tuple[int, int | None, list[str]]:
    """The year (this year when not chosen), the month or quarter (None: the whole year) and the parameters that
    are not numbers; their ranges are the engine's to judge."""
    wrong = []
    year = clock.now().astimezone(engine().tz).year
    number = None
    for name in ("year", part):
        text = (request.args.get(name) or "").strip()
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            wrong.append(name)
            continue
        if name == "year":
            year = value
        else:
            number = value
    return year, number, wrong


def _period_refusal(fields: list[str]) -> str:
    names = {"year": _("year"), "month": _("month"), "quarter": _("quarter")}
    return _(
        "The ledger's period is not valid (%(fields)s): choose a year from %(first)s to %(last)s and, if you "
        "like, one month or quarter of it.",
        fields=", ".join(names.get(field, field) for field in fields),
        first=YEARS.start,
        last=YEARS.stop - 1,
    )


def _installed(keys: tuple[str, ...]) -> dict[str, Manifest]:
    """The preplans among ``keys`` installed here, in their order, with their newest manifest."""
    found = {}
    with engine().db.read() as session:
        for key in keys:
            try:
                found[key] = engine().versions.newest(session, key, active=False).manifest
            except NotFound:
                continue
    return found


def _labels(manifest: Manifest) -> dict[str, dict[str, str]]:
    """The reader's words for the codes a ledger carries: the shares of a fine and the consequences, from the
    preplan's fields (the doubled manager's fine is the ledger's own)."""
    fields = schema_form.labels(manifest, current_language())
    consequences = {**fields.get("sanctions", ("", {}))[1], "manager_fine_doubled": _("station manager's fine doubled")}
    return {"shares": fields.get("fines_yuan", ("", {}))[1], "consequences": consequences}
