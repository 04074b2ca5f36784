"""An applicant pays a fee through the PayGov sandbox on a phone: the procedure's agency pays
through PayGov, the page names it, the platform's page takes a bank or wallet, the signed
notification and return settle the payment (decision 0082)."""

import re

import pytest
from playwright.sync_api import expect

from motcua.catalogue.models import Agency
from motcua.factories import ComponentFactory, ProcedureFactory, UserFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import log_in
from tests.browser.test_level4_journey import WORKFLOW

pytestmark = pytest.mark.browser

PAYGOV_PAGE = re.compile(r"/sandbox/paygov/pay/\?")


def pay_with_paygov(page, *, bank="Vietcombank", choice="Thanh toán thành công", check=None):
    """On the PayGov sandbox's page: choose a bank or wallet and an outcome, confirm; back on
    MotCua's return page. `check(page)` runs on the platform's page first (axe, width)."""
    expect(page).to_have_url(PAYGOV_PAGE)
    expect(page.get_by_role("heading", name="Thanh toán qua PayGov (thử nghiệm)")).to_be_visible()
    if check is not None:
        check(page)
    page.get_by_label(re.compile(f"^{re.escape(bank)}")).check()
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    expect(page).to_have_url(re.compile(r"/payments/return/paygov/\?"))


@pytest.fixture
def fee_due_through_paygov(transactional_db, settings, live_server, make_organisation):
    settings.SITE_URL = live_server.url
    procedure = ProcedureFactory(
        code="9.000555", fee_schedule={"kind": "fixed", "amount": 150000, "label": "Lệ phí"}
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị", paper_form="original")
    make_organisation(procedure, WORKFLOW)  # the fee is due at submission
    # The agency (not the procedure) names PayGov: the procedure inherits it.
    Agency.objects.filter(pk=procedure.receiving_agency_id).update(payment_gateway="paygov")
    applicant = UserFactory(full_name="Lê Thị Hoa", phone="0935111222", email="hoa.le@example.vn")
    return procedure, applicant


def test_an_applicant_pays_through_paygov_on_a_phone(page, live_server, fee_due_through_paygov):
    from motcua.dossiers.tests.helpers import complete_draft
    from motcua.payments.models import Payment

    procedure, applicant = fee_due_through_paygov
    dossier = complete_draft(procedure, applicant)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/review/")
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Nộp phí, lệ phí ngay")).to_be_visible()

    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/")
    expect(
        page.get_by_text("Thanh toán qua Nền tảng thanh toán trực tuyến quốc gia (PayGov)")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Thanh toán trực tuyến").click()

    def on_the_platform(platform):
        expect(platform.locator("#paygov-amount")).to_have_text("150.000 ₫")
        assert_accessible(platform)
        assert_fits_the_screen(platform)

    pay_with_paygov(page, bank="VNPT Money", check=on_the_platform)
    expect(page.get_by_text("Đã thanh toán thành công").first).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Về trang hồ sơ").click()
    expect(page.get_by_role("link", name="Biên lai").first).to_be_visible()

    payment = Payment.objects.get(dossier=dossier)
    assert (payment.gateway, payment.status, payment.bank_code) == ("paygov", "paid", "VNPTMONEY")
    assert payment.settled_via in ("ipn", "poll")
    # The platform's signed notification reached MotCua and was acknowledged.
    from motcua.payments.contrib.paygov_sandbox.models import PayGovTransaction

    assert PayGovTransaction.objects.get().notified is True
