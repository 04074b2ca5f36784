"""The error summary of a form section on a phone: it names and links each field, and takes
the focus when the page loads (decision 0050)."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers import services
from motcua.factories import ComponentFactory, ProcedureFactory, UserFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_back_office_journey import log_in
from tests.browser.test_level4_journey import WORKFLOW

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(transactional_db):
    applicant = UserFactory(full_name="Lê Thị Hoa", phone="0935111222", email="hoa.le@example.vn")
    procedure = ProcedureFactory(code="9.000333")
    return services.dossier_start(procedure=procedure, applicant=applicant), applicant


@pytest.mark.parametrize("width", [1280, 390])
def test_the_error_summary_names_and_links_each_field(page, live_server, draft, width):
    dossier, applicant = draft
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/form/applicant/")
    page.locator('[name="applicant.full_name"]').fill("")
    page.locator('[name="applicant.phone"]').fill("12")
    page.locator('[name="applicant.birth_date"]').fill("31/02/1990")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Họ và tên: Trường này là bắt buộc.",
            "Số điện thoại: Giá trị không đúng định dạng.",
            "Ngày sinh: Ngày 31/02/1990 không có thật: kiểm tra lại ngày và tháng.",
        ]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows
    assert_accessible(page)

    links.nth(2).click()
    expect(page.locator("#f-applicant-birth_date")).to_be_focused()
    expect(page.locator("#f-applicant-birth_date")).to_have_value("31/02/1990")
    expect(page.get_by_label("Ngày sinh")).to_be_in_viewport()


@pytest.fixture
def fee_due_now(transactional_db, settings, live_server, make_organisation):
    settings.SITE_URL = live_server.url
    procedure = ProcedureFactory(
        code="9.000444", fee_schedule={"kind": "fixed", "amount": 190000, "label": "Lệ phí"}
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu", paper_form="original")
    make_organisation(procedure, WORKFLOW)  # the fee is due at submission
    applicant = UserFactory(full_name="Lê Thị Hoa", phone="0935111222", email="hoa.le@example.vn")
    return procedure, applicant


def test_the_declaration_error_and_the_fee_due_now_on_a_phone(page, live_server, fee_due_now):
    """The review page's declaration error is in a summary at the top; the confirmation page
    says the fee is due now, with the amount and the pay button (axe at 390 px)."""
    from motcua.dossiers.tests.helpers import complete_draft

    procedure, applicant = fee_due_now
    dossier = complete_draft(procedure, applicant)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/review/")
    expect(page.get_by_text("Phải nộp ngay khi nộp hồ sơ: 190.000 ₫")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Lời cam đoan: Xác nhận lời cam đoan trước khi nộp hồ sơ."]
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("Tôi cam đoan")).to_be_focused()
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Nộp phí, lệ phí ngay")).to_be_visible()
    expect(page.get_by_text("190.000 ₫").first).to_be_visible()
    expect(page.get_by_role("button", name="Thanh toán trực tuyến")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
