"""Sign-in with VNeID in a browser on a 390 px phone: the button on the login page, the
sandbox identity provider's page, a new account filled from the verified claims and locked."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.vneid import sign_in_with_vneid

pytestmark = pytest.mark.browser

HA = "046190012345"


def _check(page):
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_a_citizen_signs_in_with_vneid_on_a_phone(page, live_server, settings, transactional_db):
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_with_vneid(page, live_server, HA, check=_check)
    _check(page)

    page.goto(live_server.url + "/accounts/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    name = page.get_by_label("Họ và tên")
    expect(name).to_have_value("Lê Thị Thu Hà")
    expect(name).to_be_disabled()
    expect(page.get_by_label("Số định danh cá nhân (số căn cước)")).to_have_value(HA)
    expect(page.get_by_label("Số định danh cá nhân (số căn cước)")).to_be_disabled()
    expect(page.get_by_label("Ngày sinh")).to_have_value("15/03/1990")
    expect(page.locator("#identity-status")).to_contain_text("Đã xác thực qua VNeID (mức 2)")
    expect(page.get_by_role("link", name="Liên kết VNeID")).to_have_count(0)
    _check(page)

    # Logging out ends the VNeID session too, and comes back home.
    from tests.browser.conftest import open_menu

    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Quý vị đã đăng xuất khỏi MotCua và VNeID.")).to_be_visible()
