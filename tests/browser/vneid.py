"""Sign in with VNeID in a browser test, through the sandbox identity provider.

The test sets settings.SITE_URL = live_server.url first (the provider and MotCua's plugin build
their URLs from it). A person the sandbox knows (core/sandbox/people.json) is signed in; the
first time, a citizen account is created from the verified claims.

    settings.SITE_URL = live_server.url
    sign_in_with_vneid(page, live_server, "046190012345")
"""

from django.conf import settings
from playwright.sync_api import expect

from motcua.core.sandbox import data


def sign_in_with_vneid(page, live_server, citizen_id: str, *, check=None) -> None:
    """From the login page to signed in. `check(page)` runs on each page on the way (axe)."""
    assert live_server.url == settings.SITE_URL, "set settings.SITE_URL = live_server.url first"
    from motcua.accounts.contrib.vneid import plugin

    plugin.forget_clients()  # the provider's keys belong to this test's database
    person = data.person(citizen_id)
    assert person is not None, f"{citizen_id} is not in core/sandbox/people.json"
    page.goto(live_server.url + "/accounts/login/")
    if check:
        check(page)
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử VNeID").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đăng nhập tài khoản định danh điện tử"
    )
    if check:
        check(page)
    page.get_by_label("Mật khẩu").fill(settings.SANDBOX_VNEID_PASSWORD)
    page.get_by_role("button", name=person["full_name"]).click()
    page.wait_for_url(lambda url: "/sandbox/vneid/" not in url)
    if "/accounts/vneid/continue/" in page.url:
        if check:
            check(page)
        page.get_by_role("button", name="Tạo tài khoản mới từ VNeID").click()
        page.wait_for_url(lambda url: "/accounts/vneid/continue/" not in url)
