"""Tables as files people open in Excel: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese) and Excel
workbooks (.xlsx), written row by row as the rows come.

The one writer of every download and ``preplan export``: a read model hands over a :class:`Table` (Chinese
headers, each column's kind, its rows as plain values) and an adapter picks the format. The cases list and the
task list are exported this way, and so are the figures of a period and the appraisal ledgers, which hand over
several tables: a workbook gets one named sheet per table, a CSV file the tables one after another, each under
its title with a blank line between. Rates are fractions, shown in a workbook as percentages. Instants are
written in the organisation's time zone: in CSV as ISO 8601 with the offset (as the command line prints them), in
a workbook as date-time cells (Excel has no zones) with a date-time number format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, BinaryIO, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from engine.timefmt import iso

Kind = Literal["text", "instant", "number", "decimal", "percent", "flag"]
#: How a workbook shows each kind of number.
NUMBER_FORMATS: dict[Kind, str] = {
    "instant": "yyyy-mm-dd hh:mm",
    "number": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0%",
}
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]  # str, int, float, bool, datetime (with its zone) or None, one per column


Tables = Table | Sequence[Table]


def write_csv(tables: Tables, out: BinaryIO, tz: tzinfo) -> None:
    """One table as it is; several each under its title, a blank line between."""
    several = not isinstance(tables, Table)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    for i, table in enumerate(_each(tables)):
        if several and i:
            writer.writerow([])
        if several:
            writer.writerow([table.title])
        writer.writerow([c.header for c in table.columns])
        for row in table.rows:
            writer.writerow([_plain(value, column.kind, tz) for value, column in zip(row, table.columns, strict=True)])
    text.detach()  # ``out`` stays open for the caller


def write_xlsx(tables: Tables, out: BinaryIO, tz: tzinfo) -> None:
    """A write-only workbook (streamed: memory does not grow with the rows), a sheet per table named by its title,
    the header row bold and frozen."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in _each(tables):
        sheet = book.create_sheet(table.title[:31])
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for value, column in zip(row, table.columns, strict=True):
                cell = WriteOnlyCell(sheet, _cell(value, column.kind, tz))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                cells.append(cell)
            sheet.append(cells)
    book.save(out)


#: format -> (writer, content type)
FORMATS: dict[str, tuple[Callable[[Tables, BinaryIO, tzinfo], None], str]] = {
    "csv": (write_csv, "text/csv; charset=utf-8"),
    "xlsx": (write_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _each(tables: Tables) -> Sequence[Table]:
    return [tables] if isinstance(tables, Table) else tables


def _plain(value: Any, kind: Kind, tz: tzinfo) -> Any:
    if value is None:
        return ""
    if kind == "instant":
        return iso(value, tz)
    if kind == "flag":
        return YES if value else NO
    return value


def _cell(value: Any, kind: Kind, tz: tzinfo) -> Any:
    if value is None:
        return None
    if kind == "instant":
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(tz).replace(tzinfo=None)
    if kind == "flag":
        return YES if value else NO
    return value


def instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant as a read model gives it, for an ``instant`` column."""
    return datetime.fromisoformat(text) if text else None
