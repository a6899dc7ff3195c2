"""What a route module of the API works with. The package imports every module of ``web/api/`` at startup, so a
new resource is a new module that adds its routes to :data:`bp`::

    from web.api.base import acting_user, answer, bp, engine, expected_revision, json_body

    @bp.post("/cases/<id:case>/things")
    def add_thing(case: int) -> Response:
        body = json_body()
        return answer(engine().add_thing(case, body.get("name"), user=acting_user()), 201)

and describes them in its own fragment of the OpenAPI document, ``web/api/openapi/<resource>.json`` (``paths``
written in full, ``/api/v1/…``, and ``components`` of its own; the shared ones are in ``_root.json``).

* Every request is authenticated before the route runs, by ``Authorization: Bearer <token>`` only (a session
  cookie is no credential here, so the API needs no CSRF token); a read-only token may only read (GET). A view
  marked :func:`public` needs no token.
* Routes parse and format and call the :class:`engine.service.Engine` operations the web pages and the CLI call,
  with ``user=acting_user()``; they never open a transaction or check access themselves.
* An engine refusal (:class:`engine.errors.PreplanError`) raised by a route becomes an RFC 9457 problem in the
  caller's language (``Accept-Language``): 404 not found, 403 forbidden, 409 conflict, 412 stale revision, 422
  invalid data with per-field ``errors``; an HTTP error becomes one too, and anything unexpected a plain 500.
* :func:`answer` sends JSON, with an ``ETag`` (the case revision) when given one; :func:`expected_revision`
  reads ``If-Match`` for the engine operation to check.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, Request, Response, current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine import inputs
from engine.errors import (
    Conflict,
    Forbidden,
    InternalError,
    NoSchema,
    NotFound,
    PreplanError,
    Stale,
    Unauthenticated,
    ValidationFailed,
    say,
)
from engine.service import Engine
from engine.service.tokens import Bearer
from web import schema_form
from web.i18n import localize

log = logging.getLogger(__name__)

#: The API's blueprint: every route module adds its routes to it.
bp = Blueprint("api", __name__, url_prefix="/api/v1")
PREFIX = "/api/"
#: Problem details' media type (RFC 9457).
PROBLEM_JSON = "application/problem+json"
#: Methods a read-only token may use.
READING = frozenset({"GET", "HEAD", "OPTIONS"})

V = TypeVar("V", bound=Callable[..., Any])


def engine() -> Engine:
    return current_app.extensions["preplan"]


def public(view: V) -> V:
    """Mark a view that needs no token (the API's own description)."""
    view.api_public = True  # type: ignore[attr-defined]
    return view


def acting_user() -> str:
    """The name of the user the request's token acts as: ``user=`` of every engine operation."""
    return bearer().user


def bearer() -> Bearer:
    return g.api_bearer


@bp.before_request
def _authenticate() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_public", False):
        return
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(say("this API needs an Authorization: Bearer token (session cookies are not accepted)"))
    g.api_bearer = engine().authenticate_token(token.strip())
    if g.api_bearer.read_only and request.method not in READING:
        raise Forbidden(say("this API token is read-only: it may only read"))


# -- requests -------------------------------------------------------------------------------------------------
def json_body(req: Request | None = None) -> dict[str, Any]:
    """The request's JSON object, checked like form data (valid Unicode, nesting, finite numbers); the size is
    bounded by the app's request limit. Anything else is refused as invalid data."""
    req = req or request
    if not req.is_json:
        raise ValidationFailed(say("the request body must be JSON (Content-Type: application/json)"), {"": "not JSON"})
    try:
        value = json.loads(req.get_data(cache=True) or b"null", parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise ValidationFailed(say("the request body is not valid JSON"), {"": "not valid JSON"}) from None
    if not isinstance(value, dict):
        raise ValidationFailed(say("the request body must be a JSON object"), {"": "must be a JSON object"})
    problems = inputs.data_problems(value)
    if problems:
        raise ValidationFailed(say("the request body has values that cannot be stored"), problems)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def expected_revision() -> int | None:
    """The case revision ``If-Match`` names (``"7"``), for the engine to compare with the case's; ``*`` or no
    header expect nothing. A value that cannot be one of our ETags can never match: it is stale."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 18:
        raise Stale(say("If-Match %(tag)s is not a revision of this case", tag=header[:40]))
    return int(tag)


# -- responses ------------------------------------------------------------------------------------------------
def answer(
    payload: Any, status: int = 200, *, revision: int | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response; ``revision`` (the case's) becomes its ETag, which ``If-Match`` sends back."""
    response = current_app.response_class(
        json.dumps(payload, ensure_ascii=False, default=str), status=status, mimetype="application/json"
    )
    if revision is not None:
        response.headers["ETag"] = f'"{revision}"'
    response.headers.update(headers or {})
    return response


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An RFC 9457 problem: ``type`` names the engine's refusal (``urn:preplan:problem:<code>``), ``title`` the
    kind of status, ``detail`` this occurrence, ``errors`` each field's problem."""
    body: dict[str, Any] = {
        "type": f"urn:preplan:problem:{code}" if code else "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = dict(errors)
    body.update(extra)
    response = answer(body, status)
    response.mimetype = PROBLEM_JSON
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="preplan"'
    return response


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Conflict"),
        412: _("Changed in the meantime"),
        413: _("Too large"),
        415: _("Unsupported media type"),
        422: _("Invalid data"),
        503: _("Not available"),
    }
    return titles.get(status) or (_("Something went wrong") if status >= 500 else _("Bad request"))


#: The status of each engine refusal (the most specific class first).
STATUS: tuple[tuple[type[PreplanError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Stale, 412),
    (Conflict, 409),
    (ValidationFailed, 422),
    (NoSchema, 503),
    (InternalError, 500),
)


def refusal(error: PreplanError) -> Response:
    """An engine refusal as a problem, in the caller's language; its details (``case``, ``problems``…) kept."""
    status = next((code for kind, code in STATUS if isinstance(error, kind)), 422)
    details = {key: value for key, value in error.details.items() if key != "fields"}
    errors = None
    if isinstance(error, ValidationFailed):
        errors = schema_form.localized(error.kinds, error.fields)
    return problem(status, localize(error.message), code=error.code, errors=errors, **details)


def http_problem(error: HTTPException) -> Response:
    """An HTTP error (unknown path, wrong method, too large…) as a problem; a server error says nothing more."""
    status = error.code or 500
    if status >= 500:
        return problem(500, _("The request failed on our side and nothing was changed."))
    return problem(status, _title(status))


def is_api(req: Request) -> bool:
    """Requests the API answers, whether a route matched or not (errors of unknown paths included)."""
    return req.path.startswith(PREFIX)


@bp.errorhandler(PreplanError)
def _refused(error: PreplanError) -> Response:
    return refusal(error)


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    return http_problem(error)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.error("API request failed", exc_info=error)
    return problem(500, _("The request failed on our side and nothing was changed."))


# -- query strings --------------------------------------------------------------------------------------------
#: The largest page a list answers.
MAX_PAGE = 100


def page_size(default: int = 20) -> int:
    """``limit``: how many items a list answers (1 to :data:`MAX_PAGE`)."""
    return _bounded_int("limit", default, 1, MAX_PAGE)


def flag(name: str) -> bool:
    """A boolean query parameter: ``true``/``1`` or ``false``/``0`` (absent: false)."""
    value = request.args.get(name, "false").lower()
    if value not in ("true", "1", "false", "0"):
        raise ValidationFailed(say("%(name)s must be true or false", name=name), {name: "must be true or false"})
    return value in ("true", "1")


def text_arg(name: str, limit: int = 200) -> str | None:
    """A text query parameter, or None when absent or empty."""
    value = request.args.get(name) or None
    if value is not None and (len(value) > limit or inputs.text_problem(value)):
        raise ValidationFailed(say("%(name)s is not a valid value", name=name), {name: "invalid"})
    return value


def _bounded_int(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationFailed(
            say("%(name)s must be a whole number from %(low)s to %(high)s", name=name, low=low, high=high),
            {name: "out of range"},
        )
    return int(value)
