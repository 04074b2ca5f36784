"""Issue 17's journey in real headless Chromium, on a phone: a transport company holds a badge
for a coach it leases; the lease ends soon, so the badge does too. Time moves forward to the
reminder day of the rule (10 working days before), the daily job runs, and the reminder
arrives in the notification centre and on the SMS sandbox's phone. Its link opens the renewal
the agency prepared from the earlier dossier, refreshed from the vehicle register, the earlier
badge attached. The operator replaces the leased coach with one of its own, confirms and
submits; the desk sees a dossier started proactively.
"""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from motcua.catalogue.models import Procedure
from motcua.core.dates import VIETNAM
from motcua.dossiers.models import Dossier, Status
from motcua.factories import PDF_BYTES, UserFactory, make_submitted_dossier
from motcua.proactive import job
from motcua.proactive.models import Due, Reminder, ReminderRule
from motcua.proactive.tests.prepared.conftest import earlier_form
from motcua.results.tests.conftest import approve
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import log_in, officer_page
from tests.browser.test_registers_prefill import VEHICLES, fetch_from_register

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LEASED = "75B-031.25"  # Hoàng Văn Dũng's coach, leased by the company
OWN = "75B-015.67"  # the company's own Hyundai Solati


def check(page):
    assert_accessible(page)
    assert_fits_the_screen(page)


@pytest.fixture
def world(catalogue, settings, live_server, make_organisation, clock):
    settings.SITE_URL = live_server.url  # the register and SMS sandboxes are reached here
    badge = Procedure.objects.get(code="2.002288")
    org = make_organisation(badge)
    company = UserFactory(
        kind="organisation",
        full_name="Trần Văn Bình",
        organisation_name="Công ty TNHH Vận tải Hương Giang",
        tax_code="3300123456",
        address="25 Hùng Vương, thành phố Huế",
        email="lienhe@huonggiang.example.vn",
        phone="0905123456",
        citizen_id="",
    )
    ReminderRule.objects.create(
        procedure_code=badge.code,
        name="Nhắc cấp lại phù hiệu xe sắp hết hạn",
        due=Due.VALID_UNTIL,
        offsets=[10],
        channels=["sms"],
        offer_code=badge.code,
    )
    # A year ago the company was granted badges for its own Ford and for the coach it
    # leases until 40 days from now: that badge is valid until the lease ends.
    issued = timezone.now()
    lease_end = timezone.localdate(issued) + timedelta(days=40)
    form = earlier_form()
    form["vehicles"] = [
        form["vehicles"][0],
        {
            "plate": LEASED,
            "chassis_no": "JTFSS22P0K0031250",
            "engine_no": "2KD3125001",
            "vehicle_class": "passenger",
            "brand": "Toyota",
            "year_of_manufacture": 2019,
            "seats": 16,
            "ownership": "leased",
            "contract_from": (lease_end - timedelta(days=365)).isoformat(),
            "contract_to": lease_end.isoformat(),
        },
    ]
    form["request"]["badges_requested"] = 2
    earlier = make_submitted_dossier(badge, company, form_data=form)
    result = approve(earlier, org).results.get()
    return badge, org, company, earlier, result, lease_end


