"""Retention (decision 0058): shipments keep their carrier, tracking number and states, and
lose the recipient's name, phone and address."""

from motcua.core.retention import purgers
from motcua.delivery.models import Shipment


@purgers.register("delivery")
def purge_shipments(dossier_ids: list[int], files: list) -> dict[str, int]:
    count = (
        Shipment.objects.filter(dossier_id__in=dossier_ids)
        .exclude(recipient_name="", recipient_phone="", address="")
        .update(recipient_name="", recipient_phone="", address="")
    )
    return {"delivery.shipments": count}
