from datetime import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.workdays.services import add_working_days, clock_start, office_hours
from motcua.workdays.tests.conftest import at


def test_the_default_window_is_0730_to_1700_with_the_cutoff_at_closing():
    hours = office_hours()
    assert (hours.start, hours.end, hours.cutoff) == (time(7, 30), time(17, 0), time(17, 0))
    assert hours.seconds == 9 * 3600 + 30 * 60


@pytest.mark.parametrize(
    ("start", "end", "cutoff", "message"),
    [
        ("7h30", "17:00", "17:00", "WORKDAY_START must be a time of day as HH:MM"),
        ("07:30", "24:00", "17:00", "WORKDAY_END must be a time of day"),
        ("07:30", "17:00", "", "WORKDAY_CUTOFF must be a time of day"),
        ("17:00", "07:30", "17:00", "WORKDAY_START (17:00) must be before WORKDAY_END"),
        ("07:30", "17:00", "18:00", "WORKDAY_CUTOFF (18:00) must be after WORKDAY_START"),
        ("07:30", "17:00", "07:30", "WORKDAY_CUTOFF (07:30) must be after WORKDAY_START"),
    ],
)
def test_a_malformed_window_is_a_configuration_error(settings, start, end, cutoff, message):
    settings.WORKDAY_START, settings.WORKDAY_END, settings.WORKDAY_CUTOFF = start, end, cutoff
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        office_hours()


@pytest.mark.django_db
def test_another_window_changes_the_length_of_a_day(settings):
    settings.WORKDAY_START, settings.WORKDAY_END, settings.WORKDAY_CUTOFF = (
        "08:00",
        "16:00",
        "15:30",
    )
    assert clock_start(at("2026-03-09 07:00")) == at("2026-03-09 08:00")
    assert clock_start(at("2026-03-09 15:30")) == at("2026-03-10 08:00")
    assert add_working_days(at("2026-03-09 12:00"), 0.5) == at("2026-03-09 16:00")
    assert add_working_days(at("2026-03-09 12:00"), 1) == at("2026-03-10 12:00")
