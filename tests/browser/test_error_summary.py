"""The error summary of a form section on a phone: it names and links each field, and takes
the focus when the page loads (decision 0050)."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers import services
from motcua.factories import ProcedureFactory, UserFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_back_office_journey import log_in

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
