"""The officer's statistics pages as one piece (issue 14): one filter form (each page offering
its own fields), one rule for a manager's default agency, one list of indicator names, and
tabs between the dashboard, the scoring and the exports that keep the filter."""

from urllib.parse import parse_qs, urlsplit

import pytest

from motcua.accounts.testing import login_officer
from motcua.reports.tests.test_dashboard import DASHBOARD, NOVEMBER, office, text, tree  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office")]

SCORING = "/officer/reports/scoring/"
EXPORTS = "/officer/reports/exports/"


def page(client, user, url, params=None):
    login_officer(client, user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return tree(response)


def filter_fields(doc) -> list[str]:
    form = doc.xpath("//form[contains(@class, 'report-filter')]")
    assert len(form) == 1  # the one include, once
    return [f.get("name") for f in form[0].xpath(".//select|.//input") if f.get("name")]


def tabs(doc) -> dict[str, tuple[str, str | None]]:
    links = doc.xpath("//ul[contains(@class, 'report-tabs')]//a")
    return {text(a): (a.get("href"), a.get("aria-current")) for a in links}


def test_each_page_renders_the_one_filter_form_with_its_own_fields(client, org):
    every = ["kind", "year", "number", "start", "end", "agency", "sector", "procedure", "channel"]
    assert filter_fields(page(client, org.leader, DASHBOARD, NOVEMBER)) == every
    assert filter_fields(page(client, org.leader, EXPORTS, NOVEMBER)) == every
    scoring = page(client, org.leader, SCORING)
    assert filter_fields(scoring) == ["kind", "year", "number", "agency"]
    kinds = [o.get("value") for o in scoring.xpath("//select[@name='kind']/option")]
    assert kinds == ["quarter", "year"]
    public = tree(client.get("/statistics/", NOVEMBER))
    assert "channel" not in filter_fields(public) and "procedure" in filter_fields(public)


@pytest.mark.parametrize("url", [DASHBOARD, SCORING, EXPORTS])
@pytest.mark.parametrize("agency", [None, ""], ids=["no agency", "empty agency"])
def test_a_manager_who_picked_no_agency_reads_their_own_on_every_page(client, org, url, agency):
    params = {"kind": "quarter", "year": "2026", "number": "4"}
    if agency is not None:
        params["agency"] = agency
    doc = page(client, org.leader, url, params)
    assert not doc.xpath("//*[contains(@class, 'error-summary')]")
    chosen = doc.xpath("//select[@name='agency']/option[@selected]")
    assert [o.get("value") for o in chosen] == [str(org.agency.pk)]


def test_the_indicators_have_the_same_names_on_the_dashboard_and_the_public_page(client, org):
    dashboard = text(page(client, org.leader, DASHBOARD, NOVEMBER))
    public = text(tree(client.get("/statistics/", NOVEMBER)))
    for name in ("Tỷ lệ hồ sơ nộp trực tuyến", "Tỷ lệ hồ sơ giải quyết đúng hạn"):
        assert name in dashboard and name in public
    assert "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến" in dashboard
    assert "Thời gian giải quyết trung bình" in dashboard and "Tỉ lệ hồ sơ" not in public


def test_the_tabs_mark_the_current_page_and_keep_the_filter(client, org):
    query = {**NOVEMBER, "channel": "online"}
    doc = page(client, org.leader, DASHBOARD, query)
    links = tabs(doc)
    assert list(links) == ["Tổng quan", "Chấm điểm", "Xuất báo cáo"]
    assert [current for _href, current in links.values()] == ["page", None, None]
    exports, _current = links["Xuất báo cáo"]
    assert urlsplit(exports).path == EXPORTS
    assert parse_qs(urlsplit(exports).query) == {
        "kind": ["month"],
        "year": ["2026"],
        "number": ["11"],
        "agency": [str(org.agency.pk)],
        "channel": ["online"],
    }
    # Scoring reads quarters and years: November opens the fourth quarter.
    scoring, _current = links["Chấm điểm"]
    assert urlsplit(scoring).path == SCORING
    wanted = {"kind": ["quarter"], "year": ["2026"], "number": ["4"]}
    assert parse_qs(urlsplit(scoring).query).items() >= wanted.items()
    scoring_page = page(client, org.leader, scoring)
    assert not scoring_page.xpath("//*[contains(@class, 'error-summary')]")
    assert tabs(scoring_page)["Chấm điểm"][1] == "page"
    assert tabs(page(client, org.leader, exports))["Xuất báo cáo"][1] == "page"


def test_the_workspace_menu_stays_on_the_statistics_for_every_tab(client, org):
    for url in (DASHBOARD, SCORING, EXPORTS):
        doc = page(client, org.leader, url)
        menu = doc.xpath(
            "//a[contains(@class, 'nav-link') and normalize-space()='Báo cáo, thống kê']"
        )
        assert menu and "active" in menu[0].get("class")


@pytest.mark.parametrize("url", [DASHBOARD, SCORING, EXPORTS])
def test_every_officer_page_refuses_a_desk_officer_with_the_same_reason(client, org, url):
    login_officer(client, org.desk_officer)
    response = client.get(url)
    assert response.status_code == 403
    assert "Bạn không có quyền xem báo cáo, thống kê" in response.content.decode()
