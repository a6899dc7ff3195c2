"""Requests that carry files: only multipart requests to the routes that take uploads accept bodies past the app's
1 MB cap, up to a few files of the largest size an attachment may have. Their text fields keep the 1 MB cap of
every form.

The cap is raised before anything reads the body (CSRF protection reads the form first), so :func:`init_app` is
called before ``CSRFProtect``; a body past the raised cap is a 413 like any other.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.datastructures import FileStorage

from engine.preplans import archive, drafts

#: Files one request may carry at the largest size each (a form with several photos, the case page's upload).
FILES_PER_REQUEST = 5
#: Endpoints whose requests may carry files.
ENDPOINTS = frozenset({"attachments.upload", "tasks.complete", "cases.start", "api.upload_attachment"})
#: The studio's requests that carry a whole draft (as JSON, whose escapes may triple its size) or a preplan's zip.
STUDIO = {"studio.save": 3 * drafts.MAX_BYTES, "studio.check": 3 * drafts.MAX_BYTES, "studio.upload": archive.MAX_BYTES}


def init_app(app: Flask) -> None:
    app.before_request(_raise_cap_for_uploads)


def _raise_cap_for_uploads() -> None:
    if request.endpoint in ENDPOINTS and request.method == "POST" and request.mimetype == "multipart/form-data":
        limit = current_app.extensions["preplan"].settings.attachment_bytes
        request.max_content_length = FILES_PER_REQUEST * limit + (current_app.config["MAX_CONTENT_LENGTH"] or 0)
    elif request.endpoint in STUDIO:
        request.max_content_length = STUDIO[request.endpoint] + (current_app.config["MAX_CONTENT_LENGTH"] or 0)


def sent_files(name: str) -> list[tuple[str, bytes]]:
    """The files sent in the input ``name`` as (name, bytes); a file input left empty sends none."""
    return [_read(f) for f in request.files.getlist(name) if f.filename]


def _read(storage: FileStorage) -> tuple[str, bytes]:
    return storage.filename or "", storage.read()
