"""Reading the State Council's yearly holiday notice (or an admin's plain list) into days off and workdays."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from engine.time.holiday_notice import NoticeError, parse_notice

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。
　　四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。
　　六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。

国务院办公厅
2025年11月4日
（此件公开发布）
"""

BODY_2025 = """一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
"""


def official(year):
    """The package's named holidays and in-lieu workdays (weekend days that are worked) of ``year``."""
    days = [date(year, 1, 1) + timedelta(n) for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    days_off = {d for d in days if all(chinese_calendar.get_holiday_detail(d))}  # a holiday with a name
    workdays = {d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    return days_off, workdays


@pytest.mark.parametrize(("text", "year"), [(NOTICE_2026, None), (BODY_2025, 2025)])
def test_the_notices_give_exactly_the_official_schedule(text, year):
    schedule = parse_notice(text, year)
    assert (set(schedule.days_off), set(schedule.workdays)) == official(schedule.year)


def test_the_year_comes_from_the_title_and_festivals_are_kept_as_written():
    schedule = parse_notice(NOTICE_2026)
    assert schedule.year == 2026
    assert schedule.days_off[date(2026, 2, 15)] == "春节" and schedule.workdays[date(2026, 2, 28)] == "春节"
    assert parse_notice(BODY_2025, 2025).days_off[date(2025, 10, 6)] == "国庆节、中秋节"


def test_a_range_crossing_a_month():
    schedule = parse_notice(BODY_2025, 2025)
    assert [d for d, name in schedule.days_off.items() if name == "春节"] == [
        date(2025, 1, 28) + timedelta(n) for n in range(8)
    ]
    assert {d for d, name in schedule.days_off.items() if name == "端午节"} == {
        date(2025, 5, 31),
        date(2025, 6, 1),
        date(2025, 6, 2),
    }


def test_an_explicit_year_wins_over_the_notice_year():
    # A 2027 notice whose New Year holiday starts on 31 December 2026; the end "1月2日" is then in 2027.
    schedule = parse_notice(
        "一、元旦：2026年12月31日（周四）至1月2日（周六）放假调休，共3天。2027年1月3日（周日）上班。", 2027
    )
    assert set(schedule.days_off) == {date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)}
    assert set(schedule.workdays) == {date(2027, 1, 3)}


def test_half_width_punctuation_and_spaces_are_read_like_the_original():
    schedule = parse_notice(
        "二、春节: 2月5日 (农历除夕, 周五) 至 2月11日 (周四) 放假调休, 共7天. \n三、清明节：４月５日（周一）放假１天。",
        2027,
    )
    assert set(schedule.days_off) == {date(2027, 2, d) for d in range(5, 12)} | {date(2027, 4, 5)}


def test_the_plain_list_an_admin_types():
    schedule = parse_notice(
        "# 2027 spring festival, typed from the notice\n"
        "2027-02-06 放假 春节\n"
        "2027-02-14 上班 春节\n"
        "2027-10-01 holiday National Day\n"
        "2027-10-09 workday\n",
        2027,
    )
    assert schedule.days_off == {date(2027, 2, 6): "春节", date(2027, 10, 1): "National Day"}
    assert schedule.workdays == {date(2027, 2, 14): "春节", date(2027, 10, 9): ""}


def test_a_wrong_total_is_refused():
    with pytest.raises(NoticeError, match="共8天") as refused:
        parse_notice("三、清明节：4月4日（周六）至6日（周一）放假，共8天。", 2026)
    assert refused.value.code == "calendar_notice"


def test_an_unreadable_date_is_refused_naming_the_line():
    line = "二、春节：2月6日（周六）至12日（周五）放假调休，共7天。2月14号（周日）上班。"
    with pytest.raises(NoticeError, match="line 2 cannot be read .unreadable date") as refused:
        parse_notice(f"一、元旦：1月1日放假1天。\n{line}", 2026)
    assert line in refused.value.message and refused.value.details["line"] == line


@pytest.mark.parametrize("line", ["2月30日（周一）上班", "2027-02-30 放假", "2027/02/06 放假", "1月5日（周二）"])
def test_a_date_that_is_not_a_day_or_has_no_kind_is_refused(line):
    with pytest.raises(NoticeError, match="cannot be read"):
        parse_notice(line, 2027)


def test_a_day_listed_twice_is_refused():
    with pytest.raises(NoticeError, match="listed twice"):
        parse_notice("2027-02-06 放假 春节\n2027-02-06 上班 春节", 2027)


def test_without_a_year_the_notice_is_refused():
    with pytest.raises(NoticeError, match="year"):
        parse_notice(BODY_2025)
    with pytest.raises(NoticeError, match="2026"):
        parse_notice(NOTICE_2026, 2027)


def test_a_text_without_any_day_is_refused():
    with pytest.raises(NoticeError, match="no days off"):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n\n（此件公开发布）")
