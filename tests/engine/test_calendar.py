"""Working-time deadlines on the Chinese calendar (Asia/Shanghai, 09:00-18:00 unless said otherwise)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.config import parse_working_hours
from engine.scripting.helpers import build_helpers
from engine.time.calendar import CalendarGap, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = parse_working_hours("09:00-18:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def cal(overrides=None, hours=OFFICE) -> WorkCalendar:
    return WorkCalendar(SHANGHAI, hours, overrides or {})


def test_national_day_counts_the_make_up_saturday():
    # 30 Sep 15:00 + 3 working days (27 h): 3 h on 30 Sep, 10-01..07 are holidays, 9 h on Thu 8, 9 h on Fri 9,
    # and the remaining 6 h on Saturday 10 October, the official make-up workday (调休).
    assert cal().working_days(3, at("2026-09-30T15:00:00+08:00")) == at("2026-10-10T15:00:00+08:00")
    assert cal().is_workday(date(2026, 10, 10)) and not cal().is_workday(date(2026, 10, 11))


def test_start_inside_the_holiday_counts_from_the_next_opening_and_stays_on_the_closing_time():
    assert cal().working_days(1, at("2026-10-03T10:00:00+08:00")) == at("2026-10-08T18:00:00+08:00")


def test_spring_festival_2026():
    # Feb 14 (Sat) is a make-up workday; Feb 15-23 are the Spring Festival holidays.
    assert cal().working_hours(2, at("2026-02-13T17:00:00+08:00")) == at("2026-02-14T10:00:00+08:00")
    assert cal().working_hours(2, at("2026-02-14T17:00:00+08:00")) == at("2026-02-24T10:00:00+08:00")
    assert cal().next_opening(at("2026-02-14T18:00:00+08:00")) == at("2026-02-24T09:00:00+08:00")


def test_a_deadline_that_lands_on_closing_time_stays_there():
    assert cal().working_days(1, at("2026-11-23T09:00:00+08:00")) == at("2026-11-23T18:00:00+08:00")
    assert cal().working_hours(9, at("2026-11-23T09:00:00+08:00")) == at("2026-11-23T18:00:00+08:00")


def test_starts_outside_working_hours():
    assert cal().working_hours(4, at("2026-11-23T20:00:00+08:00")) == at("2026-11-24T13:00:00+08:00")
    assert cal().working_hours(1, at("2026-11-23T07:00:00+08:00")) == at("2026-11-23T10:00:00+08:00")
    # Friday evening: the weekend is skipped.
    assert cal().working_hours(1, at("2026-11-27T18:30:00+08:00")) == at("2026-11-30T10:00:00+08:00")


def test_one_working_day_from_mid_morning_is_the_same_time_next_working_day():
    assert cal().working_days(1, at("2026-11-27T10:00:00+08:00")) == at("2026-11-30T10:00:00+08:00")
    assert cal().working_days(5, at("2026-11-23T10:00:00+08:00")) == at("2026-11-30T10:00:00+08:00")


def test_next_opening_is_the_start_of_the_next_working_period():
    assert cal().next_opening(at("2026-11-23T09:00:00+08:00")) == at("2026-11-23T09:00:00+08:00")
    assert cal().next_opening(at("2026-11-23T10:00:00+08:00")) == at("2026-11-24T09:00:00+08:00")
    assert cal().next_opening(at("2026-09-30T19:00:00+08:00")) == at("2026-10-08T09:00:00+08:00")


def test_lunch_break_is_not_working_time():
    lunch = cal(hours=parse_working_hours("09:00-12:00,13:30-18:00"))
    assert lunch.working_hours(4, at("2026-11-23T10:00:00+08:00")) == at("2026-11-23T15:30:00+08:00")
    assert lunch.next_opening(at("2026-11-23T12:10:00+08:00")) == at("2026-11-23T13:30:00+08:00")
    assert lunch.day_length.total_seconds() == 7.5 * 3600


def test_a_year_past_the_official_schedule_follows_the_holiday_law_and_says_it_is_provisional():
    # 31 Dec 17:00 + 1 working day (9 h): 1 h on 31 Dec; 1 Jan 2027 is 元旦 by law, 2-3 Jan a weekend.
    assert cal().working_days(1, at("2026-12-31T17:00:00+08:00")) == at("2027-01-04T17:00:00+08:00")
    # 春节 by law: 除夕 (5 Feb 2027) to 初三 (8 Feb), and 9-10 Feb made up for the weekend days among them.
    assert cal().next_opening(at("2027-02-04T18:00:00+08:00")) == at("2027-02-11T09:00:00+08:00")
    assert cal().is_provisional(date(2027, 3, 1)) and not cal().is_provisional(date(2026, 12, 31))
    assert cal().official_until == date(2026, 12, 31)
    assert cal().holiday_name(date(2027, 2, 5)) == {"zh": "春节", "en": "Spring Festival"}


def test_a_confirmed_year_is_official_and_takes_only_what_was_entered():
    entered = WorkCalendar(SHANGHAI, OFFICE, {date(2027, 2, 11): False}, frozenset({2027}))
    assert not entered.is_provisional(date(2027, 2, 11)) and entered.official_until == date(2027, 12, 31)
    assert entered.is_workday(date(2027, 2, 9)), "the law's 补假 is not assumed once the official schedule is in"
    assert not entered.is_workday(date(2027, 2, 11))


def test_a_year_no_source_covers_is_an_error_not_a_guess():
    with pytest.raises(CalendarGap, match="2100"):
        cal().working_days(1, at("2099-12-31T17:00:00+08:00"))


def test_admin_overrides_cover_a_new_year_and_win_over_the_package():
    new_year = cal({date(2027, 1, 1): False})  # an admin entered the 2027 schedule
    assert new_year.working_days(1, at("2026-12-31T17:00:00+08:00")) == at("2027-01-04T17:00:00+08:00")
    closed_tuesday = cal({date(2026, 11, 24): False})
    assert closed_tuesday.working_days(1, at("2026-11-23T10:00:00+08:00")) == at("2026-11-25T10:00:00+08:00")
    open_sunday = cal({date(2026, 11, 29): True})
    assert open_sunday.next_opening(at("2026-11-28T10:00:00+08:00")) == at("2026-11-29T09:00:00+08:00")


def test_helpers_return_iso_strings_with_the_local_offset():
    helpers = build_helpers(cal, SHANGHAI)
    assert helpers["working_hours"](1, "2026-11-23T01:30:00Z") == "2026-11-23T10:30:00+08:00"
    assert helpers["end_of_day"]("2026-10-02T10:00:00+08:00") == "2026-10-02T23:59:59+08:00"
    assert helpers["after"]("P1M", "2026-01-31T10:00:00+08:00") == "2026-03-03T10:00:00+08:00"
    assert helpers["is_workday"]("2026-10-10T10:00:00+08:00") is True
    with pytest.raises(ValueError, match="no UTC offset"):
        helpers["working_hours"](1, "2026-11-23T10:00:00")


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "09:00-12:00,11:00-18:00"])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_working_hours(text)
