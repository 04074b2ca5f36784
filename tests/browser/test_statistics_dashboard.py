"""Issue 14's manager dashboard in real headless Chromium: a leader opens it from the
workspace menu, filters by month and channel and sees the figures change, exports them from
the "Xuất báo cáo" tab (the filter carried over) as XLSX and finds the dashboard's figures in
the file, then back on the dashboard clicks a number of the period table, lands on the
dossiers behind it and opens one. axe-core on every page it visits, the dashboard and the
drill-down on a desktop and a phone (decisions 0062, 0064)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers import access as dossier_access
from motcua.factories import ProcedureFactory, UserFactory, make_submitted_dossier
from motcua.reports.tests.test_dashboard import set_fact
from tests.browser.conftest import (
    assert_accessible,
    assert_fits_the_screen,
    download_export,
    start_xlsx_export,
    total_row,
)
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(transactional_db, make_organisation, settings):
    """This month: two online dossiers and one at the counter; last month: one online."""
    settings.REPORTS_EXPORT_IN_THREAD = True  # as on the embedded default: after the request
    procedure = ProcedureFactory(code="9.000444", name="Cấp phù hiệu xe ô tô kinh doanh vận tải")
    org = make_organisation(procedure)
    applicant = UserFactory(full_name="Đỗ Thị Mai", phone="0935222333")
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=2)

    def at(day):
        return timezone.make_aware(datetime(day.year, day.month, day.day, 8, 0))

    made = [
        make_submitted_dossier(procedure, applicant, plate=f"75A-222.{i:02d}") for i in range(4)
    ]
    set_fact(made[0].pk, procedure, received=at(this_month))
    set_fact(made[1].pk, procedure, received=at(this_month), channel="counter")
    set_fact(
        made[2].pk,
        procedure,
        received=at(this_month),
        ended_at=at(this_month),
        ending="returned",
        timeliness="early",
    )
    set_fact(made[3].pk, procedure, received=at(last_month))
    for dossier in made:
        dossier_access.grant(dossier, org.leadership)
    return org, made, last_month


def accessible_at_both_sizes(page):
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
    assert_fits_the_screen(page)
    page.set_viewport_size(DESKTOP)


def total_line(page) -> list[str]:
    return [c.strip() for c in page.locator("#period-table tfoot td").all_inner_texts()]


def test_a_manager_filters_exports_drills_down_and_opens_a_dossier(
    world, live_server, browser, browser_context_args
):
    org, made, last_month = world
    base = live_server.url
    page = officer_page(browser, browser_context_args, base, org.leader)
    page.get_by_role("link", name="Báo cáo, thống kê").click()
    expect(page.get_by_role("heading", level=1, name="Báo cáo, thống kê")).to_be_visible()
    # The charts are drawn (Chart.js under the site's Content-Security-Policy), each beside
    # its table.
    expect(page.locator("#chart-rates")).to_be_visible()
    expect(page.locator("#chart-volume-table caption")).to_be_visible()
    today = timezone.localdate()
    same_quarter = (last_month.year, (last_month.month - 1) // 3) == (
        today.year,
        (today.month - 1) // 3,
    )
    assert total_line(page)[0] == ("4" if same_quarter else "3")  # this quarter's dossiers
    accessible_at_both_sizes(page)

    # Last month, online only: one dossier.
    page.get_by_label("Kỳ báo cáo").select_option("month")
    page.get_by_label("Năm", exact=True).fill(str(last_month.year))
    page.get_by_label("Tháng / quý").fill(str(last_month.month))
    page.get_by_label("Kênh nộp").select_option("online")
    page.get_by_role("button", name="Xem số liệu").click()
    expect(page.locator("#report-scope")).to_contain_text(f"{last_month:%m/%Y}")
    assert total_line(page)[:3] == ["1", "1", "0"]
    dashboard_url, figures = page.url, total_line(page)
    on_time = page.locator("#indicator-on_time a").all_inner_texts()  # numerator, denominator

    # The export tab carries the filter; the file has the dashboard's figures.
    page.get_by_role("link", name="Xuất báo cáo").click()
    expect(page.get_by_role("heading", level=1, name="Xuất báo cáo thống kê")).to_be_visible()
    expect(page.locator('a[aria-current="page"]', has_text="Xuất báo cáo")).to_be_visible()
    assert "kind=month" in page.url and "channel=online" in page.url
    expect(page.get_by_text("Kênh nộp: Trực tuyến")).to_be_visible()
    assert_accessible(page)
    start_xlsx_export(page)
    assert_accessible(page)
    download, book = download_export(page)
    assert download.suggested_filename == f"bieu-II.06a-{last_month:%m-%Y}.xlsx"
    assert_accessible(page)
    counts = total_row(book.worksheets[0])[2:13]
    assert [str(n) for n in counts] == figures[:11]
    indicators = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=6, values_only=True)}
    assert [str(n) for n in indicators["Tỷ lệ hồ sơ giải quyết đúng hạn"][2:4]] == on_time

    page.goto(dashboard_url)
    # The online dossiers received: the number links to them.
    page.locator('#period-table tbody a[data-figure="received_online"]').click()
    expect(page.get_by_role("heading", level=1, name="Tiếp nhận trực tuyến")).to_be_visible()
    expect(page.locator("#drilldown-table")).to_contain_text(made[3].code)
    accessible_at_both_sizes(page)
    page.get_by_role("link", name=made[3].code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(made[3].code)
