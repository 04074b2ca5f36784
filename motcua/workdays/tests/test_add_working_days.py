from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from motcua.workdays.models import CalendarDay
from motcua.workdays.services import (
    CalendarError,
    add_working_days,
    clock_start,
    is_working_day,
)
from motcua.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_dossier_accepted_before_tet_2025_is_due_after_the_nine_day_break():
    # Fri 24/1 10:00-17:00 is 7 h; 25/1-2/2 are off (27/1 swapped, 28/1-1/2 Tết);
    # Mon 3/2 is a full day; 2.5 h remain on Tue 4/2.
    assert add_working_days(at("2025-01-24 10:00"), 2) == at("2025-02-04 10:00")


def test_the_swapped_days_of_tet_2025():
    assert not is_working_day(date(2025, 1, 27))  # Monday given off
    assert is_working_day(date(2025, 2, 8))  # Saturday worked instead
    assert not is_working_day(date(2025, 2, 15))  # an ordinary Saturday
    assert add_working_days(at("2025-02-07 10:00"), 1) == at("2025-02-08 10:00")
    assert clock_start(at("2025-02-08 09:00")) == at("2025-02-08 09:00")


def test_the_swapped_saturday_before_national_day_2026_is_worked():
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    # Fri 21/8 10:00 + 2: Sat 22/8 is worked, then Mon 24/8.
    assert add_working_days(at("2026-08-21 10:00"), 2) == at("2026-08-24 10:00")
    # Fri 28/8 10:00 + 1: 29/8-2/9 are off (31/8 swapped, 1/9 and 2/9 holidays).
    assert add_working_days(at("2026-08-28 10:00"), 1) == at("2026-09-03 10:00")


def test_received_after_hours_on_friday_counts_from_monday_opening():
    assert clock_start(at("2026-03-06 18:00")) == at("2026-03-09 07:30")
    assert add_working_days(at("2026-03-06 18:00"), 1) == at("2026-03-09 17:00")


def test_received_on_sunday_counts_from_monday_opening():
    assert clock_start(at("2026-03-08 11:00")) == at("2026-03-09 07:30")
    assert add_working_days(at("2026-03-08 11:00"), 3) == at("2026-03-11 17:00")


def test_received_before_opening_counts_from_that_days_opening():
    assert clock_start(at("2026-03-09 06:00")) == at("2026-03-09 07:30")
    assert clock_start(at("2026-03-09 07:30")) == at("2026-03-09 07:30")


def test_received_at_the_cutoff_counts_from_the_next_working_day():
    assert clock_start(at("2026-03-09 16:59")) == at("2026-03-09 16:59")
    assert clock_start(at("2026-03-09 17:00")) == at("2026-03-10 07:30")


def test_an_earlier_cutoff_moves_afternoon_dossiers_to_the_next_day(settings):
    settings.WORKDAY_CUTOFF = "16:00"
    assert clock_start(at("2026-03-09 15:59")) == at("2026-03-09 15:59")
    assert clock_start(at("2026-03-09 16:00")) == at("2026-03-10 07:30")
    # Before the cut-off the day still counts to its end: 15:00-17:00, then 7.5 h on Tuesday.
    assert add_working_days(at("2026-03-09 15:00"), 1) == at("2026-03-10 15:00")


def test_received_on_a_holiday_counts_from_the_next_working_day():
    assert clock_start(at("2026-02-17 09:00")) == at("2026-02-23 07:30")


def test_whole_days_keep_the_clock_time():
    assert add_working_days(at("2026-03-09 10:00"), 2) == at("2026-03-11 10:00")
    # Across a weekend.
    assert add_working_days(at("2026-03-12 10:00"), 3) == at("2026-03-17 10:00")


def test_a_result_at_the_end_of_a_window_stays_there():
    assert add_working_days(at("2026-03-09 07:30"), 1) == at("2026-03-09 17:00")
    assert add_working_days(at("2026-03-13 07:30"), 1) == at("2026-03-13 17:00")  # a Friday
    assert add_working_days(at("2026-03-09 07:30"), 2) == at("2026-03-10 17:00")


def test_fractional_days():
    # Half a day is 4 h 45 min of a 9 h 30 min window.
    assert add_working_days(at("2026-03-09 10:00"), 0.5) == at("2026-03-09 14:45")
    assert add_working_days(at("2026-03-09 15:00"), Decimal("0.5")) == at("2026-03-10 10:15")
    assert add_working_days(at("2026-03-09 07:30"), 1.5) == at("2026-03-10 12:15")
    assert add_working_days(at("2026-03-13 16:00"), Decimal("0.25")) == at("2026-03-16 08:52:30")


def test_zero_days_is_the_moment_counting_starts():
    assert add_working_days(at("2026-03-07 10:00"), 0) == at("2026-03-09 07:30")


def test_a_holiday_on_sunday_gives_the_monday_off():
    # Giỗ Tổ Hùng Vương 2026 is Sunday 26/4; Monday 27/4 is the compensatory day.
    assert not is_working_day(date(2026, 4, 27))
    assert add_working_days(at("2026-04-24 10:00"), 1) == at("2026-04-28 10:00")


def test_labour_day_2027_on_saturday_gives_monday_off():
    # Thu 29/4 10:00 + 1: 30/4 holiday, 1/5 Saturday holiday, Mon 3/5 compensatory.
    assert add_working_days(at("2027-04-29 10:00"), 1) == at("2027-05-04 10:00")


def test_the_new_year_swap_of_2026():
    assert add_working_days(at("2025-12-31 10:00"), 1) == at("2026-01-05 10:00")
    assert is_working_day(date(2026, 1, 10))


def test_a_long_deadline_crosses_tet_2026():
    # 15 working days from Mon 2/2/2026: 2/2-13/2 is 10 days, 16/2-20/2 Tết, then 23/2-27/2.
    assert add_working_days(at("2026-02-02 07:30"), 15) == at("2026-02-27 17:00")


def test_times_in_another_zone_are_read_as_local_time():
    utc = datetime(2025, 1, 24, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    result = add_working_days(utc, 2)
    assert result == at("2025-02-04 10:00")
    assert str(result.tzinfo) == "Asia/Ho_Chi_Minh"


def test_years_outside_the_calendar_follow_the_plain_week():
    assert is_working_day(date(2030, 1, 1))  # a Tuesday; no 2030 rows yet
    assert not is_working_day(date(2030, 1, 5))
    assert add_working_days(at("2030-01-04 10:00"), 1) == at("2030-01-07 10:00")


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(at("2026-03-09 10:00"), -1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        clock_start(datetime(2026, 3, 9, 10, 0))


def test_a_calendar_without_working_days_fails_clearly():
    day = date(2031, 3, 3)
    weekdays = [date.fromordinal(day.toordinal() + n) for n in range(90)]
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, kind=CalendarDay.Kind.DAY_OFF, name="Lỗi dữ liệu")
        for d in weekdays
        if d.weekday() < 5
    )
    with pytest.raises(CalendarError, match="No working day in the 60 days after 2031-03-01"):
        add_working_days(at("2031-03-01 10:00"), 1)
