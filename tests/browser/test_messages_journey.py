"""The conversation with the desk in real headless Chromium (decision 0044): the applicant
writes with an attachment, the desk officer reads and answers, the applicant sees the answer
and that the desk read the question; both pages pass axe at desktop width and at 390 px."""

import pytest
from playwright.sync_api import expect

from motcua.factories import PDF_BYTES, UserFactory, make_submitted_dossier
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import WORKFLOW, log_in, officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def accessible_at_both_widths(page):
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
        # Nothing wider than the screen at 390 px (no sideways scrolling).
        assert_fits_the_screen(page)


@pytest.fixture
def world(transactional_db, make_organisation):
    from motcua.factories import ComponentFactory, ProcedureFactory

    procedure = ProcedureFactory(code="9.000111", name="Cấp phù hiệu xe ô tô kinh doanh vận tải")
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu", paper_form="original")
    org = make_organisation(procedure, WORKFLOW)
    # A long agency identifier makes a long code: it must still fit a phone's headings.
    org.agency.identifier = "000.00.53.H353"
    org.agency.save(update_fields=["identifier"])
    applicant = UserFactory(
        full_name="Nguyễn Văn Ánh", phone="0935123456", email="anh.nguyen@example.vn"
    )
    return org, applicant, make_submitted_dossier(procedure, applicant)


def test_message_exchange_with_the_desk(
    page, browser, browser_context_args, live_server, world, tmp_path
):
    org, applicant, dossier = world
    base = live_server.url
    scan = tmp_path / "giay-dang-ky-xe.pdf"
    scan.write_bytes(PDF_BYTES)
    dossier_path = f"{base}/dossiers/{dossier.uuid}/"

    # The applicant writes; a message with nothing in it is refused, named and linked.
    log_in(page, base, applicant.email)
    page.goto(dossier_path)
    thread = page.locator("#messages")
    expect(thread.get_by_role("heading", name="Trao đổi với cơ quan giải quyết")).to_be_visible()
    thread.get_by_role("button", name="Gửi tin nhắn").click()
    expect(page.locator(".error-summary")).to_contain_text("Nhập nội dung tin nhắn")
    accessible_at_both_widths(page)
    page.get_by_label("Nội dung tin nhắn").fill(
        "Xe của tôi đang thế chấp ngân hàng, có cần bản gốc?"
    )
    page.locator("#message-files").set_input_files(str(scan))
    page.locator("#messages").get_by_role("button", name="Gửi tin nhắn").click()
    thread = page.locator("#messages")
    expect(thread).to_contain_text("đang thế chấp ngân hàng")
    expect(thread.get_by_role("link", name="giay-dang-ky-xe.pdf")).to_be_visible()
    expect(thread).to_contain_text("Chưa xem")
    accessible_at_both_widths(page)

    # The desk officer reads it beside, not among, the internal comments, and answers.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    desk.goto(f"{base}/officer/dossiers/{dossier.uuid}/")
    thread = desk.locator("#messages")
    expect(thread.get_by_role("heading", name="Trao đổi với người nộp")).to_be_visible()
    expect(thread).to_contain_text("đang thế chấp ngân hàng")
    expect(desk.locator("#comments")).not_to_contain_text("đang thế chấp ngân hàng")
    desk.get_by_label("Nội dung tin nhắn").fill("Không cần bản gốc, bản chụp có chứng thực là đủ.")
    thread.get_by_role("button", name="Gửi tin nhắn").click()
    expect(desk.locator("#messages")).to_contain_text("bản chụp có chứng thực là đủ")
    accessible_at_both_widths(desk)

    # The applicant sees the answer, from the desk, and that the desk read the question.
    page.goto(base + "/dossiers/")
    expect(page.get_by_role("link", name="Có tin nhắn mới")).to_be_visible()
    page.goto(dossier_path)
    expect(page.get_by_role("link", name="1 tin nhắn mới từ cơ quan giải quyết")).to_be_visible()
    thread = page.locator("#messages")
    expect(thread).to_contain_text("bản chụp có chứng thực là đủ")
    expect(thread).to_contain_text("Bộ phận Một cửa")
    expect(thread).to_contain_text("Cơ quan đã xem")
    accessible_at_both_widths(page)
