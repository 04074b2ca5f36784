"""The notification centre in the portal (/notifications/): sending is showing it there, and
it is delivered at once. Every account has it; people without an account do not."""

from django.utils import timezone

from motcua.notifications.channels import Channel, Message, Sent, channels
from motcua.notifications.models import Notification


@channels.register("portal")
class PortalChannel(Channel):
    label = "Thông báo trên cổng"

    def address(self, user) -> str:
        return f"user:{user.pk}" if user is not None and user.pk else ""

    def send(self, *, address: str, message: Message, reference: str) -> Sent:
        Notification.objects.filter(deliveries__pk=int(reference), shown_at=None).update(
            shown_at=timezone.now()
        )
        return Sent(provider_ref=reference, delivered=True)
