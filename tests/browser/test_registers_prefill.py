"""Once-only in real headless Chromium (decisions 0078, 0079): the badge form's operator filled
from the business register by its tax code and a vehicle from the vehicle register by its
plate, each value with its source beside it; the vehicle's registration obtained from the
register instead of uploaded. The registers are the sandbox on the live server."""

import pytest
from playwright.sync_api import expect

from motcua.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import log_in

pytestmark = pytest.mark.browser

BUSINESS = "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"
VEHICLES = "Cơ sở dữ liệu đăng ký xe"


def fetch_from_register(page, register_label: str, index: int = 0):
    """Press the "Lấy thông tin từ <register>" button beside a key field (the `index`-th on
    the page) and wait for the section to come back with what the register gave."""
    page.get_by_role("button", name=f"Lấy thông tin từ {register_label}").nth(index).click()
    expect(page.locator(".alert").first).to_be_visible()


def test_badge_form_prefilled_from_the_registers_on_a_phone(page, live_server, catalogue, settings):
    settings.SITE_URL = live_server.url  # the plugins reach the sandbox registers here
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    user = UserFactory(
        kind="organisation",
        email="doanhnghiep@example.vn",
        full_name="Trần Văn Bình",
        organisation_name="Hương Giang",
        tax_code="",
        citizen_id="",
    )
    log_in(page, base, user.email)
    page.goto(base + "/procedures/2.002288/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.locator(".task-list a").first.click()

    # The operator: the tax code typed, the button pressed, the register's values shown.
    page.locator('[name="operator.tax_code"]').fill("3300123456")
    fetch_from_register(page, BUSINESS)
    expect(page.locator('[name="operator.name"]')).to_have_value("Công ty TNHH Vận tải Hương Giang")
    expect(page.locator('[name="operator.representative"]')).to_have_value("Trần Văn Bình")
    expect(page.locator('[name="operator.licence_no"]')).to_have_value("46-0123/GPKDVT")
    expect(page.locator("#f-operator-name-source")).to_contain_text(f"Nguồn: {BUSINESS}, lúc ")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator('[name="operator.phone"]').fill("0905123456")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.get_by_label("Cấp mới").check()
    page.get_by_label("Xe hợp đồng").check()
    page.locator('[name="request.badges_requested"]').fill("1")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # A vehicle by its plate.
    page.locator('[name="vehicles.0.plate"]').fill("75B-012.34")
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    fetch_from_register(page, VEHICLES)
    expect(page.locator('[name="vehicles.0.chassis_no"]')).to_have_value("WF0XXXTTGXMK12345")
    expect(page.locator('[name="vehicles.0.brand"]')).to_have_value("Ford")
    expect(page.locator('[name="vehicles.0.seats"]')).to_have_value("16")
    expect(page.locator("#f-vehicles-0-chassis_no-source")).to_contain_text(
        f"Nguồn: {VEHICLES}, lúc "
    )
    # A correction by the applicant keeps the source, which then says so.
    page.locator('[name="vehicles.0.colour"]').fill("Trắng xanh")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # The vehicle's registration: obtained from the register, not asked for.
    expect(page.get_by_role("heading", name="Giấy tờ đính kèm")).to_be_visible()
    obtained = page.locator(".obtained-component")
    expect(obtained).to_contain_text(f"Cơ quan tự khai thác từ {VEHICLES}, quý vị không phải nộp.")
    expect(obtained).to_contain_text("75B-012.34")
    assert_accessible(page)
    assert_fits_the_screen(page)

    # Check your answers: the sources, the correction, the obtained component.
    page.goto(page.url.replace("/attachments/", "/review/"))
    sources = page.locator("#register-sources")
    expect(sources).to_contain_text(f"Nguồn: {BUSINESS}")
    expect(sources).to_contain_text("người nộp đã sửa giá trị này")
    expect(sources).to_contain_text("Chứng nhận đăng ký xe")
    assert_accessible(page)
    assert_fits_the_screen(page)
