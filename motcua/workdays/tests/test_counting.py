"""Counting working time by arithmetic gives exactly what walking the calendar day by day gives."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from motcua.workdays import services

pytestmark = pytest.mark.django_db


def walk(first: date, last: date) -> int:
    return sum(
        1 for i in range((last - first).days) if services.is_working_day(first + timedelta(i))
    )


def test_count_matches_a_day_by_day_walk_across_holidays_and_swaps():
    cal = services._calendar()
    rng = random.Random(2026)
    start = date(2024, 12, 1)
    for _ in range(300):
        a = start + timedelta(days=rng.randrange(0, 1200))
        b = a + timedelta(days=rng.randrange(0, 400))
        assert cal.count_working_days(a, b) == walk(a, b), (a, b)


def test_working_seconds_across_tet_2025():
    # Fri 24/01/2025 10:00 to Tue 04/02/2025 10:00: Tết and the swapped Monday are off, so
    # it is Fri 7 h + Mon 3/2 9.5 h + Tue 2.5 h.
    a = timezone.make_aware(datetime(2025, 1, 24, 10, 0))
    b = timezone.make_aware(datetime(2025, 2, 4, 10, 0))
    assert services.working_seconds_between(a, b) == (7 + 9.5 + 2.5) * 3600


def test_working_days_after_crosses_tet_and_reverses_working_days_before():
    assert services.working_days_after(date(2025, 1, 24), 0) == date(2025, 1, 24)
    assert services.working_days_after(date(2025, 1, 24), 1) == date(2025, 2, 3)  # after Tết
    assert services.working_days_after(date(2025, 1, 25), 1) == date(2025, 2, 3)  # from a day off
    rng = random.Random(17)
    for _ in range(200):
        day = date(2024, 12, 1) + timedelta(days=rng.randrange(0, 800))
        days = rng.randrange(1, 60)
        last = services.working_days_after(day, days)
        # The last date whose reminder `days` working days before it falls on `day` or earlier.
        assert services.working_days_before(last, days) <= day, (day, days)
        assert services.working_days_before(last + timedelta(days=1), days) > day, (day, days)
