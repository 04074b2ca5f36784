"""The officer sees the document an action issues, and the due date it sets, before
confirming it (decision 0053): the desk accepts with the receipt slip on screen, the leader
approves with the result on screen. axe-core at desktop width and at 390 px."""

import pytest
from playwright.sync_api import expect

from motcua.factories import ComponentFactory, ProcedureFactory, make_submitted_dossier
from motcua.results.models import ResultDocument
from motcua.workflow import machine
from tests.browser.conftest import assert_accessible
from tests.browser.test_back_office_journey import WORKFLOW, officer_page

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, make_organisation, citizen):
    procedure = ProcedureFactory(
        code="9.000222", name="Cấp phù hiệu xe ô tô kinh doanh vận tải", processing_time=2
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu")
    org = make_organisation(procedure, WORKFLOW)
    return org, make_submitted_dossier(procedure, citizen)


def watch_policy(page) -> list[str]:
    """The Content-Security-Policy refusals the page reports from now on."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def check_both_widths(page):
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_accept_and_approve_show_the_document_before_issuing(
    browser, browser_context_args, live_server, world
):
    org, dossier = world
    base = live_server.url

    desk = officer_page(browser, browser_context_args, base, org.desk_officer)
    refused = watch_policy(desk)
    desk.goto(f"{base}/officer/dossiers/{dossier.uuid}/")
    desk.get_by_role("link", name="Tiếp nhận hồ sơ", exact=True).click()
    expect(desk.locator("#preview-due")).to_contain_text("Hạn trả kết quả:")
    expect(desk.locator("#preview-unit")).to_contain_text("Phòng Quản lý vận tải")
    slip = desk.frame_locator("iframe.document-preview")
    expect(slip.get_by_text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")).to_be_visible()
    expect(slip.get_by_text("Nguyễn Văn An").first).to_be_visible()
    due = desk.locator("#preview-due").inner_text().split(": ", 1)[1]  # "09:00 ngày 09/12/2026"
    check_both_widths(desk)
    desk.get_by_role("button", name="Xác nhận: Tiếp nhận hồ sơ").click()
    expect(desk.locator(".alert-success")).to_contain_text(f"Hạn trả kết quả: {due}")
    expect(desk.locator(".alert-success")).to_contain_text("Phòng Quản lý vận tải")

    machine.perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)

    leader = officer_page(browser, browser_context_args, base, org.leader)
    refused_on_approve = watch_policy(leader)
    leader.goto(f"{base}/officer/dossiers/{dossier.uuid}/")
    leader.get_by_role("link", name="Phê duyệt kết quả", exact=True).click()
    result = leader.frame_locator("iframe.document-preview")
    expect(result.get_by_text("BẢN XEM TRƯỚC – CHƯA BAN HÀNH")).to_be_visible()
    expect(result.get_by_text("Nguyễn Văn An").first).to_be_visible()
    assert not ResultDocument.objects.filter(dossier=dossier).exists()
    check_both_widths(leader)
    leader.get_by_role("button", name="Xác nhận: Phê duyệt kết quả").click()
    expect(leader.locator(".alert-success")).to_contain_text("Kết quả đã được ký số")
    signed = ResultDocument.objects.get(dossier=dossier)
    expect(leader.locator(f'a[href="/results/{signed.pk}/download/"]')).to_be_visible()
    # The documents' own styles applied in their frames; nothing else was let through.
    assert refused == [] and refused_on_approve == []
