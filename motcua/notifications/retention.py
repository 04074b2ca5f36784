"""Retention (decision 0058): what was told about a purged dossier keeps its kind, dates and
delivery states, and loses its texts and the addresses it was sent to."""

from motcua.core.retention import purgers
from motcua.notifications.models import Delivery, Notification


@purgers.register("notifications")
def purge_notifications(dossier_ids: list[int], files: list) -> dict[str, int]:
    texts = (
        Notification.objects.filter(dossier_id__in=dossier_ids)
        .exclude(title="", text="", html="", sms="")
        .update(title="", text="", html="", sms="")
    )
    addresses = (
        Delivery.objects.filter(notification__dossier_id__in=dossier_ids)
        .exclude(address="")
        .update(address="")
    )
    return {"notifications.texts": texts, "notifications.addresses": addresses}
