"""Issue 16's journey in real headless Chromium, every outside system a sandbox on the live
server speaking its protocol: a member of a transport company signs in with VNeID, applies for
the company for a vehicle badge whose form the business and vehicle registers fill (each value
with its source), the vehicle's registration obtained from the register rather than uploaded;
pays the fee through PayGov; the status reaches the national portal; a second member, who
follows, signs in with VNeID too and finds the same dossier.
"""

import pytest
from playwright.sync_api import expect

from motcua.accounts import members
from motcua.accounts.models import OrganisationMember
from motcua.accounts.tests.representation_helpers import APPLICANT_ID, FOLLOWER_ID, company
from motcua.catalogue.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.factories import PDF_BYTES
from motcua.nationalportal.contrib.sandbox import portal
from motcua.payments.models import Payment
from motcua.registers.models import Lookup
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_level4_journey import WORKFLOW
from tests.browser.test_national_portal import open_portal_lookup
from tests.browser.test_paygov_payment import pay_with_paygov
from tests.browser.test_registers_prefill import BUSINESS, VEHICLES, fetch_from_register
from tests.browser.vneid import sign_in_with_vneid

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
COMPANY = "Công ty TNHH Vận tải Hương Giang"


def check(page):
    assert_accessible(page)
    assert_fits_the_screen(page)


@pytest.fixture
def world(catalogue, settings, live_server, make_organisation):
    settings.SITE_URL = live_server.url  # every sandbox and every plugin meet here
    settings.NATIONAL_PORTAL = "dvcqg"
    portal.set_outage(False)
    badge = Procedure.objects.get(code="2.002288")
    # The badge is free in the national catalogue; this agency charges for it here so that
    # the journey pays. Its agency (Sở Xây dựng Huế) takes fees through PayGov (demo data).
    badge.fee_schedule = {"kind": "fixed", "amount": 50000, "label": "Phí cấp phù hiệu"}
    badge.save(update_fields=["fee_schedule"])
    org = make_organisation(badge, WORKFLOW)  # the fee is due at submission
    firm = company(email="lienhe@huonggiang.example.vn")
    firm.phone = "0905123456"  # the form's operator.phone comes from the profile
    firm.save(update_fields=["phone"])
    # The company's own account names its staff by their ID numbers; their accounts do not
    # exist yet: VNeID creates them and the memberships bind at sign-in.
    for citizen_id, name, role in (
        (APPLICANT_ID, "Nguyễn Minh Khoa", OrganisationMember.Role.APPLICANT),
        (FOLLOWER_ID, "Phạm Thị Lan", OrganisationMember.Role.FOLLOWER),
    ):
        members.member_add(
            organisation=firm, citizen_id=citizen_id, full_name=name, role=role, actor=firm
        )
    return badge, org, firm


def portal_status(page, base, code, expected):
    """The national portal's page for `code`, reloaded until the push (after commit, over
    HTTP) has arrived."""
    for _ in range(20):
        status = open_portal_lookup(page, base, code)
        if expected in (status.text_content() or ""):
            return status
        page.wait_for_timeout(500)
    return open_portal_lookup(page, base, code)