def test_reminded_before_the_badge_expires_the_operator_confirms_the_prepared_renewal(
    page, browser, browser_context_args, live_server, world, clock, tmp_path
):
    badge, org, company, earlier, result, lease_end = world
    base = live_server.url
    page.set_viewport_size(PHONE)
    scan = tmp_path / "giay-de-nghi.pdf"
    scan.write_bytes(PDF_BYTES)
    badge_of_the_coach = next(b for b in result.data["badges"] if b["plate"] == LEASED)
    assert badge_of_the_coach["valid_until"] == lease_end.strftime("%d/%m/%Y")

    # 1. Nothing falls due yet: the daily job reminds nobody.
    assert job.send_reminders()["reminders"] == 0

    # 2. Time moves on to 12 days before the lease ends (past the 10-working-day mark): the
    #    job reminds the company once, and the agency prepares the renewal.
    clock.current = datetime.combine(lease_end - timedelta(days=12), datetime.min.time()).replace(
        hour=6, tzinfo=VIETNAM
    )
    assert job.send_reminders()["reminders"] == 1
    assert job.send_reminders()["reminders"] == 0  # never twice for the same badge and date
    reminder = Reminder.objects.get(holder=company)
    prepared = reminder.dossier
    assert prepared is not None and prepared.status == Status.DRAFT
    assert prepared.prepared_from == earlier

    # 3. The SMS reached the company's phone, with the link.
    page.goto(f"{base}/sandbox/sms/")
    sms = page.locator("article").filter(has_text=f"/proactive/r/{reminder.uuid}/")
    expect(sms.first).to_contain_text("84905123456")
    check(page)

    # 4. The company signs in: the notification centre has the reminder; the proactive page
    #    shows the coach's badge expiring.
    log_in(page, base, company.email)
    page.goto(f"{base}/proactive/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công chủ động")
    row = page.locator("#due-items tr", has_text=LEASED).first
    expect(row).to_contain_text("Sắp hết hạn")
    expect(row).to_contain_text(lease_end.strftime("%d/%m/%Y"))
    check(page)
    page.goto(f"{base}/notifications/")
    notice = page.locator(".notification-list li").filter(has_text=LEASED)
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Chưa đọc")
    expect(notice).to_contain_text(lease_end.strftime("%d/%m/%Y"))
    check(page)

    # 5. Its link opens the renewal the agency prepared: the earlier answers, the coach's
    #    data from the vehicle register, the earlier badge already attached.
    notice.get_by_role("button", name="Xem chi tiết").click()
    expect(page).to_have_url(f"{base}/dossiers/{prepared.uuid}/")
    assert Reminder.objects.get(pk=reminder.pk).opened_at is not None
    banner = page.locator("#prepared")
    expect(banner).to_contain_text("Hồ sơ do cơ quan chuẩn bị sẵn")
    expect(banner).to_contain_text(earlier.code)
    expect(banner).to_contain_text(result.number)
    check(page)

    # 6. The lease is not renewed: the operator puts its own Solati in the coach's place.
    page.get_by_role("link", name="Danh sách xe").click()
    expect(page.locator('[name="vehicles.0.plate"]')).to_have_value(LEASED)
    # Only the coach whose badge falls due; its data refreshed from the vehicle register.
    expect(page.locator('[name="vehicles.1.plate"]')).to_have_count(0)
    expect(page.locator("#f-vehicles-0-chassis_no-source")).to_contain_text(f"Nguồn: {VEHICLES}")
    page.locator('[name="vehicles.0.plate"]').fill(OWN)
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    fetch_from_register(page, VEHICLES)
    expect(page.locator('[name="vehicles.0.chassis_no"]')).to_have_value("KMJWA37KBLU123456")
    check(page)
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 7. Documents: the registration is obtained, the earlier badge held; the request form
    #    is the one thing to give.
    expect(page.get_by_role("heading", name="Giấy đề nghị")).to_be_visible()
    section = page.locator("section.card", has=page.get_by_role("heading", name="Giấy đề nghị"))
    section.locator('input[type="file"]').set_input_files(str(scan))
    section.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="giay-de-nghi.pdf")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page).to_have_url(f"{base}/dossiers/{prepared.uuid}/delivery/")
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 8. Nothing goes without the operator's confirmation of what the agency prepared.
    page.locator("#declaration").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.locator("#confirm_prepared-error")).to_be_visible()
    assert Dossier.objects.get(pk=prepared.pk).status == Status.DRAFT
    check(page)
    page.locator("#declaration").check()
    page.get_by_label("Tôi đã kiểm tra hồ sơ do cơ quan chuẩn bị sẵn và đồng ý nộp").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    submitted = Dossier.objects.get(pk=prepared.pk)
    assert submitted.status == Status.SUBMITTED
    assert [v["plate"] for v in submitted.form_data["vehicles"]] == [OWN]
    assert submitted.proactive["confirmed_at"]
    check(page)

    # 9. The desk sees a dossier the agency started proactively.
    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    desk.goto(base + reverse("workflow:dossier", args=[submitted.uuid]))
    expect(desk.get_by_text("Khởi tạo chủ động")).to_be_visible()
    expect(desk.get_by_text(earlier.code).first).to_be_visible()
    assert_accessible(desk)
