from decimal import Decimal

import pytest
from django.utils import translation

from motcua.workdays.services import (
    add_working_days,
    deadlines,
    describe_remaining,
    is_due_soon,
    remaining_working_days,
    working_days_between,
    working_seconds_between,
)
from motcua.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db

WINDOW = 9 * 3600 + 30 * 60


def test_working_seconds_between_skips_a_holiday():
    # Wed 29/4/2026 is worked; Thu 30/4 and Fri 1/5 are holidays.
    assert working_seconds_between(at("2026-04-29 07:30"), at("2026-05-04 07:30")) == WINDOW
    assert working_seconds_between(at("2026-04-29 12:00"), at("2026-05-04 09:00")) == 23400


def test_working_seconds_between_counts_only_office_hours():
    # Fri 16:00-17:00 and Mon 07:30-08:30.
    assert working_seconds_between(at("2026-03-13 16:00"), at("2026-03-16 08:30")) == 7200
    assert working_seconds_between(at("2026-03-13 18:00"), at("2026-03-16 07:00")) == 0


def test_working_seconds_between_counts_the_worked_saturday():
    assert working_seconds_between(at("2025-02-07 17:00"), at("2025-02-10 07:30")) == WINDOW


def test_working_seconds_between_is_zero_when_the_end_is_not_after_the_start():
    assert working_seconds_between(at("2026-03-10 10:00"), at("2026-03-09 10:00")) == 0
    assert working_seconds_between(at("2026-03-10 10:00"), at("2026-03-10 10:00")) == 0


def test_working_days_between_is_rounded_to_two_places():
    assert working_days_between(at("2026-03-09 07:30"), at("2026-03-09 10:00")) == Decimal("0.26")
    assert working_days_between(at("2025-01-24 10:00"), at("2025-02-04 10:00")) == Decimal("2.00")


@pytest.mark.parametrize(
    "start", ["2026-02-12 09:00", "2026-02-13 16:30", "2025-01-24 10:00", "2026-08-28 07:30"]
)
def test_adding_then_measuring_gives_the_days_back(start):
    begin = at(start)
    due = add_working_days(begin, 5)
    assert working_days_between(begin, due) == Decimal("5.00")


def test_remaining_working_days_before_and_after_the_due_date():
    due = at("2026-03-11 10:00")  # a Wednesday
    assert remaining_working_days(due, at("2026-03-09 10:00")) == Decimal("2.00")
    assert remaining_working_days(at("2026-03-10 12:15"), at("2026-03-09 07:30")) == Decimal("1.50")
    assert remaining_working_days(due, at("2026-03-13 10:00")) == Decimal("-2.00")
    assert remaining_working_days(due, due) == Decimal("0.00")


def test_overdue_days_do_not_count_the_weekend():
    # Due Fri 13/3 10:00; on Tue 17/3 10:00 two working days have passed.
    assert remaining_working_days(at("2026-03-13 10:00"), at("2026-03-17 10:00")) == Decimal(
        "-2.00"
    )


@pytest.mark.parametrize(
    ("now", "due", "phrase"),
    [
        ("2026-03-09 10:00", "2026-03-11 10:00", "Còn 2 ngày làm việc"),
        ("2026-03-09 07:30", "2026-03-10 12:15", "Còn 1,5 ngày làm việc"),
        ("2026-03-09 16:00", "2026-03-10 09:30", "Còn 3 giờ làm việc"),
        ("2026-03-09 16:40", "2026-03-10 07:50", "Còn dưới 1 giờ làm việc"),
        ("2026-03-09 08:00", "2026-03-09 16:00", "Đến hạn hôm nay"),
        ("2026-03-09 10:00", "2026-03-10 10:00", "Còn 1 ngày làm việc"),
        ("2026-03-10 10:00", "2026-03-09 10:00", "Quá hạn 1 ngày làm việc"),
        ("2026-03-17 10:00", "2026-03-13 10:00", "Quá hạn 2 ngày làm việc"),
        ("2026-03-09 13:00", "2026-03-09 10:00", "Quá hạn 3 giờ làm việc"),
        ("2026-03-14 09:00", "2026-03-13 17:00", "Quá hạn dưới 1 giờ làm việc"),
        # Over Tết 2026 (16/2-20/2): Fri 13/2 to Mon 23/2 is one working day.
        ("2026-02-13 10:00", "2026-02-23 10:00", "Còn 1 ngày làm việc"),
    ],
)
def test_describe_remaining(now, due, phrase):
    with translation.override("vi"):
        assert describe_remaining(at(due), at(now)) == phrase


def test_deadlines_of_a_page_in_english():
    now = at("2026-03-09 07:30")
    dues = [at("2026-03-10 12:15"), at("2026-03-10 07:30"), at("2026-03-06 07:30")]
    with translation.override("en"):
        got = [(d.remaining, d.overdue, d.due_soon) for d in deadlines(dues, now)]
    assert got == [
        ("1,5 working days left", False, False),  # English pages keep the Vietnamese formats
        ("1 working day left", False, True),
        ("Overdue by 1 working day", True, False),
    ]


def test_is_due_soon():
    assert is_due_soon(at("2026-03-10 09:30"), at("2026-03-09 16:00"))
    assert is_due_soon(at("2026-03-10 10:00"), at("2026-03-09 10:00"))  # exactly one day
    assert not is_due_soon(at("2026-03-10 10:01"), at("2026-03-09 10:00"))
    assert not is_due_soon(at("2026-03-09 10:00"), at("2026-03-09 10:01"))  # overdue
    # Friday afternoon, due after Tết 2026: the holidays do not count.
    assert is_due_soon(at("2026-02-23 10:00"), at("2026-02-13 10:00"))
