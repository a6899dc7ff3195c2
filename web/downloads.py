"""A list, a report or a ledger as a download (CSV or an Excel workbook), written by :mod:`engine.tabular`; a
list while it is read."""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from flask import Response, send_file
from sqlalchemy.orm import Session

from engine.tabular import FORMATS, Table, Tables

from .auth import engine

#: Rows are written to memory up to this size, then to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def download(table_of: Callable[[Session], Table], fmt: str, name: str) -> Response:
    """``name``.``fmt`` with the rows of ``table_of`` (called in a read transaction)."""
    with engine().db.read() as session:
        return send_tables(table_of(session), fmt, name)


def send_tables(tables: Tables, fmt: str, name: str) -> Response:
    """``name``.``fmt`` with ``tables``: a workbook's sheets, or a CSV file's parts."""
    write, content_type = FORMATS[fmt]
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it once sent
    write(tables, out, engine().tz)  # type: ignore[arg-type]
    out.seek(0)
    return send_file(out, mimetype=content_type, as_attachment=True, download_name=f"{name}.{fmt}")
