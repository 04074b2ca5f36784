"""The whole back-office path in real headless Chromium against the live server.

The applicant submits online; the desk accepts (the receipt slip is issued); the specialist
requests a supplement; the applicant supplements; the specialist proposes; the leader
approves; the desk returns the result; the applicant sees each step on the timeline.
Officers log in with their password and a TOTP code, as in production.
"""

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

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-an-toan-2026"
# Reception, review, approval, return: the head-of-department step is left out for brevity.
WORKFLOW = {**STANDARD_WORKFLOW, "steps": [STANDARD_WORKFLOW["steps"][i] for i in (0, 1, 3, 4)]}


@pytest.fixture
def world(transactional_db, make_organisation):
    procedure = ProcedureFactory(code="9.000111", name="Cấp phù hiệu xe ô tô kinh doanh vận tải")
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu", paper_form="original")
    ComponentFactory(procedure=procedure, name="Giấy đăng ký xe ô tô")
    org = make_organisation(procedure, WORKFLOW)
    applicant = UserFactory(
        full_name="Nguyễn Văn Ánh", phone="0935123456", email="anh.nguyen@example.vn"
    )
    return procedure, org, applicant


def log_in(page, base, login):
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill(login)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def officer_page(browser, browser_context_args, base, officer):
    """A separate browser for each officer: password, then the code from their app."""
    from motcua.accounts.testing import officer_device, totp_now

    device = officer_device(officer)
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 1366, "height": 900}}
    )
    page = context.new_page()
    log_in(page, base, officer.email)
    page.get_by_label("Mã xác thực").fill(totp_now(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(base + "/officer/")
    return page


def act(page, code, action, fill=None):
    page.get_by_role("link", name=code).first.click()
    page.get_by_role("link", name=action, exact=True).click()
    if fill:
        fill(page)
    page.get_by_role("button", name=f"Xác nhận: {action}").click()
    outcome = page.locator(".alert-success, [role=status], #review-again").first
    expect(outcome).to_be_visible()
    if page.locator("#review-again").count():
        # What was typed changed the document shown on arrival: the page shows the new one
        # (decision 0053); the officer reads it and confirms again.
        page.get_by_role("button", name=f"Xác nhận: {action}").click()
        expect(page.locator(".alert-success").first).to_be_visible()


def test_submit_accept_supplement_propose_approve_return(
    page, browser, browser_context_args, live_server, world, tmp_path
):
    procedure, org, applicant = world
    base = live_server.url
    scan = tmp_path / "giay-de-nghi.pdf"
    scan.write_bytes(PDF_BYTES)

    # The applicant applies online.
    log_in(page, base, applicant.email)
    page.goto(f"{base}/procedures/{procedure.code}/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.locator(".task-list a").first.click()
    expect(page.locator('[name="applicant.full_name"]')).to_have_value("Nguyễn Văn Ánh")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator('[name="vehicles.0.plate"]').fill("75B-123.45")
    page.locator('[name="vehicles.0.seats"]').fill("16")
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    for name in ("Giấy đề nghị cấp phù hiệu", "Giấy đăng ký xe ô tô"):
        section = page.locator("section.card", has=page.get_by_role("heading", name=name))
        section.locator('input[type="file"]').set_input_files(str(scan))
        section.get_by_role("button", name="Tải lên").click()
        expect(
            page.locator("section.card", has=page.get_by_role("heading", name=name)).get_by_role(
                "link", name="giay-de-nghi.pdf"
            )
        ).to_be_visible()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.locator("#dossier-code").inner_text().strip()

    # The desk accepts it: the receipt and appointment slip is issued.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    expect(desk.get_by_role("link", name=code)).to_be_visible()
    assert_accessible(desk)
    act(desk, code, "Tiếp nhận hồ sơ")
    expect(desk.get_by_text("Đang xử lý").first).to_be_visible()
    expect(
        desk.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả").first
    ).to_be_visible()
    assert_accessible(desk)

    # The specialist finds it in "to process" and asks for a supplement.
    specialist = officer_page(browser, browser_context_args, base, org.specialist)

    def supplement(p):
        p.get_by_role("checkbox", name="Giấy đăng ký xe ô tô").check()
        p.get_by_role("textbox", name="Lý do bổ sung: Giấy đăng ký xe ô tô").fill(
            "Bản chụp mờ, không đọc được số khung"
        )

    act(specialist, code, "Yêu cầu bổ sung hồ sơ", supplement)
    expect(specialist.get_by_text("Yêu cầu bổ sung").first).to_be_visible()

    # The applicant sees the request, uploads a clearer copy and sends the supplement.
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).first.click()
    expect(page.locator("#supplement")).to_contain_text("Bản chụp mờ, không đọc được số khung")
    assert_accessible(page)
    page.locator('#supplement input[type="file"]').first.set_input_files(str(scan))
    page.locator("#supplement").get_by_role("button", name="Tải lên").first.click()
    page.get_by_role("button", name="Nộp hồ sơ bổ sung").click()
    expect(page.get_by_text("Đang xử lý").first).to_be_visible()

    # The specialist proposes, the leader approves, the desk returns the result.
    specialist.goto(base + "/officer/")
    act(specialist, code, "Chuyển bước tiếp theo")
    leader = officer_page(browser, browser_context_args, base, org.leader)
    act(leader, code, "Phê duyệt kết quả")
    desk.goto(base + "/officer/?tab=todo")
    act(desk, code, "Trả kết quả")
    expect(desk.get_by_text("Đã trả kết quả").first).to_be_visible()

    # The applicant's timeline shows every step.
    page.reload()
    timeline = page.locator("ol.timeline, .timeline").first
    for text in ("Nộp hồ sơ trực tuyến", "tiếp nhận", "bổ sung", "Đã trả kết quả"):
        expect(timeline).to_contain_text(text)
    expect(page.get_by_text("Đã trả kết quả").first).to_be_visible()
    # Who has seen the dossier: the desk and the department, by unit and role.
    seen = page.locator("#seen-by")
    expect(seen).to_contain_text("Ai đã xem hồ sơ của tôi")
    expect(seen.locator("tbody")).to_contain_text("Bộ phận Một cửa")
    expect(seen.locator("tbody")).to_contain_text("Chuyên viên xử lý")
    assert_accessible(page)
