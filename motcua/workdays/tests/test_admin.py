import pytest

from motcua.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/workdays/calendarday/"
ADD_URL = "/admin/workdays/calendarday/add/"


def test_the_list_filters_by_kind_and_year(admin_client):
    response = admin_client.get(LIST_URL, {"kind__exact": "working_day", "date__year": "2026"})

    assert response.status_code == 200
    rows = list(response.context["cl"].queryset.values_list("date", flat=True))
    assert [d.isoformat() for d in rows] == ["2026-01-10", "2026-08-22"]
    assert "Thứ Bảy" in response.content.decode()


def test_the_list_searches_by_name(admin_client):
    response = admin_client.get(LIST_URL, {"q": "Giỗ Tổ"})

    rows = response.context["cl"].queryset.values_list("date", flat=True)
    # The three days and the compensatory Monday of 2026.
    assert [d.isoformat() for d in rows] == ["2025-04-07", "2026-04-26", "2026-04-27", "2027-04-16"]


def test_a_working_day_must_be_a_weekend_day(admin_client):
    response = admin_client.post(
        ADD_URL, {"date": "11/03/2026", "kind": "working_day", "name": "Làm bù", "legal_basis": ""}
    )

    assert response.status_code == 200
    assert "Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật." in response.content.decode()
    assert not CalendarDay.objects.filter(date="2026-03-11").exists()


def test_a_day_off_must_be_a_weekday(admin_client):
    response = admin_client.post(
        ADD_URL, {"date": "14/03/2026", "kind": "day_off", "name": "Nghỉ", "legal_basis": ""}
    )

    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date="2026-03-14").exists()


def test_a_citizen_cannot_open_the_calendar(client):
    from motcua.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert not response.url.startswith(LIST_URL)
