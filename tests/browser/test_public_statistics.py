"""The public statistics page in real headless Chromium (decision 0063): opened without an
account on a 360 px phone, narrowed to an agency with the filter, then to a procedure by a
link of its table; axe-core on each page, nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from motcua.reports.tests.test_public_page import world  # noqa: F401 - the facts and agencies
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}


def checked(page):
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
    assert_fits_the_screen(page)


def test_an_anonymous_visitor_narrows_the_statistics(page, live_server, transactional_db, world):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/statistics/?kind=month&year=2025&number=11")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thống kê giải quyết thủ tục hành chính"
    )
    expect(page.get_by_text("4 trên 6 hồ sơ tiếp nhận")).to_be_visible()
    expect(
        page.get_by_role("table", name="Số liệu theo cơ quan, nhiều hồ sơ nhất trước")
    ).to_be_visible()
    checked(page)

    page.get_by_label("Cơ quan", exact=True).select_option(label="Bộ Giao thông vận tải")
    page.get_by_role("button", name="Xem số liệu").click()
    expect(page).to_have_url(re.compile(rf"agency={world['M'].pk}"))
    expect(page.get_by_role("heading", name="Theo đơn vị trực thuộc")).to_be_visible()
    expect(page.get_by_text("4 trên 5 hồ sơ tiếp nhận")).to_be_visible()
    checked(page)

    page.get_by_role("link", name="Cấp phù hiệu xe").click()
    expect(page).to_have_url(re.compile(r"procedure=1\.001"))
    expect(page.get_by_label("Thủ tục", exact=True)).to_have_value("1.001")
    # Under the ministry, the badge procedure: 1, 2 online of 1, 2, 3.
    expect(page.get_by_text("2 trên 3 hồ sơ tiếp nhận")).to_be_visible()
    checked(page)

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("2 of 3 dossiers received")).to_be_visible()
    checked(page)
