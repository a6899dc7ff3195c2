"""The provisional calendar for years beyond the official schedule: the days off the holiday law itself fixes."""

from datetime import date

import chinese_calendar
import pytest

from engine.time.holiday_law import festival_titles, statutory_days_off


def test_2027_days_off_from_the_law_with_their_make_up_days():
    assert statutory_days_off(2027) == {
        date(2027, 1, 1): "new_years_day",  # Friday
        # 除夕 Fri 5 Feb (腊月廿九: the day before 正月初一) to 初三 Mon 8 Feb; Sat 6 and Sun 7 → Tue 9, Wed 10.
        **{date(2027, 2, d): "spring_festival" for d in range(5, 11)},
        date(2027, 4, 5): "tomb_sweeping_day",  # 清明, Monday
        # May 1-2 are Saturday/Sunday → Monday 3 and Tuesday 4.
        **{date(2027, 5, d): "labour_day" for d in range(1, 5)},
        date(2027, 6, 9): "dragon_boat_festival",  # 五月初五, Wednesday
        date(2027, 9, 15): "mid_autumn_festival",  # 八月十五, Wednesday
        # October 2-3 are Saturday/Sunday → Monday 4 and Tuesday 5.
        **{date(2027, 10, d): "national_day" for d in range(1, 6)},
    }


def test_a_weekend_festival_is_made_up_after_the_weekend():
    days = statutory_days_off(2028)
    # 1 Jan 2028 is a Saturday: made up on Monday 3 January, not on Sunday 2.
    assert days[date(2028, 1, 3)] == "new_years_day" and date(2028, 1, 2) not in days
    # 端午 is Sunday 28 May 2028: made up on Monday 29.
    assert days[date(2028, 5, 28)] == days[date(2028, 5, 29)] == "dragon_boat_festival"


def test_mid_autumn_inside_national_day_gives_a_day_more():
    # 2031: 中秋 is Wednesday 1 October, the first day of 国庆 (Wed-Fri): the day counts once, so one day is made
    # up on the next weekday after the block, Monday 6 October.
    days = statutory_days_off(2031)
    october = {day: name for day, name in days.items() if day.month == 10}
    assert october == {
        date(2031, 10, 1): "mid_autumn_festival",
        date(2031, 10, 2): "national_day",
        date(2031, 10, 3): "national_day",
        date(2031, 10, 6): "national_day",
    }
    # 2028: 国庆 loses Sunday 1 October and Tuesday 3 (中秋) → Wednesday 4 and Thursday 5.
    assert sorted(d for d in statutory_days_off(2028) if d.month == 10) == [date(2028, 10, d) for d in range(1, 6)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_law_is_part_of_the_official_schedule(year):
    # Every day the law gives (statutory days and their 补假) is an official holiday, under the same festival.
    for day, name in statutory_days_off(year).items():
        official = chinese_calendar.get_holiday_detail(day)
        assert official == (True, chinese_calendar.Holiday[name].value), day


def test_every_year_loses_exactly_the_13_statutory_working_days():
    # 13 statutory days a year; one on a weekend or shared by two festivals is made up on a weekday, so every year
    # has exactly 13 weekdays off, all inside the year (no make-up workday is invented: weekends are not listed).
    for year in range(2025, 2100):
        days = statutory_days_off(year)
        assert sum(day.weekday() < 5 for day in days) == 13, year
        assert {day.year for day in days} == {year}


@pytest.mark.parametrize("year", [2024, 2100, 1999])
def test_years_outside_the_2024_rules_are_refused(year):
    with pytest.raises(ValueError, match=str(year)):
        statutory_days_off(year)


def test_the_result_is_a_copy_callers_may_change():
    statutory_days_off(2027).clear()
    assert date(2027, 1, 1) in statutory_days_off(2027)


def test_festival_titles():
    assert festival_titles("spring_festival") == {"zh": "春节", "en": "Spring Festival"}
    assert festival_titles("national_day") == {"zh": "国庆节", "en": "National Day"}
    with pytest.raises(ValueError):
        festival_titles("christmas")
