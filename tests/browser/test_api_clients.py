"""The agency administrator registers an API client on a phone (decision 0072): the menu link,
the form with the scopes' descriptions, the secret shown once; axe-core finds nothing serious
and the pages fit a phone's screen."""

import pytest
from playwright.sync_api import expect

from motcua.api.models import ApiClient
from motcua.factories import ProcedureFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, open_menu
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def org(transactional_db, make_organisation):
    return make_organisation(ProcedureFactory(code="9.000444"))


def test_the_admin_registers_a_client_on_a_phone(org, browser, browser_context_args, live_server):
    page = officer_page(browser, browser_context_args, live_server.url, org.admin)
    page.set_viewport_size(PHONE)
    open_menu(page)
    page.get_by_role("link", name="Hệ thống kết nối").click()
    expect(page.get_by_role("heading", name="Hệ thống kết nối (API)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Đăng ký hệ thống mới").click()
    # Sent empty: the error summary names what to fix.
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("alert")).to_contain_text("Nhập tên hệ thống kết nối.")
    expect(page.get_by_role("alert")).to_contain_text("Chọn ít nhất một phạm vi.")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_label("Tên hệ thống").fill("Phần mềm một cửa điện tử của Sở")
    page.get_by_label("Thực hiện thao tác xử lý hồ sơ thay cán bộ").check()
    page.get_by_label("Đọc hồ sơ").check()
    page.get_by_label("Số yêu cầu tối đa mỗi phút").fill("120")
    page.get_by_role("button", name="Đăng ký").click()
    secret_box = page.get_by_role("region", name="Khóa bí mật: chỉ hiển thị lần này")
    expect(secret_box).to_be_visible()
    client = ApiClient.objects.get()
    expect(secret_box).to_contain_text(client.client_id)
    secret = page.get_by_test_id("client-secret").inner_text()
    assert len(secret) >= 40 and secret not in client.application.client_secret
    assert client.scopes == ["dossiers:read", "actions:write"]
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.reload()
    expect(page.get_by_test_id("client-secret")).to_have_count(0)
    expect(page.get_by_role("heading", name="Phần mềm một cửa điện tử của Sở")).to_be_visible()
