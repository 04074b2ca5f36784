"""E-mail: an HTML part and a text part, through Django's mail backend (settings.EMAIL_*)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from motcua.notifications.channels import Channel, ChannelError, Message, Sent, channels


@channels.register("email")
class EmailChannel(Channel):
    label = "Thư điện tử"

    def address(self, user) -> str:
        return (user.email or "") if user is not None else ""

    def send(self, *, address: str, message: Message, reference: str) -> Sent:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"X-MotCua-Delivery": reference},
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(
                f"Địa chỉ bị từ chối: {exc}", code="refused", permanent=True
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"Máy chủ thư: {exc!r}"[:300], code="smtp") from exc
        return Sent(provider_ref=reference)
