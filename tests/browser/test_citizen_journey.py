"""The citizen's online path in real headless Chromium against the live server."""

import pytest
from playwright.sync_api import expect

from motcua.factories import PDF_BYTES
from tests.browser.conftest import assert_accessible, last_code_mailed_to, open_menu

pytestmark = pytest.mark.browser

PASSWORD = "Xe-khach-Hue-2026!"
EMAIL = "vantai.songhuong@example.vn"
PHONE = "0935123456"


def attach(page, component_name: str, tmp_path, filename: str):
    path = tmp_path / filename
    path.write_bytes(PDF_BYTES)
    section = page.locator("section.card", has=page.get_by_role("heading", name=component_name))
    section.locator('input[type="file"]').set_input_files(str(path))
    section.get_by_role("button", name="Tải lên").click()
    expect(
        page.locator(
            "section.card", has=page.get_by_role("heading", name=component_name)
        ).get_by_role("link", name=filename)
    ).to_be_visible()


def test_search_register_apply_with_two_vehicles_submit_and_track(
    page, live_server, catalogue, tmp_path
):
    base = live_server.url

    # Search without accents finds the badge procedure.
    page.goto(base + "/")
    assert_accessible(page)
    page.get_by_label("Tìm thủ tục").fill("cap phu hieu")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Cấp, cấp lại Phù hiệu cho xe ô tô").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phù hiệu")
    expect(page.get_by_text("Miễn phí").first).to_be_visible()
    assert_accessible(page)

    # Start online: not logged in yet, so register (as a transport company), sign in, verify.
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("link", name="Đăng ký").first.click()
    page.get_by_role("radio", name="Tổ chức, doanh nghiệp").check()
    page.get_by_label("Họ và tên").fill("Lê Văn Hùng")
    page.get_by_label("Thư điện tử (e-mail)").fill(EMAIL)
    page.get_by_label("Số điện thoại di động").fill(PHONE)
    page.get_by_label("Tên tổ chức, doanh nghiệp").fill("Công ty TNHH Vận tải Sông Hương")
    page.get_by_label("Mã số thuế").fill("0100109106")
    page.locator('[name="representative"]').fill("Lê Văn Hùng")
    page.locator('[name="password1"]').fill(PASSWORD)
    page.locator('[name="password2"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    # The answer for a taken address too (decision 26): sign in, then give the mailed code.
    expect(page.get_by_text("Chúng tôi đã gửi thư đến " + EMAIL)).to_be_visible()
    page.get_by_label("E-mail hoặc số điện thoại").fill(EMAIL)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã xác thực").fill(last_code_mailed_to(EMAIL))
    page.get_by_role("button", name="Xác thực").click()

    # Log out and in again, as a returning applicant would.
    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    open_menu(page)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("E-mail hoặc số điện thoại").fill(PHONE)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(base + "/procedures/2.002288/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_text("Chưa thể nộp")).to_be_visible()
    assert_accessible(page)

    # Operator: prefilled from the profile; complete the rest.
    page.locator(".task-list a").first.click()
    expect(page.locator('[name="operator.name"]')).to_have_value("Công ty TNHH Vận tải Sông Hương")
    page.get_by_label("Doanh nghiệp").first.check()
    page.locator('[name="operator.address"]').fill("12 Lê Lợi, phường Phú Hội, thành phố Huế")
    page.locator('[name="operator.representative"]').fill("Lê Văn Hùng")
    page.locator('[name="operator.business_registration_no"]').fill("3300123456")
    page.locator('[name="operator.business_registration_issuer"]').fill(
        "Sở Kế hoạch và Đầu tư tỉnh Thừa Thiên Huế"
    )
    page.locator('[name="operator.business_registration_date"]').fill("15/03/2019")
    page.locator('[name="operator.licence_no"]').fill("46-01234/GPKD")
    page.locator('[name="operator.licence_date"]').fill("20/05/2019")
    page.locator('[name="operator.licence_issuer"]').fill(
        "Sở Giao thông vận tải tỉnh Thừa Thiên Huế"
    )
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Request.
    page.get_by_label("Cấp mới").check()
    page.get_by_label("Xe hợp đồng").check()
    page.locator('[name="request.badges_requested"]').fill("2")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Vehicles: a wrong plate is explained in Vietnamese, then two vehicles.
    def vehicle(index, plate, chassis, engine, ownership="owned"):
        page.locator(f'[name="vehicles.{index}.plate"]').fill(plate)
        page.locator(f'[name="vehicles.{index}.chassis_no"]').fill(chassis)
        page.locator(f'[name="vehicles.{index}.engine_no"]').fill(engine)
        page.locator(f'[name="vehicles.{index}.vehicle_class"]').fill("Ô tô khách")
        page.locator(f'[name="vehicles.{index}.brand"]').fill("Thaco")
        page.locator(f'[name="vehicles.{index}.year_of_manufacture"]').fill("2021")
        page.locator(f'[name="vehicles.{index}.seats"]').fill("29")
        page.locator(f'[name="vehicles.{index}.ownership"][value="{ownership}"]').check()

    vehicle(0, "75B12345X", "RLHJC123456789012", "4D34T-001122")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-vehicles-0-plate-error")).to_contain_text("51A-123.45")
    page.locator('[name="vehicles.0.plate"]').fill("75B-123.45")
    page.get_by_role("button", name="Thêm xe").click()
    vehicle(1, "75B-678.90", "RLHJC123456789099", "4D34T-009988")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Attachments: a PDF for each required component.
    expect(page.get_by_role("heading", name="Giấy tờ đính kèm")).to_be_visible()
    attach(page, "Giấy đề nghị cấp, cấp lại phù hiệu", tmp_path, "don-de-nghi.pdf")
    attach(
        page,
        "Chứng nhận đăng ký xe ô tô hoặc giấy hẹn nhận chứng nhận đăng ký xe",
        tmp_path,
        "dang-ky-xe.pdf",
    )
    assert_accessible(page)
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Check answers, declare, submit.
    expect(page.get_by_text("75B-678.90")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.locator("#dossier-code").inner_text().strip()
    assert code.startswith("000.") and code.count("-") == 2
    assert_accessible(page)

    page.get_by_role("link", name="Xem hồ sơ").click()
    expect(page.get_by_text("Mới đăng ký").first).to_be_visible()

    # Log out and track the dossier publicly with the code and the phone number.
    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(base + "/track/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label("Số điện thoại hoặc số giấy tờ của người nộp").fill(PHONE)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()
    expect(page.get_by_text("Mới đăng ký").first).to_be_visible()
    assert_accessible(page)

    # A wrong phone number tells nothing.
    page.goto(base + "/track/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label("Số điện thoại hoặc số giấy tờ của người nộp").fill("0999999999")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("Không tìm thấy hồ sơ")).to_be_visible()
