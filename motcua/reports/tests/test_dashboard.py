"""The manager dashboard and its drill-down to the dossiers (decision 0062), as a reader
sees them: who may open them, what bad filters do, the trend and its tables, and which
dossiers a figure lists."""

import json
from datetime import datetime

import lxml.html
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.dossiers import access as dossier_access
from motcua.factories import (
    ProcedureFactory,
    make_officer,
    make_organisation,
    make_submitted_dossier,
)
from motcua.reports.facts import agency_path
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db

DASHBOARD = "/officer/reports/"
DOSSIERS = "/officer/reports/dossiers/"
NOVEMBER = {"kind": "month", "year": "2026", "number": "11"}


def at(month, day, year=2026):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def set_fact(dossier_id, procedure, *, received, channel="online", **fields):
    DossierFact.objects.update_or_create(
        dossier_id=dossier_id,
        defaults={
            "status": 4,
            "agency_id": procedure.receiving_agency_id,
            "agency_path": agency_path(procedure.receiving_agency_id),
            "sector_id": procedure.sector_id,
            "procedure_id": procedure.pk,
            "procedure_code": procedure.code,
            "channel": channel,
            "submitted_at": received,
            "received_at": received,
            **fields,
        },
    )


@pytest.fixture
def office(org, citizen, clock):
    """Three real dossiers received in November 2026 (the leadership sees the first two),
    one older fact in October, and a dossier of another agency."""
    clock.set(2026, 12, 7)
    made = [
        make_submitted_dossier(org.procedure, citizen, plate=f"75A-111.{i:02d}") for i in range(3)
    ]
    p = org.procedure
    set_fact(
        made[0].pk,
        p,
        received=at(11, 3),
        ended_at=at(11, 5),
        ending="returned",
        timeliness="early",
        electronic_result=True,
    )
    set_fact(made[1].pk, p, received=at(11, 4), channel="counter", legal_due_at=at(11, 20))
    set_fact(
        made[2].pk,
        p,
        received=at(11, 6),
        ended_at=at(11, 25),
        ending="processed",
        timeliness="late",
    )
    set_fact(
        900001, p, received=at(10, 2), ended_at=at(10, 9), ending="returned", timeliness="on_time"
    )
    for dossier in made[:2]:
        dossier_access.grant(dossier, org.leadership)
    other = make_organisation(ProcedureFactory(name="Cấp giấy phép lái xe"))
    set_fact(900002, other.procedure, received=at(11, 10))
    return made, other


def page(client, user, url, params=None):
    login_officer(client, user)
    return client.get(url, params or {})


def tree(response):
    return lxml.html.fromstring(response.content.decode())


def text(node) -> str:
    return " ".join(node.text_content().split())


# --- Who may open the dashboard


def test_a_manager_reads_their_agency(client, org, office):
    response = page(client, org.leader, DASHBOARD, NOVEMBER)
    assert response.status_code == 200
    doc = tree(response)
    assert org.agency.name in text(doc.get_element_by_id("report-scope"))
    table = text(doc.get_element_by_id("period-table"))
    assert org.procedure.name in table and org.procedure.sector.name in table
    assert "Cấp giấy phép lái xe" not in table  # another agency's procedure
    # The total line: 3 received, 1 online... to handle 3, resolved 2, in progress 1.
    total = [text(td) for td in doc.xpath("//*[@id='period-table']//tfoot//td")]
    assert total == ["3", "2", "1", "0", "2", "1", "0", "1", "1", "0", "1", "66,67 %"]
    on_time = text(doc.get_element_by_id("indicator-on_time"))
    assert "33,33 %" in on_time and "1 / 3" in on_time
    assert "Xuất báo cáo" in response.content.decode()
    assert (
        f"/officer/reports/exports/?kind=month&amp;year=2026&amp;number=11&amp;agency={org.agency.pk}"
        in response.content.decode()
    )


def test_a_national_reader_reads_every_agency(client, org, office):
    reader = make_officer(None, full_name="Cán bộ Văn phòng Chính phủ")
    reader.user_permissions.add(Permission.objects.get(codename="view_national"))
    response = page(client, reader, DASHBOARD, NOVEMBER)
    assert response.status_code == 200
    doc = tree(response)
    assert "Toàn quốc" in text(doc.get_element_by_id("report-scope"))
    assert "Cấp giấy phép lái xe" in text(doc.get_element_by_id("period-table"))
    total = [text(td) for td in doc.xpath("//*[@id='period-table']//tfoot//td")]
    assert total[0] == "4"


