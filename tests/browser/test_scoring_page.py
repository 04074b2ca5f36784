"""The internal scoring page (decision 0061) in headless Chromium: a unit head reads the
agency's units and officers for a quarter; axe-core finds nothing serious at a phone's and a
desktop's width, and the tables fit a phone's screen (one card per row)."""

from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.factories import ProcedureFactory
from motcua.reports.models import OfficerScore, UnitScore
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def org(transactional_db, make_organisation):
    org = make_organisation(ProcedureFactory(code="9.000333"))
    for n, (officer, unit, i2) in enumerate(
        [
            (org.desk_officer, org.desk, 1),
            (org.specialist, org.department, 0),
            (org.leader, org.leadership, None),  # no information: left out
        ],
        start=1,
    ):
        common = {
            "dossier_id": n,
            "agency_id": org.agency.pk,
            "agency_path": f"/{org.agency.pk}/",
            "sector_id": 1,
            "ended_at": timezone.make_aware(datetime(2025, 11, 5, 10)),
            "i1": 2,
            "i2": i2,
            "i3": 1,
            "i4": 2,
            "i7": 1,
        }
        UnitScore.objects.create(unit_id=unit.pk, i6=1, **common)
        OfficerScore.objects.create(unit_id=unit.pk, officer_id=officer.pk, **common)
    return org


def test_the_scoring_page_reads_well_everywhere(org, browser, browser_context_args, live_server):
    page = officer_page(browser, browser_context_args, live_server.url, org.head)
    page.goto(f"{live_server.url}/officer/reports/scoring/?kind=quarter&year=2025&number=4")
    expect(page.get_by_role("heading", name="Quý 4/2025")).to_be_visible()
    expect(page.get_by_role("table", name="Điểm của từng cán bộ")).to_contain_text(
        org.specialist.full_name
    )
    expect(page.get_by_role("table", name="Điểm của từng cơ quan, đơn vị")).to_contain_text(
        org.department.name
    )
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
    assert_fits_the_screen(page)
    # The year, from the filter form.
    page.get_by_label("Kỳ báo cáo").select_option("year")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", name="2025", exact=True)).to_be_visible()
    assert_accessible(page)
