"""Reads the State Council's yearly holiday notice (or a plain list an admin types) into days off and workdays.

Until ``chinesecalendar`` ships a year, the notice 《国务院办公厅关于YYYY年部分节假日安排的通知》 is the only
source of its swapped workdays (调休). A misread date would silently move deadlines, so a line that holds a date
that cannot be read is refused, naming the line, and a total ("共N天") that disagrees with its dates is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from engine.errors import PreplanError, say

_TITLE = re.compile(r"关于(\d{4})年部分节假日安排")
#: "一、春节:" (the festival as written, e.g. "国庆节、中秋节"); the numbering may be left out when typed by hand.
_HEADING = re.compile(
    r"(?P<numbered>[一二三四五六七八九十]+、|\d+[.、])?(?P<festival>[^\d:,.;。()]{1,40}?):(?P<body>.*)"
)
#: "2027-02-06 放假 春节": date, kind and an optional note.
_PLAIN = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\s+(放假|上班|holiday|workday)(?:\s+(.+))?", re.IGNORECASE)
_DAY_OFF = {"放假", "holiday"}
#: "1月28日", "2026年12月31日", "1月1日至3日", "1月28日至2月4日".
_ITEM = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:[至到~\-—–](?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日)?")
_LOOKS_LIKE_DATE = re.compile(r"\d月|月\d|\d日|\d{4}[-/.]\d|[一二三四五六七八九十]月[一二三四五六七八九十]+日")
_REMARK = re.compile(r"\([^()]*\)")
_TOTAL = re.compile(r"(?:共|放假)(\d+)天")
_OFFICE = "国务院办公厅"
_SIGNATURE = re.compile(rf"(?:{_OFFICE})?\d{{4}}年\d{{1,2}}月\d{{1,2}}日")


class NoticeError(PreplanError):
    """The notice (or plain list) could not be read; the message names the line."""

    code = "calendar_notice"


@dataclass(frozen=True)
class NoticeSchedule:
    year: int
    #: date -> the festival as written (e.g. "春节", "国庆节、中秋节"; the note, possibly "", in a plain list).
    days_off: dict[date, str]
    #: make-up workdays (上班) -> the festival as written.
    workdays: dict[date, str]


def parse_notice(text: str, year: int | None = None) -> NoticeSchedule:
    """Days off and make-up workdays of a notice; dates without a year belong to ``year`` or the title's year."""
    titled = _TITLE.search(_compact(text))
    if titled and year is not None and int(titled[1]) != year:
        raise NoticeError(say("the notice is for %(notice)s, not %(year)s", notice=titled[1], year=year), year=year)
    if year is None:
        if not titled:
            raise NoticeError(
                say(
                    "the year is unknown: give it, or paste the notice with its title (…关于YYYY年部分节假日安排的通知)"
                )
            )
        year = int(titled[1])
    schedule = NoticeSchedule(year, {}, {})
    previous = ""
    for number, raw in enumerate(text.splitlines(), 1):
        try:
            _read_line(raw, year, schedule, signed=previous == _OFFICE)
        except ValueError as exc:
            raise NoticeError(
                say(
                    "line %(number)s cannot be read (%(reason)s): %(line)s",
                    number=number,
                    reason=str(exc),
                    line=raw.strip(),
                ),
                line=raw.strip(),
                line_number=number,
            ) from None
        previous = _compact(raw) or previous
    if not schedule.days_off and not schedule.workdays:
        raise NoticeError(say("the text lists no days off and no workdays"))
    return schedule


def _read_line(raw: str, year: int, schedule: NoticeSchedule, signed: bool) -> None:
    """Adds the days of one line to ``schedule``; ValueError says why the line cannot be read."""
    line = unicodedata.normalize("NFKC", raw).strip()
    compact = _compact(line)
    if not compact or compact.startswith("#"):
        return
    plain = _PLAIN.fullmatch(line)
    if plain:
        day = date(int(plain[1]), int(plain[2]), int(plain[3]))
        _add(schedule, day, plain[4].lower() in _DAY_OFF, (plain[5] or "").strip())
        return
    heading = _HEADING.fullmatch(compact)
    if heading and (heading["numbered"] or _LOOKS_LIKE_DATE.search(compact)):
        days = _read_body(heading["body"], year)
        if not days:
            raise ValueError("no date for the festival")
        for day, off in days:
            _add(schedule, day, off, heading["festival"])
    elif _LOOKS_LIKE_DATE.search(compact) and not (
        _SIGNATURE.fullmatch(compact) and (signed or compact.startswith(_OFFICE))
    ):
        raise ValueError("a date outside a festival line")


def _read_body(body: str, year: int) -> list[tuple[date, bool]]:
    """(date, is a day off) for the dates of a festival line, e.g. "1月1日至3日放假调休,共3天。1月4日上班。"."""
    read: list[tuple[date, bool]] = []
    for sentence in re.split(r"[。;]", _REMARK.sub("", body)):
        pending: list[date] = []  # dates waiting for their 放假 or 上班
        group: list[date] | None = None  # the dates the last 放假/上班 of the sentence applied to
        for clause in sentence.split(","):
            if re.search(r"\d", _TOTAL.sub("", _ITEM.sub("", clause))):
                raise ValueError(f"unreadable date in {clause!r}")
            pending += [day for item in _ITEM.finditer(clause) for day in _days(item, year)]
            off, work = "放假" in clause or "休息" in clause, "上班" in clause
            if off and work:
                raise ValueError(f"both 放假 and 上班 in {clause!r}")
            if off or work:
                if not pending:
                    raise ValueError(f"no date before {'放假' if off else '上班'}")
                read += [(day, off) for day in pending]
                group, pending = pending, []
            total = _TOTAL.search(clause)
            if total and (group is None or int(total[1]) != len(group)):
                raise ValueError(f"{total[0]} but the dates give {len(group or [])} day(s)")
        if pending:
            raise ValueError("dates without 放假 or 上班")
    return read


def _days(item: re.Match[str], year: int) -> list[date]:
    """The days of one "M月D日" or range; a range's end without a month is in the start's month, an end month
    before the start's is in the next year."""
    start_year, month, day, end_year, end_month, end_day = item.groups()
    start = date(int(start_year or year), int(month), int(day))
    if end_day is None:
        return [start]
    month_to = int(end_month or start.month)
    end = date(int(end_year) if end_year else start.year + (month_to < start.month), month_to, int(end_day))
    if end < start:
        raise ValueError(f"{item[0]} ends before it starts")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _add(schedule: NoticeSchedule, day: date, off: bool, festival: str) -> None:
    if day in schedule.days_off or day in schedule.workdays:
        raise ValueError(f"{day.isoformat()} is listed twice")
    (schedule.days_off if off else schedule.workdays)[day] = festival


def _compact(text: str) -> str:
    """NFKC (full-width punctuation, digits and spaces become half-width) without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
