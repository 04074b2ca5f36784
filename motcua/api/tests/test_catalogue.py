"""The catalogue, the calendar and the statistics as an integrator reads them (decision 0068):
only its agency's procedures, each with what a form needs; a deadline and figures equal to
what the portal and the manager dashboard give; refusals as problems."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.api.testing import bearer, make_client, token_for
from motcua.catalogue.models import Agency
from motcua.factories import AgencyFactory, ProcedureFactory, make_organisation
from motcua.reports import dashboard
from motcua.reports import indicators as ind
from motcua.reports.tests.test_dashboard import at, set_fact
from motcua.workdays.models import CalendarDay
from motcua.workdays.services import add_working_days, clock_start

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def get(client, token, url, **params):
    return client.get(url, params, **bearer(token))


@pytest.fixture
def catalogue(org):
    """The fixture agency's procedure, one of an agency under it, a superseded version, an
    unpublished one, and another agency's procedure."""
    branch = AgencyFactory(name="Chi cục Đăng kiểm", parent=org.agency, level=Agency.Level.DISTRICT)
    below = ProcedureFactory(name="Đăng kiểm xe cơ giới", agency=branch)
    old = ProcedureFactory(
        code=org.procedure.code,
        name="Cấp phù hiệu (bản cũ)",
        agency=org.agency,
        sector=org.procedure.sector,
        effective_from=date(2020, 1, 1),
        effective_to=date(2021, 1, 1),
    )
    hidden = ProcedureFactory(name="Thủ tục chưa công bố", agency=org.agency, is_published=False)
    other = ProcedureFactory(name="Cấp giấy phép lái xe")
    return {"below": below, "old": old, "hidden": hidden, "other": other}


def test_the_list_holds_only_the_agencys_current_procedures(client, integrator, catalogue, org):
    _, token = integrator
    response = get(client, token, "/api/v1/procedures/")
    assert response.status_code == 200
    listed = {(p["code"], p["name"]) for p in response.json()["results"]}
    assert listed == {
        (org.procedure.code, org.procedure.name),
        (catalogue["below"].code, "Đăng kiểm xe cơ giới"),
    }

    # Without accents, like the portal's search box; and by sector.
    found = get(client, token, "/api/v1/procedures/", q="phu hieu").json()["results"]
    assert [p["code"] for p in found] == [org.procedure.code]
    by_sector = get(client, token, "/api/v1/procedures/", sector=catalogue["below"].sector.code)
    assert [p["code"] for p in by_sector.json()["results"]] == [catalogue["below"].code]


def test_the_list_pages_with_a_cursor(client, integrator, org):
    _, token = integrator
    for i in range(3):
        ProcedureFactory(name=f"Thủ tục {i}", agency=org.agency)
    first = get(client, token, "/api/v1/procedures/", page_size=2).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"], **bearer(token)).json()
    codes = [p["code"] for p in first["results"] + second["results"]]
    assert len(codes) == len(set(codes)) == 4
    bad = get(client, token, "/api/v1/procedures/", cursor="not-a-cursor")
    assert bad.status_code == 404 and bad["Content-Type"] == PROBLEM


def test_a_procedure_carries_its_form_components_fees_and_workflow(client, integrator, org):
    _, token = integrator
    org.procedure.fee_schedule = {"kind": "fixed", "amount": 190000}
    org.procedure.save()
    response = get(client, token, f"/api/v1/procedures/{org.procedure.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["form"]["schema"] == org.procedure.form_schema
    assert [(c["name"], c["requirement"]) for c in body["components"]] == [
        ("Giấy đề nghị", "required"),
        ("Hợp đồng thuê xe", "conditional"),
    ]
    leased = body["components"][1]
    assert leased["condition_field"] == "vehicles.*.ownership=leased"
    assert leased["file_types"] == ["pdf", "jpeg", "png"] and leased["max_files"] == 5
    assert body["fees"]["schedule"] == {"kind": "fixed", "amount": 190000}
    assert body["fees"]["summary"] == "190.000 ₫"
    assert body["delivery_options"] == ["online", "counter", "post"]
    assert body["processing_time"] == 2 and body["processing_time_unit"] == "working_days"
    steps = body["workflow"]["steps"]
    assert steps[0]["unit"] == {"code": "mot-cua", "name": "Bộ phận Một cửa"}
    assert sum(Decimal(str(s["days"])) for s in steps) == Decimal(
        str(body["workflow"]["total_days"])
    )


def test_a_procedure_unchanged_since_its_etag_answers_304(client, integrator, org):
    _, token = integrator
    url = f"/api/v1/procedures/{org.procedure.code}/"
    first = get(client, token, url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(token))
    assert again.status_code == 304 and again.content == b""
    org.procedure.name = "Cấp phù hiệu xe ô tô (sửa đổi)"
    org.procedure.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(token))
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["name"] == "Cấp phù hiệu xe ô tô (sửa đổi)"


def test_another_agencys_procedure_is_not_found(client, integrator, catalogue):
    _, token = integrator
    for code in (catalogue["other"].code, catalogue["hidden"].code, "no-such-code"):
        response = get(client, token, f"/api/v1/procedures/{code}/")
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
        assert response.json()["title"] == "Không tìm thấy"


