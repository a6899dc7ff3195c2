"""A case's files on its page: upload one (/cases/<id>/attachments), download one (/attachments/<id>), a photo's
preview (/attachments/<id>/thumbnail). The engine decides who may attach and who may download; a file of a case
one may not see is not found."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import NotFound

from .auth import engine
from .feedback import attempt
from .uploads import sent_files

bp = Blueprint("attachments", __name__)


@bp.post("/cases/<id:case_id>/attachments")
@login_required
def upload(case_id: int) -> ResponseReturnValue:
    files = sent_files("file")
    if not files:
        flash(_("Choose a file to attach."), "error")
    for name, data in files:
        action = partial(engine().attach, case_id, name, data, user=current_user.name)
        if attempt(action, lambda sent: _("Attached %(name)s.", name=sent["name"])) is None:
            break
    return redirect(url_for("cases.show", case_id=case_id) + "#attachments")


@bp.get("/attachments/<id:attachment_id>")
@login_required
def download(attachment_id: int) -> ResponseReturnValue:
    try:
        info, stream = engine().open_attachment(attachment_id, user=current_user.name)
    except NotFound:
        abort(404)
    response = send_file(
        stream,
        mimetype=info["content_type"],
        as_attachment=not info["content_type"].startswith("image/"),  # photos open in the browser, the rest saves
        download_name=info["name"],
        etag=info["sha256"],
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/attachments/<id:attachment_id>/thumbnail")
@login_required
def thumbnail(attachment_id: int) -> ResponseReturnValue:
    try:
        preview = engine().thumbnail(attachment_id, user=current_user.name)
    except NotFound:
        abort(404)
    if preview is None:
        abort(404)
    return Response(preview, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})
