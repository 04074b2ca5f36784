from datetime import date

import pytest
from django.core.cache import cache

from motcua.workdays import services
from motcua.workdays.models import CalendarDay
from motcua.workdays.services import add_working_days, describe_remaining, is_working_day
from motcua.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


def test_an_administrator_adding_a_holiday_takes_effect_at_once(admin_client):
    assert is_working_day(TUESDAY)

    response = admin_client.post(
        "/admin/workdays/calendarday/add/",
        {
            "date": "10/03/2026",
            "kind": "holiday",
            "name": "Ngày nghỉ đột xuất",
            "legal_basis": "Quyết định thử nghiệm",
            "is_verified": "on",
        },
    )

    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=TUESDAY).exists()
    assert not is_working_day(TUESDAY)
    assert add_working_days(at("2026-03-09 10:00"), 1) == at("2026-03-11 10:00")


def test_deleting_a_day_takes_effect_at_once():
    assert not is_working_day(date(2026, 4, 27))
    CalendarDay.objects.get(date=date(2026, 4, 27)).delete()
    assert is_working_day(date(2026, 4, 27))


def test_a_change_publishes_a_new_version_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    is_working_day(TUESDAY)
    before = cache.get(services.VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        CalendarDay.objects.create(date=TUESDAY, kind="holiday", name="Nghỉ")
        assert cache.get(services.VERSION_KEY) == before  # not before the commit

    assert callbacks
    assert cache.get(services.VERSION_KEY) != before


def test_another_process_notices_through_the_version_in_the_cache():
    assert is_working_day(TUESDAY)
    # Written by another process: no signal here, only its new version in the shared cache.
    CalendarDay.objects.bulk_create([CalendarDay(date=TUESDAY, kind="holiday", name="Nghỉ")])
    assert is_working_day(TUESDAY)

    cache.incr(services.VERSION_KEY)

    assert not is_working_day(TUESDAY)


def test_with_a_shared_cache_the_version_is_read_at_most_every_few_seconds(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(services, "_check_interval", lambda: services.VERSION_CHECK_SECONDS)
    monkeypatch.setattr(services.time, "monotonic", lambda: clock["now"])
    assert is_working_day(TUESDAY)
    CalendarDay.objects.bulk_create([CalendarDay(date=TUESDAY, kind="holiday", name="Nghỉ")])
    cache.incr(services.VERSION_KEY)

    clock["now"] += services.VERSION_CHECK_SECONDS - 1
    assert is_working_day(TUESDAY)
    clock["now"] += 1
    assert not is_working_day(TUESDAY)


def test_the_calendar_is_read_once_not_for_every_row(django_assert_num_queries):
    due = at("2026-02-23 10:00")
    describe_remaining(due, at("2026-02-13 10:00"))

    with django_assert_num_queries(0):
        for day in range(1, 28):
            now = at(f"2026-02-{day:02d} 09:00")
            describe_remaining(due, now)
            add_working_days(now, 10)


def test_the_version_is_read_on_every_call_only_with_the_in_process_cache(settings):
    assert services._check_interval() == 0

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    assert services._check_interval() == services.VERSION_CHECK_SECONDS
