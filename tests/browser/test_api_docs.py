"""The API's docs page in real headless Chromium (decision 0068): Swagger UI renders the
operations from the schema under the site's Content-Security-Policy (nothing refused), in
Vietnamese and, after the switch, in English; axe-core finds nothing serious."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}


def test_an_integrator_reads_the_api_docs(page, live_server, transactional_db):
    refused = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/api/docs/")
    heading = page.get_by_role("heading", level=1).first  # Swagger UI's title is another
    expect(heading).to_have_text("Tài liệu API cho hệ thống tích hợp")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/statistics/")
    expect(operation).to_be_visible(timeout=20000)
    expect(page.get_by_text("Chỉ số theo Quyết định 766 của cơ quan")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="English", exact=True).click()
    expect(heading).to_have_text("API documentation for integrated systems")
    expect(page.get_by_text("The agency's Decision 766 indicators")).to_be_visible(timeout=20000)
    assert_accessible(page)
    assert refused == []