def test_without_the_scope_or_a_token_the_catalogue_is_refused(client, org):
    api_client, secret = make_client(org.agency, scopes=["calendar:read"])
    token = token_for(client, api_client, secret)
    refused = get(client, token, "/api/v1/procedures/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["detail"] == "Mã truy cập không có phạm vi cần cho thao tác này."
    anonymous = client.get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == PROBLEM
    assert anonymous.json()["title"] == "Not verified"  # in the caller's language


# --- Calendar


def test_the_calendar_names_holidays_and_worked_weekends(client, integrator):
    _, token = integrator
    CalendarDay.objects.update_or_create(
        date=date(2026, 9, 2), defaults={"kind": "holiday", "name": "Quốc khánh"}
    )
    CalendarDay.objects.update_or_create(
        date=date(2026, 9, 5), defaults={"kind": "working_day", "name": "Làm bù"}
    )
    response = get(client, token, "/api/v1/calendar/", **{"from": "2026-09-01", "to": "2026-09-07"})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()["days"]}
    assert len(days) == 7
    assert days["2026-09-07"]["is_working_day"] and days["2026-09-07"]["name"] is None
    assert days["2026-09-02"] == {
        "date": "2026-09-02",
        "weekday": 3,
        "is_working_day": False,
        "kind": "holiday",
        "name": "Quốc khánh",
    }
    assert days["2026-09-05"]["is_working_day"] and not days["2026-09-06"]["is_working_day"]


def test_bad_calendar_dates_are_a_400_problem_naming_the_field(client, integrator):
    _, token = integrator
    for params, field in (
        ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
        ({"from": "2026-01-01"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "to"),  # 366 days is the most
    ):
        response = get(client, token, "/api/v1/calendar/", **params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == PROBLEM
        assert field in response.json()["errors"], response.json()
    bad_start = get(client, token, "/api/v1/calendar/add/", start="hôm qua", days="2")
    assert bad_start.status_code == 400 and "start" in bad_start.json()["errors"]


def test_the_calendars_deadline_is_the_one_a_dossier_gets(client, integrator):
    _, token = integrator
    CalendarDay.objects.update_or_create(
        date=date(2026, 9, 2), defaults={"kind": "holiday", "name": "Quốc khánh"}
    )
    start = timezone.make_aware(datetime(2026, 9, 1, 15, 0))
    response = get(client, token, "/api/v1/calendar/add/", start=start.isoformat(), days="2.5")
    assert response.status_code == 200
    body = response.json()
    expected = add_working_days(start, Decimal("2.5"))
    assert datetime.fromisoformat(body["deadline"]) == expected
    assert datetime.fromisoformat(body["clock_start"]) == clock_start(start)
    assert expected.date() > date(2026, 9, 4)  # not the plain week's: the holiday is skipped


# --- Statistics


@pytest.fixture
def facts(org, clock):
    """November 2026: one dossier returned early, one resolved late, one in progress."""
    clock.set(2026, 12, 7)
    p = org.procedure
    set_fact(900101, p, received=at(11, 3), ended_at=at(11, 5), ending="returned",
             timeliness="early", electronic_result=True)  # fmt: skip
    set_fact(900102, p, received=at(11, 4), channel="counter", legal_due_at=at(11, 20))
    set_fact(900103, p, received=at(11, 6), ended_at=at(11, 25), ending="processed",
             timeliness="late")  # fmt: skip
    other = make_organisation(ProcedureFactory(name="Cấp giấy phép lái xe"))
    set_fact(900104, other.procedure, received=at(11, 10))


def test_statistics_are_the_dashboards_figures(client, integrator, org, facts):
    _, token = integrator
    response = get(client, token, "/api/v1/statistics/", period="2026-11")
    assert response.status_code == 200
    body = response.json()
    shown = dashboard.indicators(
        period=ind.month(year=2026, month=11), scope=ind.Scope(agency_id=org.agency.pk)
    )
    on_time = next(r.indicator for r in shown["rows"] if r.key == "on_time")
    assert body["on_time"]["numerator"] == on_time.numerator == 1
    assert body["on_time"]["denominator"] == on_time.denominator == 3
    assert Decimal(str(body["on_time"]["rate"])) == on_time.rate
    assert body["totals"]["received"] == shown["totals"]["received"] == 3  # not the other's
    assert body["period"] == {
        "key": "2026-11",
        "start": "2026-11-01",
        "end": "2026-11-30",
        "label": "11/2026",
    }
    online = get(client, token, "/api/v1/statistics/", period="2026-11", channel="counter")
    assert online.json()["totals"]["received"] == 1


def test_a_bad_period_or_filter_is_a_400_problem(client, integrator, org):
    _, token = integrator
    for params, field in (
        ({"period": "2026-Q5"}, "period"),
        ({"period": "last month"}, "period"),
        ({"sector": "no-such-sector"}, "sector"),
        ({"procedure": "1.999999"}, "procedure"),
    ):
        response = get(client, token, "/api/v1/statistics/", **params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == PROBLEM
        assert field in response.json()["errors"]


def test_a_control_character_in_the_query_is_a_problem_not_the_portals_page(client, integrator):
    _, token = integrator
    response = get(client, token, "/api/v1/procedures/", q="phù\x00hiệu")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Dữ liệu không hợp lệ"