def test_a_member_signs_in_with_vneid_applies_for_the_company_pays_and_another_follows(
    page, live_server, world, tmp_path
):
    badge, org, firm = world
    base = live_server.url
    page.set_viewport_size(PHONE)
    scan = tmp_path / "giay-de-nghi.pdf"
    scan.write_bytes(PDF_BYTES)

    # 1. Nguyễn Minh Khoa signs in with VNeID: a new account from the verified claims.
    sign_in_with_vneid(page, live_server, APPLICANT_ID, check=check)

    # 2. He applies for the company; the operator comes from the business register at once.
    page.goto(f"{base}/procedures/{badge.code}/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Quý vị nộp hồ sơ cho ai?")).to_be_visible()
    check(page)
    page.get_by_role("radio", name=f"Cho {COMPANY}").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#acting-for")).to_contain_text(COMPANY)
    check(page)
    page.locator(".task-list a").first.click()
    expect(page.locator('[name="operator.name"]')).to_have_value(COMPANY)
    expect(page.locator('[name="operator.licence_no"]')).to_have_value("46-0123/GPKDVT")
    expect(page.locator("#f-operator-name-source")).to_contain_text(f"Nguồn: {BUSINESS}, lúc ")
    check(page)
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.get_by_label("Cấp mới").check()
    page.get_by_label("Xe hợp đồng").check()
    page.locator('[name="request.badges_requested"]').fill("1")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 3. A vehicle by its plate, from the vehicle register.
    page.locator('[name="vehicles.0.plate"]').fill("75B-012.34")
    page.locator('[name="vehicles.0.ownership"][value="owned"]').check()
    fetch_from_register(page, VEHICLES)
    expect(page.locator('[name="vehicles.0.chassis_no"]')).to_have_value("WF0XXXTTGXMK12345")
    expect(page.locator("#f-vehicles-0-chassis_no-source")).to_contain_text(
        f"Nguồn: {VEHICLES}, lúc "
    )
    check(page)
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 4. The registration certificate is obtained, not asked for; the request form is uploaded.
    expect(page.get_by_role("heading", name="Giấy tờ đính kèm")).to_be_visible()
    obtained = page.locator(".obtained-component")
    expect(obtained).to_contain_text(f"Cơ quan tự khai thác từ {VEHICLES}, quý vị không phải nộp.")
    registration = page.locator("section.card", has=obtained)
    expect(registration.locator('input[type="file"]')).to_have_count(0)  # nothing to upload
    check(page)
    section = page.locator("section.card", has=page.get_by_role("heading", name="Giấy đề nghị"))
    section.locator('input[type="file"]').set_input_files(str(scan))
    section.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="giay-de-nghi.pdf")).to_be_visible()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 5. Review (the sources are listed) and submit; the fee is due at once.
    expect(page.locator("#register-sources")).to_contain_text(f"Nguồn: {BUSINESS}")
    check(page)
    page.locator("#declaration").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Nộp phí, lệ phí ngay")).to_be_visible()
    dossier = Dossier.objects.get(procedure=badge)
    assert (dossier.applicant, dossier.submitted_by.citizen_id) == (firm, APPLICANT_ID)
    assert dossier.obtained.filter(register="vehicles").exists()
    assert dossier.prefill_sources["operator.name"]["register"] == "business"
    assert set(Lookup.objects.filter(dossier_id=dossier.pk).values_list("register", flat=True)) == {
        "business",
        "vehicles",
    }

    # 6. PayGov, the national payment platform, takes the fee.
    page.goto(f"{base}/dossiers/{dossier.uuid}/")
    expect(
        page.get_by_text("Thanh toán qua Nền tảng thanh toán trực tuyến quốc gia (PayGov)")
    ).to_be_visible()
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    pay_with_paygov(page, check=check)
    expect(page.get_by_text("Đã thanh toán thành công").first).to_be_visible()
    check(page)
    assert Payment.objects.get(dossier=dossier).status == "paid"

    # 7. The national portal has the dossier's statuses.
    status = portal_status(page, base, dossier.code, "Mới đăng ký")
    expect(status).to_contain_text("Mới đăng ký")
    expect(page.locator("#portal-history li").first).to_contain_text(
        "Chờ thực hiện nghĩa vụ tài chính"
    )
    check(page)

    # 8. Phạm Thị Lan, who follows the company's dossiers, signs in with VNeID and finds it.
    page.context.clear_cookies()
    sign_in_with_vneid(page, live_server, FOLLOWER_ID)
    page.goto(f"{base}/dossiers/")
    expect(page.get_by_role("link", name=dossier.code)).to_be_visible()
    check(page)
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator("#acting-for")).to_contain_text("chỉ theo dõi")
    expect(page.get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    check(page)
