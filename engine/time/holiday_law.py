"""The days off the national holiday rules fix by themselves, for years the official schedule does not cover yet.

《全国年节及纪念日放假办法》 (revised 2024, in force from 2025): 第二条 fixes the festivals, 第六条 makes up (补假) a
festival day that falls on a Saturday or Sunday. The State Council's yearly notice then adds swapped workdays
(调休) that the law does not fix, so this calendar is provisional: weekends stay days off and no make-up workday
is known.

补假 as implemented: every statutory day on a Saturday/Sunday, or on a day another festival already takes (中秋
inside 国庆), gives one extra day off on the next Monday-Friday after that festival's block of days off.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunar_python import Lunar

#: The 2024 rules apply from 2025; the lunar and solar-term tables are trusted up to 2099.
FIRST_YEAR, LAST_YEAR = 2025, 2099

_Holiday = chinese_calendar.Holiday


def statutory_days_off(year: int) -> dict[date, str]:
    """Every day off the law fixes in ``year`` (statutory days and their 补假), mapped to the festival's
    chinese_calendar.Holiday member name, e.g. "spring_festival"."""
    return dict(_days_off(year))


def festival_titles(name: str) -> dict[str, str]:
    """{"zh": "春节", "en": "Spring Festival"} for a Holiday member name."""
    try:
        holiday = _Holiday[name]
    except KeyError:
        raise ValueError(f"unknown festival {name!r}") from None
    return {"zh": holiday.chinese, "en": holiday.value}


@lru_cache(maxsize=LAST_YEAR - FIRST_YEAR + 1)  # one entry per year
def _days_off(year: int) -> dict[date, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the holiday rules are implemented for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    festivals = _festivals(year)
    days_off: dict[date, str] = {}
    lost = dict.fromkeys(festivals, 0)
    # In the law's order, so a day two festivals share keeps the first's name (中秋 inside 国庆; 国庆 makes it up).
    for name, days in festivals.items():
        for day in days:
            if day.weekday() >= 5 or day in days_off:
                lost[name] += 1
            days_off.setdefault(day, name)
    for name, days in festivals.items():
        day = days[-1]
        for _ in range(lost[name]):
            day += timedelta(days=1)
            while day.weekday() >= 5 or day in days_off:
                day += timedelta(days=1)
            days_off[day] = name
    return days_off


def _festivals(year: int) -> dict[str, list[date]]:
    """第二条: each festival's statutory days in ``year``, in the law's order."""
    new_year = _lunar(year, 1, 1)
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    (qingming,) = (day for day, term in terms if term == "清明")
    return {
        _Holiday.new_years_day.name: [date(year, 1, 1)],
        _Holiday.spring_festival.name: [new_year + timedelta(days=n) for n in range(-1, 3)],  # 除夕 to 初三
        _Holiday.tomb_sweeping_day.name: [qingming],
        _Holiday.labour_day.name: [date(year, 5, 1), date(year, 5, 2)],
        _Holiday.dragon_boat_festival.name: [_lunar(year, 5, 5)],
        _Holiday.mid_autumn_festival.name: [_lunar(year, 8, 15)],
        _Holiday.national_day.name: [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)],
    }


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())
