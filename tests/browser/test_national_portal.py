"""The national portal on a phone: the desk sees a dossier's sync state on its page, the portal
(sandbox) is down for a while, the desk sends again, and anyone looking the dossier up on the
portal's page sees its status. axe-core finds nothing serious; the pages fit a phone."""

import pytest
from playwright.sync_api import expect

from motcua.factories import ProcedureFactory, make_submitted_dossier
from motcua.nationalportal.contrib.sandbox import portal
from motcua.workflow.machine import perform
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_back_office_journey import officer_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def open_portal_lookup(page, base: str, code: str):
    """Look `code` up on the national portal's sandbox page (/sandbox/dvcqg/), as a citizen
    would on dichvucong.gov.vn; returns the locator of the status it shows now."""
    page.goto(f"{base}/sandbox/dvcqg/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_role("button", name="Tra cứu").click()
    return page.locator("#portal-status")


@pytest.fixture
def org(transactional_db, make_organisation):
    return make_organisation(ProcedureFactory(code="9.000555"))


@pytest.fixture
def portal_on(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.NATIONAL_PORTAL = "dvcqg"
    portal.set_outage(False)
    yield
    portal.set_outage(False)


def test_the_desk_sees_the_sync_and_the_portal_shows_the_status(
    org, citizen, portal_on, browser, browser_context_args, live_server
):
    dossier = make_submitted_dossier(org.procedure, citizen)
    portal.set_outage(True)  # the portal is down when the desk accepts the dossier
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)

    page = officer_page(browser, browser_context_args, live_server.url, org.desk_officer)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/officer/dossiers/{dossier.uuid}/")
    panel = page.get_by_role("region", name="Cổng Dịch vụ công quốc gia")
    expect(panel).to_contain_text("Đang chờ đồng bộ lên Cổng DVC quốc gia.")
    expect(panel).to_contain_text("MAINTENANCE")
    assert_accessible(page)
    assert_fits_the_screen(page)

    portal.set_outage(False)  # back up: the desk sends again rather than wait for the retry
    panel.get_by_role("button", name="Đồng bộ lại").click()
    expect(page.locator(".messages")).to_contain_text(
        "Đã gửi lại trạng thái của hồ sơ lên Cổng DVC quốc gia."
    )
    panel = page.get_by_role("region", name="Cổng Dịch vụ công quốc gia")
    expect(panel).to_contain_text("Đã đồng bộ lên Cổng DVC quốc gia lúc")
    expect(panel.get_by_role("button", name="Đồng bộ lại")).to_have_count(0)
    assert_accessible(page)

    status = open_portal_lookup(page, live_server.url, dossier.code)
    expect(status).to_contain_text("Đang xử lý")
    history = page.locator("#portal-history li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Mới đăng ký")
    expect(history.last).to_contain_text(org.desk_officer.full_name)
    assert_accessible(page)
    assert_fits_the_screen(page)