def test_a_desk_officer_is_refused_with_a_reason(client, org, office):
    response = page(client, org.desk_officer, DASHBOARD)
    assert response.status_code == 403
    assert "không có quyền xem báo cáo" in response.content.decode()
    response = client.get(DOSSIERS, {"figure": "received"})
    assert response.status_code == 403


def test_an_applicant_is_refused(client, citizen):
    client.force_login(citizen)
    assert client.get(DASHBOARD).status_code == 403


def test_the_workspace_menu_links_the_dashboard_for_managers_only(client, org):
    assert reverse("reports:dashboard") in page(client, org.leader, "/officer/").content.decode()
    assert (
        reverse("reports:dashboard")
        not in page(client, org.specialist, "/officer/").content.decode()
    )


def test_another_agencys_manager_gets_the_form_error_not_its_figures(client, org, office):
    _made, other = office
    response = page(client, other.leader, DASHBOARD, {**NOVEMBER, "agency": org.agency.pk})
    assert response.status_code == 200
    doc = tree(response)
    assert doc.xpath("//*[contains(@class, 'error-summary')]")
    scope = text(doc.get_element_by_id("report-scope"))
    assert other.agency.name in scope and org.agency.name not in scope
    table = text(doc.get_element_by_id("period-table"))
    assert other.procedure.code in table and org.procedure.code not in table
    # Nor the dossiers behind them.
    response = client.get(DOSSIERS, {**NOVEMBER, "agency": org.agency.pk, "figure": "received"})
    assert response.status_code == 400
    assert b"75A" not in response.content


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "month", "year": "hai nghìn", "number": "1"},
        {"kind": "month", "year": "2026", "number": "13"},
        {"kind": "quarter", "year": "2026", "number": "5"},
        {"kind": "range", "start": "10/11/2026", "end": "01/11/2026"},
        {"kind": "range", "start": "10/11/2026"},
        {"kind": "weekly"},
        {"channel": "fax"},
        {"agency": "abc"},
        {"year": "1999"},
    ],
    ids=str,
)
def test_bad_filters_show_their_errors_over_the_default_period(client, org, office, params):
    response = page(client, org.leader, DASHBOARD, params)
    assert response.status_code == 200
    doc = tree(response)
    assert doc.xpath("//*[contains(@class, 'error-summary')]//li")
    scope = text(doc.get_element_by_id("report-scope"))
    assert "Quý 4/2026" in scope and org.agency.name in scope  # today is 07/12/2026


# --- The trend: charts and their tables


def charts_of(doc) -> dict:
    return {
        s.get("id"): json.loads(s.text)
        for s in doc.xpath("//script[@type='application/json']")
        if s.get("id", "").startswith("chart-")
    }


def test_the_trend_over_the_last_six_months(client, org, office):
    doc = tree(page(client, org.leader, DASHBOARD, NOVEMBER))
    charts = charts_of(doc)
    volume, rates = charts["chart-volume-data"], charts["chart-rates-data"]
    assert volume["labels"] == ["06/2026", "07/2026", "08/2026", "09/2026", "10/2026", "11/2026"]
    received, resolved = (s["data"] for s in volume["series"])
    assert received == [0, 0, 0, 0, 1, 3]
    assert resolved == [0, 0, 0, 0, 1, 2]
    on_time, online, electronic = (s["data"] for s in rates["series"])
    assert on_time == [None, None, None, None, 100.0, 33.33]
    assert online == [None, None, None, None, 100.0, 66.67]
    assert electronic == [None, None, None, None, 0.0, 50.0]


def number(cell: str):
    cell = cell.replace(" %", "").replace(".", "").replace(",", ".")
    return None if cell == "—" else float(cell)


def test_each_chart_has_a_table_with_the_same_numbers(client, org, office):
    doc = tree(
        page(client, org.leader, DASHBOARD, {"kind": "quarter", "year": "2026", "number": "4"})
    )
    charts = charts_of(doc)
    assert len(charts) == 2
    for chart in charts.values():
        canvas = doc.get_element_by_id(chart["id"])
        assert canvas.get("role") == "img" and chart["title"] in canvas.get("aria-label")
        table = doc.get_element_by_id(f"{chart['id']}-table")
        assert text(table.xpath(".//caption")[0]) == chart["title"]
        header = [text(th) for th in table.xpath(".//thead//th")][1:]
        assert header == [s["label"] for s in chart["series"]]
        rows = table.xpath(".//tbody/tr")
        assert [text(r.xpath("./th")[0]) for r in rows] == chart["labels"]
        cells = [[number(text(td)) for td in r.xpath("./td")] for r in rows]
        by_series = [list(column) for column in zip(*cells, strict=True)]
        assert by_series == [
            [None if v is None else float(v) for v in s["data"]] for s in chart["series"]
        ]
    assert charts["chart-volume-data"]["series"][0]["data"][-1] == 4  # Q4: October + November


