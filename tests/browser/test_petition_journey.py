"""A feedback filed anonymously, answered and published (issue 13), in headless Chromium.

Someone without an account files feedback on a phone (390 px), proves their e-mail address
with the code sent to it, and sees the tracking page; the desk officer answers, reviews the
redacted text and publishes it; the public page shows the answer without the filer.
axe-core checks every page at 390 px and at desktop width.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from motcua.core.models import OutboxEvent
from motcua.core.outbox import _open
from motcua.factories import ProcedureFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
EMAIL = "tam.le@example.vn"


def both_widths(page):
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_accessible(page)
    page.set_viewport_size(PHONE)


def code_sent_to(address: str) -> str:
    """The code as the filer receives it: from the e-mail when a subscriber mailed it,
    else from the outbox event waiting for one."""
    import re

    for message in reversed(mail.outbox):
        if address in message.to and (found := re.search(r"\b(\d{6})\b", message.body)):
            return found.group(1)
    row = OutboxEvent.objects.filter(name="contact.code_issued").latest("pk")
    return _open(row).code


def test_feedback_filed_anonymously_answered_and_published(
    page, browser, browser_context_args, live_server, transactional_db, make_organisation
):
    procedure = ProcedureFactory(code="9.000222", name="Cấp phù hiệu xe ô tô kinh doanh vận tải")
    org = make_organisation(procedure)
    base = live_server.url

    # Without an account, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(base + "/feedback/new/")
    both_widths(page)
    page.get_by_label("Phản ánh", exact=True).check()
    page.get_by_label("Một thủ tục hành chính").check()
    page.locator("#id_procedure").select_option("9.000222")
    page.locator("#id_title").fill("Hẹn trả phù hiệu nhiều lần")
    page.locator("#id_content").fill(
        "Tôi là Lê Văn Tám (0903123456), nộp hồ sơ phù hiệu cho xe 51A-123.45 và bị hẹn ba lần."
    )
    page.locator("#id_contact-name").fill("Lê Văn Tám")
    page.get_by_role("radio", name="Thư điện tử").check()
    page.locator("#id_contact-email").fill(EMAIL)
    page.get_by_role("button", name="Tiếp tục: nhận mã xác thực").click()

    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    both_widths(page)
    page.get_by_label("Mã xác thực").fill("000000" if code_sent_to(EMAIL) != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận và gửi phản ánh").click()
    expect(page.get_by_text("Mã xác thực không đúng")).to_have_count(2)  # summary and field
    page.get_by_label("Mã xác thực").fill(code_sent_to(EMAIL))
    page.get_by_role("button", name="Xác nhận và gửi phản ánh").click()

    expect(page.get_by_text("Đã gửi phản ánh, kiến nghị.")).to_be_visible()
    code = page.locator("h1 .token").inner_text()
    assert code.startswith("PAKN-")
    expect(page.get_by_text("Đã tiếp nhận").first).to_be_visible()
    both_widths(page)

    # The desk officer answers and publishes.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    desk.goto(base + "/officer/feedback/")
    assert_accessible(desk)
    desk.get_by_role("link", name=code).click()
    expect(desk.get_by_label("Nội dung trả lời")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_label("Nội dung trả lời").fill(
        "Sở đã nhắc nhở bộ phận một cửa; phù hiệu đã được cấp."
    )
    desk.get_by_role("button", name="Gửi trả lời").click()
    expect(desk.get_by_text("Đã cập nhật phản ánh, kiến nghị.")).to_be_visible()
    question = desk.get_by_label("Nội dung phản ánh, kiến nghị (đã ẩn thông tin cá nhân)")
    for personal in ("Lê Văn Tám", "0903123456", "51A-123.45"):
        assert personal not in question.input_value()
    assert_accessible(desk)
    desk.get_by_role("button", name="Công khai", exact=True).click()
    expect(desk.get_by_text("Đã trả lời và công khai").first).to_be_visible()

    # The filer sees the answer; the public page shows it without them.
    page.reload()
    answer = page.get_by_role("region", name="Trả lời của cơ quan")
    expect(answer.get_by_text("phù hiệu đã được cấp")).to_be_visible()
    page.goto(base + "/feedback/answers/?q=phu hieu")
    expect(page.get_by_role("heading", name="Hẹn trả phù hiệu nhiều lần")).to_be_visible()
    body = page.content()
    for personal in ("Lê Văn Tám", "0903123456", EMAIL, code):
        assert personal not in body
    both_widths(page)

    page.goto(base + "/feedback/track/")
    both_widths(page)


def test_a_signed_in_applicant_files_from_the_procedure_page_and_finds_it_in_their_list(
    page, live_server, transactional_db, make_organisation
):
    from motcua.factories import UserFactory
    from tests.browser.test_back_office_journey import log_in

    procedure = ProcedureFactory(code="9.000333", name="Đăng ký tàu biển")
    make_organisation(procedure)
    applicant = UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@example.vn")
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, applicant.email)
    page.goto(base + "/feedback/new/?procedure=9.000333")
    expect(page.locator("#id_procedure")).to_have_value("9.000333")
    page.get_by_label("Kiến nghị", exact=True).check()
    page.locator("#id_title").fill("Cho phép nộp bản sao điện tử")
    page.locator("#id_content").fill("Đề nghị cho phép nộp bản sao giấy chứng nhận phân cấp.")
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    expect(page.get_by_text("Đã gửi phản ánh, kiến nghị.")).to_be_visible()
    page.goto(base + "/feedback/mine/")
    expect(page.get_by_role("link", name="Cho phép nộp bản sao điện tử")).to_be_visible()
    both_widths(page)
