"""Issue 13's journey in real headless Chromium: the applicant is told at every step.

The applicant chooses SMS in the profile and submits; the desk accepts, and both the SMS
sandbox's phone and the in-portal notification centre say "accepted" with the due date; the
specialist asks for the fee, the applicant is told and pays in the gateway sandbox; the
applicant writes to the desk with a file, the specialist answers and the applicant is told;
the dossier is approved and returned, the notification invites a rating, and the applicant
rates it from there. axe-core at 390 px and on a desktop on every page of the issue.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier
from motcua.factories import (
    PDF_BYTES,
    STANDARD_WORKFLOW,
    ComponentFactory,
    ProcedureFactory,
    UserFactory,
)
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import act, log_in, officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Reception, review (which may ask for the fee), approval, return.
WORKFLOW = {**STANDARD_WORKFLOW, "steps": [STANDARD_WORKFLOW["steps"][i] for i in (0, 1, 3, 4)]}


@pytest.fixture
def world(transactional_db, settings, live_server, make_organisation):
    settings.SITE_URL = live_server.url  # the gateways and their reports reach this server
    procedure = ProcedureFactory(
        code="9.000333",
        name="Cấp phù hiệu xe ô tô kinh doanh vận tải",
        fee_schedule={"kind": "fixed", "amount": 190000, "label": "Lệ phí cấp phù hiệu"},
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu", paper_form="original")
    org = make_organisation(procedure, WORKFLOW)
    # A long agency identifier makes a long code: it must still fit a phone's heading.
    org.agency.identifier = "000.00.82.H282"
    org.agency.save(update_fields=["identifier"])
    applicant = UserFactory(full_name="Đỗ Thị Mai", phone="0935222333", email="mai.do@example.vn")
    return procedure, org, applicant


def accessible_at_both_sizes(page):
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
    # Nothing wider than a phone's screen (no sideways scrolling), the header's unread count
    # included.
    assert_fits_the_screen(page)


def submit(page, base, procedure, scan) -> str:
    page.goto(f"{base}/procedures/{procedure.code}/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.locator(".task-list a").first.click()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator('[name="vehicles.0.plate"]').fill("75b-222.33")  # normalised, not refused
    page.locator('[name="vehicles.0.seats"]').fill("16")
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    section = page.locator("section.card", has=page.get_by_role("heading", name="Giấy đề nghị"))
    section.locator('input[type="file"]').set_input_files(str(scan))
    section.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="giay-de-nghi.pdf")).to_be_visible()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    return page.locator("#dossier-code").inner_text().strip()


def test_told_at_every_step_then_rates_the_dossier(
    page, browser, browser_context_args, live_server, world, tmp_path
):
    procedure, org, applicant = world
    base = live_server.url
    scan = tmp_path / "giay-de-nghi.pdf"
    scan.write_bytes(PDF_BYTES)
    page.set_viewport_size(PHONE)

    # The applicant adds SMS to the channels (the portal is always on).
    log_in(page, base, applicant.email)
    page.goto(base + "/notifications/preferences/")
    accessible_at_both_sizes(page)
    page.get_by_label("Tin nhắn SMS").check()
    page.get_by_role("button", name="Lưu").click()
    page.goto(base + "/notifications/preferences/")
    expect(page.get_by_label("Tin nhắn SMS")).to_be_checked()

    code = submit(page, base, procedure, scan)

    # The desk accepts: the phone and the centre say so, with the due date.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    act(desk, code, "Tiếp nhận hồ sơ")
    due = timezone.localtime(Dossier.objects.get(code=code).due_at).strftime("%d/%m/%Y")
    page.goto(base + "/sandbox/sms/?phone=0935222333")
    accepted_sms = page.locator("article", has_text=code).filter(has_text="tiep nhan")
    expect(accepted_sms.first).to_contain_text(due)
    expect(accepted_sms.first).not_to_contain_text("tiếp nhận")  # no diacritics by SMS
    expect(accepted_sms.first.locator(".badge")).to_have_text("Đã đến máy", timeout=15000)
    accessible_at_both_sizes(page)
    page.goto(base + "/notifications/")
    # The unread count stays in the header on a phone, beside the menu button.
    expect(page.get_by_role("link", name=re.compile("thông báo chưa đọc"))).to_be_visible()
    accepted = page.locator("main li, main article", has_text="được tiếp nhận").first
    expect(accepted).to_contain_text(code)
    expect(accepted).to_contain_text(due)
    accessible_at_both_sizes(page)

    # The specialist asks for the fee: the applicant is told and pays online.
    specialist = officer_page(browser, browser_context_args, base, org.specialist)
    act(specialist, code, "Yêu cầu nộp phí, lệ phí")
    page.goto(base + "/notifications/")
    expect(page.locator("main").get_by_text(re.compile("phí")).first).to_be_visible()
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).first.click()
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/sandbox/vnpay/"))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã thanh toán thành công").first).to_be_visible()
    page.get_by_role("link", name="Về trang hồ sơ").click()

    # A conversation with the desk, with a file; the answer comes back and is told.
    page.get_by_label("Nội dung tin nhắn").fill("Tôi muốn nhận bản giấy tại Bộ phận Một cửa.")
    page.locator("#message-files").set_input_files(str(scan))
    page.locator("#messages").get_by_role("button", name="Gửi tin nhắn").click()
    expect(page.locator("#messages")).to_contain_text("Tôi muốn nhận bản giấy")
    accessible_at_both_sizes(page)
    specialist.goto(base + "/officer/")
    specialist.get_by_role("link", name=code).first.click()
    thread = specialist.locator("#messages")
    expect(thread).to_contain_text("Tôi muốn nhận bản giấy")
    specialist.get_by_label("Nội dung tin nhắn").fill("Được, quý vị mang giấy hẹn khi đến nhận.")
    thread.get_by_role("button", name="Gửi tin nhắn").click()
    expect(specialist.locator("#messages")).to_contain_text("mang giấy hẹn")
    page.reload()
    expect(page.locator("#messages")).to_contain_text("mang giấy hẹn")
    expect(page.locator("#messages")).to_contain_text("Cơ quan đã xem")
    page.goto(base + "/notifications/")
    expect(page.locator("main").get_by_text(re.compile("tin nhắn", re.I)).first).to_be_visible()

    # Approved, signed and returned; the notification invites a rating.
    specialist.goto(base + "/officer/")
    act(specialist, code, "Chuyển bước tiếp theo")
    leader = officer_page(browser, browser_context_args, base, org.leader)
    act(leader, code, "Phê duyệt kết quả")
    desk.goto(base + "/officer/?tab=todo")
    act(desk, code, "Trả kết quả")
    page.goto(base + "/notifications/")
    returned = page.locator("main li, main article", has_text="trả kết quả").first
    expect(returned).to_contain_text(code)
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).first.click()
    rating = page.locator("#rating")
    expect(rating.get_by_role("heading", name="Đánh giá việc giải quyết hồ sơ")).to_be_visible()
    accessible_at_both_sizes(page)
    answers = {
        "Thời gian trả kết quả so với ngày hẹn": "Đúng ngày hẹn",
        "Số cơ quan, đơn vị": "Không phải liên hệ nơi nào khác",
        "Số lần quý vị phải liên hệ": "Không lần nào",
        "Thông tin về thủ tục": "Chính xác, đầy đủ",
        "Thái độ của cán bộ": "Tận tình, chu đáo",
        "Kết quả và chi phí": "Đúng quy định",
        "Cơ quan trả lời phản ánh": "Không áp dụng, không có ý kiến",
        "Dịch vụ công trực tuyến": "Thuận tiện",
        "Đánh giá chung": "Hài lòng",
    }
    for question, answer in answers.items():
        rating.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#rating")).to_contain_text("Cảm ơn quý vị đã đánh giá")

    # The officers never see who rated what: not on the dossier's page.
    specialist.goto(f"{base}/officer/dossiers/{Dossier.objects.get(code=code).uuid}/")
    expect(specialist.locator("main")).to_contain_text(code)
    assert "Tận tình, chu đáo" not in specialist.content()
