"""The shipped calendar (data/holidays.json) against the law: Labour Code 2019 art. 111-112."""

from collections import Counter
from datetime import date

import pytest

from motcua.workdays.calendar_file import read_calendar_file

ROWS = read_calendar_file()
BY_DATE = {row.date: row for row in ROWS}
YEARS = (2025, 2026, 2027)


@pytest.mark.parametrize("year", YEARS)
def test_every_year_has_the_fixed_holidays(year):
    for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
        assert BY_DATE[date(year, month, day)].kind == "holiday"


@pytest.mark.parametrize("year", YEARS)
def test_every_year_has_five_days_of_tet_and_two_of_national_day(year):
    names = Counter(
        row.name.split(" (")[0] for row in ROWS if row.date.year == year and row.kind == "holiday"
    )
    assert names["Tết Nguyên đán"] == 5
    assert names["Quốc khánh"] == 2
    assert names["Giỗ Tổ Hùng Vương"] == 1


def test_lunar_dates():
    for tet in (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6)):
        assert BY_DATE[tet].name.startswith("Tết Nguyên đán (mùng 1 tháng Giêng")
    for hung_kings in (date(2025, 4, 7), date(2026, 4, 26), date(2027, 4, 16)):
        assert BY_DATE[hung_kings].name.startswith("Giỗ Tổ Hùng Vương")


@pytest.mark.parametrize("year", YEARS)
def test_every_swapped_day_off_has_its_working_saturday(year):
    swapped = [r for r in ROWS if r.date.year == year and r.name.startswith("Nghỉ hoán đổi")]
    worked = [r for r in ROWS if r.date.year == year and r.kind == "working_day"]
    assert len(swapped) == len(worked)
    for row in swapped:
        assert row.kind == "day_off"


def test_holidays_on_a_weekend_have_a_compensatory_day():
    compensated = {
        date(2026, 4, 26): date(2026, 4, 27),
        date(2027, 2, 6): date(2027, 2, 10),
        date(2027, 2, 7): date(2027, 2, 11),
        date(2027, 5, 1): date(2027, 5, 3),
    }
    for holiday, day_off in compensated.items():
        assert BY_DATE[holiday].kind == "holiday"
        assert holiday.weekday() >= 5
        assert BY_DATE[day_off].kind == "day_off"
        assert BY_DATE[day_off].name.startswith("Nghỉ bù")


def test_the_rows_not_yet_checked_against_a_decision():
    unverified = {row.date for row in ROWS if not row.is_verified}
    assert unverified == {
        date(2025, 2, 1),
        date(2025, 2, 8),
        date(2025, 9, 1),
        *(date(2027, 2, day) for day in range(5, 12)),
        date(2027, 9, 3),
    }
    assert all(row.legal_basis for row in ROWS)
