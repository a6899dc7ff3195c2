"""A list as a download (CSV or an Excel workbook), written by :mod:`engine.tabular` while the list is read."""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from flask import Response, send_file
from sqlalchemy.orm import Session

from engine.tabular import FORMATS, Table

from .auth import engine

#: Rows are written to memory up to this size, then to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def download(table_of: Callable[[Session], Table], fmt: str, name: str) -> Response:
    """``name``.``fmt`` with the rows of ``table_of`` (called in a read transaction)."""
    write, content_type = FORMATS[fmt]
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it once sent
    with engine().db.read() as session:
        write(table_of(session), out, engine().tz)  # type: ignore[arg-type]
    out.seek(0)
    return send_file(out, mimetype=content_type, as_attachment=True, download_name=f"{name}.{fmt}")
