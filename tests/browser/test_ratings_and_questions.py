"""Ratings and questions in real headless Chromium: an ended dossier rated from its page; a
question asked without an account, answered by the agency and then shown. axe-core at 390 px
and on a desktop on each new page."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from motcua.factories import ProcedureFactory, UserFactory, make_submitted_dossier
from motcua.workflow.machine import perform
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-an-toan-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(transactional_db, make_organisation):
    procedure = ProcedureFactory(code="9.000222", name="Cấp phù hiệu xe ô tô kinh doanh vận tải")
    org = make_organisation(procedure)
    applicant = UserFactory(full_name="Trần Thị Hoa", email="hoa.tran@example.vn")
    return procedure, org, applicant


def accessible_at_both_sizes(page):
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_accessible(page)
    page.set_viewport_size(PHONE)


def log_in(page, base, login):
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill(login)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_ended_dossier_is_rated_from_its_page(page, live_server, world):
    procedure, org, applicant = world
    dossier = make_submitted_dossier(procedure, applicant)

    def walk_to_the_end():
        for action, officer in (
            ("accept", org.desk_officer),
            ("forward", org.specialist),
            ("forward", org.head),
            ("approve", org.leader),
            ("return_result", org.desk_officer),
        ):
            perform(dossier_id=dossier.pk, action=action, actor=officer)

    # Signing the slips (pyHanko) calls asyncio.run(), which cannot run in Playwright's loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(walk_to_the_end).result()
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, applicant.email)
    page.goto(f"{base}/dossiers/{dossier.uuid}/#rating")
    rating = page.locator("#rating")
    expect(rating.get_by_role("heading", name="Đánh giá việc giải quyết hồ sơ")).to_be_visible()
    accessible_at_both_sizes(page)
    # Sending it half answered points at what is missing and keeps the rest.
    rating.get_by_role("group", name="Thời gian trả kết quả so với ngày hẹn").get_by_label(
        "Đúng ngày hẹn"
    ).check()
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".error-summary")).to_be_visible()
    accessible_at_both_sizes(page)
    answers = {
        "Số cơ quan, đơn vị": "Không phải liên hệ nơi nào khác",
        "Số lần quý vị phải liên hệ": "Không lần nào",
        "Thông tin về thủ tục": "Chính xác, đầy đủ",
        "Thái độ của cán bộ": "Tận tình, chu đáo",
        "Kết quả và chi phí": "Đúng quy định",
        "Cơ quan trả lời phản ánh": "Không áp dụng, không có ý kiến",
        "Dịch vụ công trực tuyến": "Thuận tiện",
        "Đánh giá chung": "Hài lòng",
    }
    rating = page.locator("#rating")
    expect(rating.get_by_label("Đúng ngày hẹn")).to_be_checked()
    for question, answer in answers.items():
        rating.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    rating.get_by_label("Ý kiến khác").fill("Nhanh, gọn.")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#rating")).to_contain_text("Cảm ơn quý vị đã đánh giá")
    expect(page.locator("#rating")).to_contain_text("thay đổi đánh giá đến ngày")
    accessible_at_both_sizes(page)


def test_a_question_is_asked_and_shown_once_answered(page, browser, live_server, world):
    from motcua.accounts.testing import officer_device, totp_now

    procedure, org, _applicant = world
    base = live_server.url
    text = "Xe đăng ký ở tỉnh khác có được cấp phù hiệu không?"
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/procedures/{procedure.code}/")
    page.get_by_role("link", name="Xem tất cả câu hỏi").click()
    accessible_at_both_sizes(page)
    page.get_by_label("Câu hỏi của quý vị").fill(text)
    page.get_by_label("Họ và tên").fill("Phạm Văn Bình")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.get_by_text("Đã gửi câu hỏi.")).to_be_visible()
    expect(page.get_by_text(text)).to_have_count(0)

    desk = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    device = officer_device(org.desk_officer)
    log_in(desk, base, org.desk_officer.email)
    desk.get_by_label("Mã xác thực").fill(totp_now(device))
    desk.get_by_role("button", name="Xác nhận").click()
    desk.goto(base + "/officer/questions/")
    accessible_at_both_sizes(desk)
    desk.get_by_role("link", name=text).click()
    accessible_at_both_sizes(desk)
    desk.get_by_label("Trả lời và công khai").check()
    desk.get_by_label("Câu trả lời", exact=True).fill("Được, nếu xe kinh doanh tại địa phương.")
    desk.get_by_role("button", name="Lưu").click()
    expect(desk.get_by_text("Đã trả lời và công khai câu hỏi.")).to_be_visible()
    desk.goto(base + "/officer/ratings/")
    accessible_at_both_sizes(desk)

    page.goto(f"{base}/questions/?q=tinh khac")
    expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_text("Được, nếu xe kinh doanh tại địa phương.")).to_be_visible()
    accessible_at_both_sizes(page)
    page.goto(f"{base}/procedures/{procedure.code}/")
    expect(page.get_by_text(text)).to_be_visible()
