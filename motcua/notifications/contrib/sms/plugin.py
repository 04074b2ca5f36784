"""The SMS channel: hands a notification to a brandname SMS provider (protocol.py).

Pointed at /sandbox/sms/api it talks to MotCua's own sandbox gateway; with a provider's URL,
key, secret and registered brandname it talks to the provider: configuration alone
(docs/notifications-sms.md, decision 0042).
"""

import json

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.notifications.channels import Channel, ChannelError, Message, Sent, channels
from motcua.notifications.contrib.sms import protocol


def api_url() -> str:
    return (settings.SMS_API_URL or f"{settings.SITE_URL}/sandbox/sms/api").rstrip("/")


@channels.register("sms")
class SmsChannel(Channel):
    label = _("Tin nhắn SMS")

    def address(self, user) -> str:
        return protocol.normalise_phone(user.phone or "") or ""

    def configured(self) -> bool:
        return bool(settings.SMS_API_KEY and settings.SMS_API_SECRET and settings.SMS_BRANDNAME)

    def content(self, message: Message) -> str:
        return protocol.fit(message.text, message.link, max_segments=settings.SMS_MAX_SEGMENTS)

    def send(self, *, address: str, message: Message, reference: str) -> Sent:
        if not self.configured():
            raise ChannelError("SMS chưa được cấu hình", code="config", permanent=True)
        phone = protocol.normalise_phone(address)
        if phone is None:
            raise ChannelError("Số điện thoại không hợp lệ", code="105", permanent=True)
        body = json.dumps(
            {
                "Brandname": settings.SMS_BRANDNAME,
                "Phone": phone,
                "Content": self.content(message),
                "RequestId": reference,
                "IsUnicode": 0,
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Api-Key": settings.SMS_API_KEY,
            **protocol.signed_headers(body, settings.SMS_API_SECRET),
        }
        try:
            response = requests.post(
                f"{api_url()}/send", data=body, headers=headers, timeout=settings.SMS_HTTP_TIMEOUT
            )
        except requests.RequestException as exc:  # timeouts, refused connections: try again
            raise ChannelError(f"SMS: {exc.__class__.__name__}", code="network") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ChannelError(f"SMS: HTTP {response.status_code}", code=str(response.status_code))
        try:
            answer = response.json()
            code = str(answer.get("CodeResult", ""))
        except (ValueError, AttributeError) as exc:
            raise ChannelError("SMS: câu trả lời không đọc được", code="format") from exc
        if code == protocol.SUCCESS:
            message_id = str(answer.get("SMSID") or "")
            if not message_id:
                raise ChannelError("SMS: thiếu SMSID trong câu trả lời", code="format")
            return Sent(provider_ref=message_id)
        meaning, permanent = protocol.CODES.get(code, ("Lỗi không rõ của nhà cung cấp", False))
        raise ChannelError(
            f"{meaning} ({code})" if code else meaning, code=code or "unknown", permanent=permanent
        )
