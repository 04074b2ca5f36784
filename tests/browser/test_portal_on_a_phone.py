"""The public portal on a 390 × 844 phone and on a desktop: the header folds behind a menu
button, 'Hồ sơ của tôi' reflows into cards, codes stay whole, and axe finds nothing serious."""

import pytest
from playwright.sync_api import expect

from motcua.factories import (
    STANDARD_WORKFLOW,
    ComponentFactory,
    ProcedureFactory,
    UserFactory,
    make_submitted_dossier,
)
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-an-toan-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def applicant(catalogue, make_organisation):
    procedure = ProcedureFactory(
        code="9.000111",
        name="Cấp, cấp lại Phù hiệu cho xe ô tô, xe bốn bánh có gắn động cơ kinh doanh vận tải",
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu")
    make_organisation(procedure, STANDARD_WORKFLOW)
    user = UserFactory(full_name="Nguyễn Thị Hồng Nhung Phương", email="nhung@example.vn")
    for plate in ("75A-123.45", "75B-678.90", "75C-246.80"):
        make_submitted_dossier(procedure, user, plate=plate)
    return user


def log_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill(user.email)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def test_on_a_phone_the_header_folds_and_my_dossiers_fit_the_screen(page, live_server, applicant):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, applicant)
    page.goto(live_server.url + "/dossiers/")

    # The header: one line, the links behind the menu button.
    assert header_height(page) <= 100
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()

    # My dossiers: no sideways scrolling, each cell named, each code on one line.
    table = page.locator("table.table-stack")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    first_row = table.locator("tbody tr").first
    expect(first_row.locator("td").first).to_have_attribute("data-label", "Mã hồ sơ")
    codes = page.locator("table .token")
    expect(codes).to_have_count(3)
    for i in range(3):
        assert codes.nth(i).evaluate("el => el.getClientRects().length") == 1
        box = codes.nth(i).bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
    assert_accessible(page)

    # The menu opens with the keyboard, shows every link, and Escape closes it.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Hồ sơ của tôi")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Hồ sơ của tôi").focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()


def test_on_a_desktop_the_header_shows_every_link_and_my_dossiers_is_a_table(
    page, live_server, applicant
):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, applicant)
    page.goto(live_server.url + "/dossiers/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator("table.table-stack thead")).to_be_visible()
    assert header_height(page) <= 80
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_are_accessible_on_a_phone_and_a_desktop(
    page, live_server, catalogue, viewport
):
    page.set_viewport_size(viewport)
    base = live_server.url

    page.goto(base + "/")
    assert header_height(page) <= 100
    assert_accessible(page)

    page.get_by_label("Tìm thủ tục").fill("cap lai giay phep lai xe")
    page.get_by_role("button", name="Tìm kiếm").click()
    first = page.locator("#results .procedure-card").first
    expect(first.get_by_role("link")).to_have_text("Cấp lại giấy phép lái xe")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    page.goto(base + "/procedures/1.003747/")
    expect(page.get_by_text("Đã hết hiệu lực từ 01/07/2026", exact=False)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)


def test_without_javascript_the_menu_stays_open(browser, browser_context_args, live_server, db):
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "java_script_enabled": False}
    )
    page = context.new_page()
    page.goto(live_server.url + "/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("link", name="Tra cứu hồ sơ").first).to_be_visible()
    context.close()


def test_the_browser_finds_the_icon(page, live_server, db):
    page.goto(live_server.url + "/")
    response = page.request.get(live_server.url + "/favicon.ico")

    assert response.ok and response.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )
    href = page.locator('link[rel="icon"][type="image/svg+xml"]').get_attribute("href")
    assert page.request.get(live_server.url + href).ok
