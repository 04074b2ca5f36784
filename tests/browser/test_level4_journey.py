"""Level 4 in real headless Chromium against the live server.

The applicant applies and pays the fee in the sandbox gateway (a real redirect, a signed
server-to-server notification over HTTP, a signed return); the desk accepts, the specialist
proposes, the leader approves and the result is signed (PAdES); the applicant downloads it;
the verification page says it is genuine, and a copy with one byte changed is rejected.
"""

import re

import pytest
from playwright.sync_api import expect

from motcua.factories import (
    PDF_BYTES,
    STANDARD_WORKFLOW,
    ComponentFactory,
    ProcedureFactory,
    UserFactory,
)
from tests.browser.conftest import assert_accessible
from tests.browser.test_back_office_journey import act, log_in, officer_page

pytestmark = pytest.mark.browser

WORKFLOW = {
    **STANDARD_WORKFLOW,
    "steps": [STANDARD_WORKFLOW["steps"][i] for i in (0, 1, 3, 4)],
    "payment_due": "submission",
}


@pytest.fixture
def world(transactional_db, settings, live_server, make_organisation):
    settings.SITE_URL = live_server.url  # the gateway and its notifications reach this server
    procedure = ProcedureFactory(
        code="9.000222",
        name="Cấp phù hiệu xe ô tô kinh doanh vận tải",
        fee_schedule={"kind": "fixed", "amount": 190000, "label": "Lệ phí cấp phù hiệu"},
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu", paper_form="original")
    org = make_organisation(procedure, WORKFLOW)
    applicant = UserFactory(full_name="Lê Thị Hoa", phone="0935111222", email="hoa.le@example.vn")
    return procedure, org, applicant


def test_apply_pay_approve_sign_download_verify(
    page, browser, browser_context_args, live_server, world, tmp_path
):
    procedure, org, applicant = world
    base = live_server.url
    scan = tmp_path / "giay-de-nghi.pdf"
    scan.write_bytes(PDF_BYTES)

    # Apply online; the fee is shown before submitting.
    log_in(page, base, applicant.email)
    page.goto(f"{base}/procedures/{procedure.code}/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.locator(".task-list a").first.click()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator('[name="vehicles.0.plate"]').fill("75B-678.90")
    page.locator('[name="vehicles.0.seats"]').fill("29")
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    section = page.locator("section.card", has=page.get_by_role("heading", name="Giấy đề nghị"))
    section.locator('input[type="file"]').set_input_files(str(scan))
    section.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="giay-de-nghi.pdf")).to_be_visible()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_text("190.000").first).to_be_visible()
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.locator("#dossier-code").inner_text().strip()

    # Pay in the sandbox gateway: redirect, bank page, notification, signed return.
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).first.click()
    expect(page.get_by_text("Chờ thực hiện nghĩa vụ tài chính").first).to_be_visible()
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/sandbox/vnpay/"))
    expect(page.get_by_text("190.000").first).to_be_visible()
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã thanh toán thành công").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Về trang hồ sơ").click()
    expect(page.get_by_text("Mới đăng ký").first).to_be_visible()
    expect(page.get_by_role("link", name="Biên lai").first).to_be_visible()

    # The desk accepts, the specialist proposes, the leader approves: the result is signed.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    act(desk, code, "Tiếp nhận hồ sơ")
    specialist = officer_page(browser, browser_context_args, base, org.specialist)
    act(specialist, code, "Chuyển bước tiếp theo")
    leader = officer_page(browser, browser_context_args, base, org.leader)
    act(leader, code, "Phê duyệt kết quả")
    desk.goto(base + "/officer/?tab=todo")
    act(desk, code, "Trả kết quả")

    # The applicant downloads the signed result.
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).first.click()
    expect(page.get_by_text("Đã trả kết quả").first).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả (PDF đã ký số)").click()
    signed = tmp_path / "ket-qua.pdf"
    download.value.save_as(signed)
    assert signed.read_bytes().startswith(b"%PDF")

    # The QR's page says genuine; the file itself checks out; one changed byte does not.
    page.locator('a[href*="/verify/"]').first.click()
    expect(page.get_by_text("Giấy tờ hợp lệ")).to_be_visible()
    expect(page.locator("main").get_by_text("Lê Thị Hoa").first).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/verify/")
    page.locator("#file").set_input_files(str(signed))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.get_by_text("Tệp hợp lệ")).to_be_visible()
    data = bytearray(signed.read_bytes())
    middle = len(data) // 3
    data[middle] = data[middle] ^ 0x01
    tampered = tmp_path / "ket-qua-da-sua.pdf"
    tampered.write_bytes(bytes(data))
    page.locator("#file").set_input_files(str(tampered))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.get_by_role("heading", name="Tệp hợp lệ")).to_have_count(0)
    expect(page.locator(".error-summary").first).to_be_visible()
