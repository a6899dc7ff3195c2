"""A preplan's draft in the studio, as files: what may be stored in one, edits laid over it, and the manifest
changes the studio's panels make (lanes, their routing, roles) written into ``preplan.toml`` with tomlkit, which
keeps the file's comments (the source citations) and its layout.

Everything here is pure: the draft's row, its revision and who may change it are :mod:`engine.service.studio`'s.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from engine.errors import PreplanError, ValidationFailed, say
from engine.inputs import text_problem
from engine.preplans.duties import diagram_of, duty_processes
from engine.preplans.package import FORMS_PREFIX, MANIFEST, README
from engine.preplans.routing import CASE, route_problem

#: The largest draft kept (every file together, as UTF-8): far above the largest preplan, far below a database row.
MAX_BYTES = 5 * 1024 * 1024

_PART = r"[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]*"
#: The names a version gives a package's files: its diagrams and tables, the manifest and README, its forms, and
#: those of its shared libraries (``_shared/penalties.dmn``, ``forms/_shared/contact.schema.json``).
_NAMES = re.compile(
    rf"{_PART}\.(?:bpmn|dmn)|{re.escape(MANIFEST)}|{re.escape(README)}|{_PART}/{_PART}\.dmn"
    rf"|{re.escape(FORMS_PREFIX)}(?:{_PART}/)?{_PART}\.json"
)


class TooLarge(PreplanError):
    """A draft larger than :data:`MAX_BYTES` (the web answers 413)."""

    code = "too_large"


def file_problem(name: Any, text: Any) -> str | None:
    """Why one file may not be in a draft (an English reason; :func:`checked` says it to people), or None."""
    if not isinstance(name, str) or not _NAMES.fullmatch(name) or ".." in name:
        return "not a file name a preplan has (diagrams, decision tables, preplan.toml, README.md, forms/*.json)"
    if not isinstance(text, str):
        return "not text"
    problem = text_problem(text)
    if problem:
        return problem
    if name.endswith(".json"):
        try:
            json.loads(text)
        except ValueError as exc:
            return f"not valid JSON: {exc}"
    return None


def decoded(name: str, data: bytes) -> str:
    """An uploaded file's text: UTF-8 (a byte order mark dropped), else refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(say("%(file)s is not UTF-8 text", file=name), {name: "not UTF-8 text"}) from None


