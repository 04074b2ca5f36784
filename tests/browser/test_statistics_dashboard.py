"""Issue 14's manager dashboard in real headless Chromium: a leader opens it from the
workspace menu, filters by month and channel and sees the figures change, clicks a number of
the period table, lands on the dossiers behind it and opens one; the export link carries the
filter. axe-core on the dashboard and the drill-down, on a desktop and a phone (decision 0062).
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers import access as dossier_access
from motcua.factories import ProcedureFactory, UserFactory, make_submitted_dossier
from motcua.reports.tests.test_dashboard import set_fact
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(transactional_db, make_organisation):
    """This month: two online dossiers and one at the counter; last month: one online."""
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


def test_a_manager_filters_drills_down_and_opens_a_dossier(
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
    export = page.get_by_role("link", name="Xuất báo cáo")
    href = export.get_attribute("href")
    assert href.startswith("/officer/reports/exports/?kind=month")
    assert "channel=online" in href and f"number={last_month.month}" in href

    # The online dossiers received: the number links to them.
    page.locator('#period-table tbody a[data-figure="received_online"]').click()
    expect(page.get_by_role("heading", level=1, name="Tiếp nhận trực tuyến")).to_be_visible()
    expect(page.locator("#drilldown-table")).to_contain_text(made[3].code)
    accessible_at_both_sizes(page)
    page.get_by_role("link", name=made[3].code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(made[3].code)
