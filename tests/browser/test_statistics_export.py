"""Issue 14's export in real headless Chromium: a leader opens the export page for a year,
starts an XLSX export, follows its progress bar (built in a background thread, the page
polling its status) until the download link appears, downloads the file and it opens with
openpyxl, with the form's heading and the year's figures. axe-core on both pages."""

import re
import time
from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.accounts.models import Role
from motcua.factories import ProcedureFactory, UnitFactory, make_officer
from motcua.reports import exports
from motcua.reports.models import DossierFact
from tests.browser.conftest import (
    assert_accessible,
    download_export,
    start_xlsx_export,
    total_row,
)
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser


def at(month, day):
    return timezone.make_aware(datetime(2025, month, day, 10, 0))


@pytest.fixture
def world(transactional_db, settings, monkeypatch):
    settings.REPORTS_EXPORT_IN_THREAD = True  # as on the embedded default: after the request
    build = exports.BUILDERS["xlsx"]

    def slow(**kwargs):  # long enough for the page to show it unfinished and then poll
        time.sleep(2)
        return build(**kwargs)

    monkeypatch.setitem(exports.BUILDERS, "xlsx", slow)
    procedure = ProcedureFactory(
        code="1.000111", name="Cấp phù hiệu xe ô tô", sector__name="Đường bộ"
    )
    agency = procedure.agency
    leadership = UnitFactory(agency=agency, name="Lãnh đạo Sở", kind="leadership")
    leader = make_officer(agency, (leadership, Role.LEADER), full_name="Võ Thị Lan")
    for pk, (received, ended, timeliness) in enumerate(
        [
            (at(3, 2), at(3, 9), "on_time"),
            (at(5, 4), at(5, 20), "late"),
            (at(11, 25), None, ""),
        ],
        1,
    ):
        DossierFact.objects.create(
            dossier_id=pk,
            status=4,
            agency_id=agency.pk,
            agency_path=f"/{agency.pk}/",
            sector_id=procedure.sector_id,
            procedure_id=procedure.pk,
            procedure_code=procedure.code,
            channel="online",
            submitted_at=received,
            received_at=received,
            ended_at=ended,
            ending="returned" if ended else "",
            timeliness=timeliness,
        )
    return agency, leader


def test_a_leader_exports_the_year_as_the_official_form(
    world, live_server, browser, browser_context_args
):
    agency, leader = world
    base = live_server.url
    page = officer_page(browser, browser_context_args, base, leader)
    page.goto(f"{base}/officer/reports/exports/?kind=year&year=2025&agency={agency.pk}")
    expect(page.get_by_role("heading", name="Xuất báo cáo thống kê")).to_be_visible()
    expect(page.get_by_text("2025 (từ ngày 01/01/2025 đến ngày 31/12/2025)")).to_be_visible()
    assert_accessible(page)

    start_xlsx_export(page)
    progress = page.get_by_label("Tiến độ tạo tệp")
    expect(progress).to_be_visible()
    refresh = page.get_by_role("link", name="Làm mới")  # for a browser without JS
    expect(refresh).to_be_visible()
    assert_accessible(page)
    url = page.url
    link = page.get_by_role("link", name=re.compile("Tải tệp"))
    expect(link).to_be_visible(timeout=20000)  # the page polls until the thread is done
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("Đã xong: 100 %")
    # The script revealed the link in place: no reload, the refresh link gone.
    assert page.url == url
    expect(refresh).to_be_hidden()
    assert_accessible(page)

    download, book = download_export(page)
    assert download.suggested_filename == "bieu-II.06a-2025.xlsx"
    ws = book.worksheets[0]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Biểu số II.06a/VPCP/KSTT" in text
    assert f"Đơn vị báo cáo: {agency.name}" in text
    assert "1.000111 – Cấp phù hiệu xe ô tô" in text
    total = total_row(ws)
    # Three received online, two resolved (one late), one in progress.
    assert total[2:13] == (3, 3, 0, 0, 2, 0, 1, 1, 1, 1, 0)

    # The list of one's exports shows it, done.
    page.goto(f"{base}/officer/reports/exports/")
    expect(page.get_by_role("cell", name="Đã xong")).to_be_visible()
