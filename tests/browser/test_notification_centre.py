"""The notification centre in real headless Chromium: the unread badge, marking read, and
no accessibility failure at desktop width and at 390 px."""

import pytest
from playwright.sync_api import expect

from motcua.factories import UserFactory
from motcua.notifications import services
from tests.browser.conftest import assert_accessible, open_menu

pytestmark = pytest.mark.browser


def test_the_centre_shows_unread_notifications_and_marks_them_read(
    page, live_server, transactional_db
):
    citizen = UserFactory(full_name="Phạm Thị Dung")
    for code in ("H01-0001", "H01-0002"):
        services.notify(
            source=f"browser:{code}",
            kind="status_changed",
            context={"code": code, "name": citizen.full_name, "status": "Đang xử lý"},
            user=citizen,
            link="/",
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill(citizen.email)
    page.locator('[name="password"]').fill("Mat-khau-an-toan-2026")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Thông báo 2 chưa đọc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    expect(page.get_by_role("heading", name="Chưa đọc Hồ sơ H01-0002: Đang xử lý")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    open_menu(page)  # at 390 px the header's links fold behind the menu button
    expect(page.get_by_role("link", name="Thông báo", exact=True)).to_be_visible()
    expect(page.get_by_text("Chưa đọc", exact=True)).to_have_count(0)
    assert_accessible(page)
