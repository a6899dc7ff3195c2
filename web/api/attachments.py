"""Attachments: send a file to a case (multipart, field ``file``; ``task`` names one of its steps), list a case's
files, download one. Limits, kinds and access are the engine's, as on the case page."""

from __future__ import annotations

from flask import Response, request, send_file, url_for

from engine.errors import ValidationFailed, say

from ..uploads import sent_files
from .base import acting_user, answer, bp, engine


@bp.post("/cases/<case>/attachments")
def upload_attachment(case: str) -> Response:
    files = sent_files("file")
    if len(files) != 1:
        raise ValidationFailed(say("send one file, in the multipart field file"), {"file": say("one file is required")})
    name, data = files[0]
    sent = engine().attach(case, name, data, user=acting_user(), task=request.form.get("task") or None)
    return answer(sent, 201, headers={"Location": url_for("api.attachment", attachment=sent["id"])})


@bp.get("/cases/<case>/attachments")
def case_attachments(case: str) -> Response:
    return answer(engine().attachments(case, user=acting_user()))


@bp.get("/attachments/<id:attachment>")
def attachment(attachment: int) -> Response:
    info, stream = engine().open_attachment(attachment, user=acting_user())
    response = send_file(
        stream, mimetype=info["content_type"], as_attachment=True, download_name=info["name"], etag=info["sha256"]
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
