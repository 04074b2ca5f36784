"""Returning the result (trả kết quả): at the desk, online, or by post until the carrier
reports the parcel delivered."""

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.events import DossierSentByPost
from motcua.core.money import format_vnd
from motcua.delivery.services import DeliveryUnavailable, send_by_post
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.timeline import record_event
from motcua.payments.charges import outstanding_amount
from motcua.workflow.actions.base import TransitionRefused
from motcua.workflow.actions.inputs import DeliveredInput, NoteInput


def return_result(act, dossier, actor, data: NoteInput):
    due = outstanding_amount(dossier)
    if due:
        raise TransitionRefused(
            _("Người nộp còn %(amount)s đồng phí, lệ phí chưa nộp; chưa trả kết quả được.")
            % {"amount": format_vnd(due)}
        )
    note = data.note.strip()
    if dossier.delivery_method == Dossier.Delivery.POST:
        shipment = _send_by_post(dossier, actor, note)
        return {"event_type": DossierSentByPost, "shipment_id": shipment.pk}
    now = timezone.now()
    dossier.status = Status.RETURNED
    dossier.returned_at = now
    how = dossier.get_delivery_method_display() if dossier.delivery_method else ""
    record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.PROCESSED,
        note=" ".join(p for p in (_("Đã trả kết quả."), how, note) if p),
    )


def _send_by_post(dossier, actor, note):
    """By post the dossier stays processed (9) until the carrier reports it delivered (10)."""
    try:
        shipment = send_by_post(dossier, actor)
    except DeliveryUnavailable as exc:
        raise TransitionRefused(str(exc)) from exc
    record_event(
        dossier=dossier,
        action="send_by_post",
        actor=actor,
        from_status=Status.PROCESSED,
        note=" ".join(
            p
            for p in (
                _("Đã gửi kết quả qua bưu chính, số hiệu bưu gửi %(number)s.")
                % {"number": shipment.tracking_number},
                note,
            )
            if p
        ),
        data={"shipment": shipment.pk, "tracking_number": shipment.tracking_number},
    )
    return shipment


def delivered(act, dossier, actor, data: DeliveredInput):
    shipment = data.shipment
    dossier.status = Status.RETURNED
    dossier.returned_at = shipment.delivered_at or timezone.now()
    record_event(
        dossier=dossier,
        action=act.event_name,
        from_status=Status.PROCESSED,
        note=_("Bưu điện đã phát kết quả cho người nhận (số hiệu bưu gửi %(number)s).")
        % {"number": shipment.tracking_number},
        data={"shipment": shipment.pk},
    )