def checked(files: Mapping[str, Any]) -> dict[str, str]:
    """The files of a draft, once every name, text and size is acceptable; refused whole otherwise."""
    problems = {str(name)[:200]: problem for name, text in files.items() if (problem := file_problem(name, text))}
    if problems:
        raise ValidationFailed(say("the draft was not saved: some files cannot be kept"), problems)
    if MANIFEST not in files:
        raise ValidationFailed(say("a draft needs its %(file)s", file=MANIFEST), {MANIFEST: "missing"})
    size = sum(len(text.encode("utf-8")) for text in files.values())
    if size > MAX_BYTES:
        raise TooLarge(
            say("the draft is larger than %(mb)s MB; nothing was saved", mb=MAX_BYTES // (1024 * 1024)), bytes=size
        )
    return dict(sorted(files.items()))


def edited(saved: Mapping[str, str], edits: Mapping[str, str | None]) -> dict[str, str]:
    """The saved files with ``edits`` laid over them (``None`` deletes a file)."""
    files = dict(saved)
    for name, text in edits.items():
        if text is None:
            files.pop(name, None)
        else:
            files[name] = text
    return files


def diagrams(files: Mapping[str, str], manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The draft's diagrams as the studio offers them: the preplan's own first, then each periodic duty's
    (``{"file", "duty", "title": {"zh", "en"} | None}``); ``manifest``: its :func:`manifest_of`."""
    duties = manifest.get("duties", {}) if isinstance(manifest.get("duties"), dict) else {}
    own = diagram_of(list(files), duty_processes(manifest))
    found: list[dict[str, Any]] = [{"file": own, "duty": None, "title": None}] if own else []
    for kind, table in duties.items():
        name = f"{table.get('process')}.bpmn" if isinstance(table, dict) else None
        if name in files:
            found.append({"file": name, "duty": kind, "title": table.get("title")})
    return found


def manifest_of(files: Mapping[str, str]) -> dict[str, Any]:
    """The draft's ``preplan.toml`` as data (empty while it does not parse: the findings say why)."""
    try:
        return tomllib.loads(files.get(MANIFEST, ""))
    except tomllib.TOMLDecodeError:
        return {}


def with_diagram(files: Mapping[str, str], name: str, text: str) -> dict[str, str]:
    """An uploaded diagram in the draft: it replaces the diagram of the same name, or else the preplan's own one
    (a diagram saved by another modeller under another name is the complaint process, never a periodic duty's)."""
    own = diagram_of(list(files), duty_processes(manifest_of(files)))
    replaced = [name] if name in files or own is None else [own]
    return {**{n: t for n, t in files.items() if n not in replaced}, name: text}


# -- the manifest ----------------------------------------------------------------------------------------------
def patched_manifest(text: str, patch: Mapping[str, Any]) -> str:
    """``preplan.toml`` with ``patch``'s ``lanes`` (lane id -> role key), ``routing`` (lane id -> "case" or
    ``{above|unit|field: value}``) and ``roles`` (key -> {"zh", "en"}) as the whole of those tables; every other
    line, comment and citation stays as it was."""
    unknown = sorted(set(patch) - {"lanes", "routing", "roles"})
    if unknown:
        raise ValidationFailed(
            say("the manifest can be changed only in lanes, routing and roles"),
            dict.fromkeys(unknown, "not changeable"),
        )
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ValidationFailed(say("%(file)s is not valid TOML", file=MANIFEST), {MANIFEST: str(exc)}) from None
    if "lanes" in patch:
        _replace(document, "lanes", _strings(patch["lanes"], "lanes"))
    if "routing" in patch:
        _replace(document, "routing", _routes(patch["routing"]))
    if "roles" in patch:
        _replace(document, "roles", _roles(patch["roles"]), nested=True)
    return tomlkit.dumps(document)


def _replace(document: Any, key: str, values: Mapping[str, Any], *, nested: bool = False) -> None:
    """Make the table ``key`` hold exactly ``values``: kept entries are updated in place (their comments stay),
    others removed or appended."""
    table = document.get(key)
    if not isinstance(table, Table):
        table = tomlkit.table(is_super_table=nested)
        document[key] = table
    for name in [n for n in table if n not in values]:
        del table[name]
    for name, value in values.items():
        current = table.get(name)
        if current is not None and current.unwrap() == value:
            continue  # unchanged: written as it was
        if nested and isinstance(current, Table):
            for field in [f for f in current if f not in value]:
                del current[field]
            for field, text in value.items():
                current[field] = text
        elif nested:
            inner = tomlkit.table()
            inner.update(value)
            inner.add(tomlkit.nl())
            table[name] = inner
        else:
            table[name] = _inline(value) if isinstance(value, Mapping) else value


def _inline(value: Mapping[str, Any]) -> Any:
    inline = tomlkit.inline_table()
    inline.update(value)
    return inline


def _strings(raw: Any, what: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ValidationFailed(say("%(what)s must map names to texts", what=what), {what: "not a map of texts"})
    return dict(raw)


def _routes(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationFailed(say("%(what)s must map names to texts", what="routing"), {"routing": "not a map"})
    problems = {str(lane): problem for lane, route in raw.items() if (problem := route_problem(route))}
    if problems:
        raise ValidationFailed(say("a lane's routing is not one the engine knows"), problems)
    return {str(lane): (CASE if route == CASE else dict(route)) for lane, route in raw.items()}


def _roles(raw: Any) -> dict[str, dict[str, str]]:
    good = isinstance(raw, Mapping) and all(
        isinstance(key, str)
        and isinstance(titles, Mapping)
        and all(isinstance(titles.get(lang), str) and titles.get(lang) for lang in ("zh", "en"))
        for key, titles in raw.items()
    )
    if not good:
        raise ValidationFailed(say("each role needs a Chinese and an English title"), {"roles": "zh and en needed"})
    return {key: {"zh": titles["zh"], "en": titles["en"]} for key, titles in raw.items()}