# --- The drill-down


def codes_listed(response) -> set[str]:
    return {text(a) for a in tree(response).xpath("//*[@id='drilldown-table']//tbody//th//a")}


def test_every_number_of_the_period_table_links_to_its_dossiers(client, org, office):
    made, _other = office
    doc = tree(page(client, org.admin, DASHBOARD, NOVEMBER))
    links = doc.xpath("//*[@id='period-table']//tbody//a[@data-figure]")
    assert links
    for link in links:
        response = client.get(link.get("href"))
        assert response.status_code == 200
        listed = text(tree(response).get_element_by_id("drilldown-count"))
        assert listed.startswith(text(link) + " hồ sơ")
        assert len(codes_listed(response)) == int(text(link))
    late = doc.xpath("//*[@id='period-table']//tbody//a[@data-figure='resolved_late']")[0]
    assert codes_listed(client.get(late.get("href"))) == {made[2].code}


def test_the_drilldown_lists_what_the_reader_may_open_and_counts_the_rest(client, org, office):
    made, _other = office
    response = page(client, org.leader, DOSSIERS, {**NOVEMBER, "figure": "received"})
    assert response.status_code == 200
    assert codes_listed(response) == {made[0].code, made[1].code}
    doc = tree(response)
    assert "3 hồ sơ" in text(doc.get_element_by_id("drilldown-count"))
    assert text(doc.get_element_by_id("drilldown-hidden")) == (
        "1 hồ sơ thuộc đơn vị khác, bạn không có quyền xem."
    )
    link = doc.xpath("//*[@id='drilldown-table']//tbody//th//a")[0]
    assert link.get("href") in {reverse("workflow:dossier", args=[d.uuid]) for d in made[:2]}
    assert client.get(link.get("href")).status_code == 200

    response = client.get(DOSSIERS, {**NOVEMBER, "figure": "resolved_late"})
    assert codes_listed(response) == set()
    assert "1 hồ sơ thuộc đơn vị khác" in response.content.decode()
    # The agency's administrator sees all of them.
    response = page(client, org.admin, DOSSIERS, {**NOVEMBER, "figure": "online_dossiers_online"})
    assert codes_listed(response) == {made[0].code, made[2].code}
    assert b"drilldown-hidden" not in response.content


def test_the_drilldown_pages_fifty_at_a_time(client, org, office, settings):
    from motcua.reports import views_dashboard

    made, _other = office
    settings_size = views_dashboard.PAGE_SIZE
    views_dashboard.PAGE_SIZE = 2
    try:
        response = page(client, org.admin, DOSSIERS, {**NOVEMBER, "figure": "received"})
        assert len(codes_listed(response)) == 2 and "Trang 1/2" in response.content.decode()
        second = client.get(DOSSIERS, {**NOVEMBER, "figure": "received", "page": 2})
        assert len(codes_listed(second)) == 1
    finally:
        views_dashboard.PAGE_SIZE = settings_size


@pytest.mark.parametrize("figure", ["", "everything", "__class__"])
def test_an_unknown_figure_is_a_clear_400(client, org, office, figure):
    response = page(client, org.leader, DOSSIERS, {**NOVEMBER, "figure": figure})
    assert response.status_code == 400
    assert "Không có số liệu này" in response.content.decode()


def test_a_bad_filter_on_the_drilldown_is_a_400_pointing_back(client, org, office):
    response = page(
        client, org.leader, DOSSIERS, {"figure": "received", "number": "13", "kind": "month"}
    )
    assert response.status_code == 400
    assert "Bộ lọc không hợp lệ" in response.content.decode()


def test_the_dashboard_opens_on_this_quarter_with_its_filter_filled_in(client, org, office):
    doc = tree(page(client, org.leader, DASHBOARD))
    assert doc.xpath("//select[@name='kind']/option[@selected]/@value") == ["quarter"]
    assert doc.xpath("//input[@name='year']/@value") == ["2026"]
    assert doc.xpath("//input[@name='number']/@value") == ["4"]
    assert doc.xpath("//select[@name='agency']/option[@selected]/@value") == [str(org.agency.pk)]
    assert not doc.xpath("//*[contains(@class, 'error-summary')]")
    # A bookmark of a period without the agency: the manager's own agency, no error.
    doc = tree(client.get(DASHBOARD, NOVEMBER))
    assert not doc.xpath("//*[contains(@class, 'error-summary')]")
    assert "11/2026" in text(doc.get_element_by_id("report-scope"))
