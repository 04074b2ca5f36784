"""The demo's phone: an SMS sent by the channel over HTTP arrives on /sandbox/sms/, with its
delivery report, readable on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from motcua.notifications.channels import Message, channels
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_an_sms_arrives_on_the_sandbox_phone_at_390_px(
    page, live_server, settings, transactional_db
):
    settings.SITE_URL = live_server.url
    sms = channels["sms"]
    for number, reference in (("0935 123 456", "d-1"), ("0935120000", "d-2")):
        sms.send(
            address=number,
            message=Message(
                subject="",
                text="Hồ sơ của bạn đã được tiếp nhận, hẹn trả ngày 14/11/2025.",
                link=f"{live_server.url}/ho-so/abc",
            ),
            reference=reference,
        )

    # The gateway's signed reports came back over HTTP: one event each, for the deliveries.
    from motcua.core.models import OutboxEvent

    reported = OutboxEvent.objects.filter(name="notification.delivery_reported")
    assert sorted(e.payload["delivered"] for e in reported) == [False, True]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/sandbox/sms/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Điện thoại thử nghiệm (sandbox)")
    page.get_by_label("Số điện thoại").fill("0935 123 456")
    page.get_by_role("button", name="Xem tin nhắn").click()
    message = page.locator("article")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("Ho so cua ban da duoc tiep nhan, hen tra ngay 14/11/2025.")
    expect(message).to_contain_text("Đã đến máy")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_label("Số điện thoại").fill("0935120000")
    page.get_by_role("button", name="Xem tin nhắn").click()
    expect(page.locator("article")).to_contain_text("Thuê bao không liên lạc được")
    page.get_by_label("Số điện thoại").fill("123")
    page.get_by_role("button", name="Xem tin nhắn").click()
    expect(page.get_by_text("Nhập số di động Việt Nam gồm 10 chữ số")).to_be_visible()
    assert_accessible(page)
