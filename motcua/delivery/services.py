"""Sending results by post and following the parcel until it is delivered (DOMAIN.md section 8)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.events import ParcelDelivered, ParcelReturned
from motcua.core.outbox import publish
from motcua.delivery.carriers import CarrierError, DispatchRequest, StatusReport, get_carrier
from motcua.delivery.models import Shipment, ShipmentEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeline import record_event


class DeliveryUnavailable(Exception):
    """The result cannot be sent by post now; the message says why, for the officer."""


def active_shipment(dossier: Dossier) -> Shipment | None:
    return next((s for s in dossier.shipments.order_by("-created_at") if s.is_active), None)


def send_by_post(dossier: Dossier, actor) -> Shipment:
    """Book the dispatch of the result to the postal address given at submission.

    Called by the state machine with the dossier locked. The carrier is asked before the
    row is written; its idempotency key makes a retry after a lost answer book nothing new.
    """
    carrier = get_carrier()
    if carrier is None:
        raise DeliveryUnavailable(
            _(
                "Chưa cấu hình dịch vụ bưu chính (POSTAL_CARRIER); hãy trả kết quả tại bộ phận một cửa."
            )
        )
    if not dossier.postal_address:
        raise DeliveryUnavailable(_("Hồ sơ chưa có địa chỉ nhận kết quả qua bưu chính."))
    current = active_shipment(dossier)
    if current is not None:
        raise DeliveryUnavailable(
            _("Kết quả đã được gửi qua bưu chính, số hiệu bưu gửi %(number)s (%(state)s).")
            % {"number": current.tracking_number, "state": current.get_state_display()}
        )
    shipment = Shipment(
        dossier=dossier,
        carrier=carrier.id,
        recipient_name=dossier.applicant_name,
        recipient_phone=dossier.applicant_phone,
        address=dossier.postal_address,
        created_by=actor,
    )
    agency = dossier.receiving_agency
    try:
        shipment.tracking_number = carrier.book(
            DispatchRequest(
                reference=dossier.code,
                idempotency_key=str(shipment.idempotency_key),
                sender_name=agency.name,
                sender_address=agency.address,
                sender_phone=agency.phone,
                recipient_name=shipment.recipient_name,
                recipient_address=shipment.address,
                recipient_phone=shipment.recipient_phone,
                contents=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
            )
        )
    except CarrierError as exc:
        raise DeliveryUnavailable(
            _("Dịch vụ bưu chính chưa nhận yêu cầu (%(reason)s). Hãy thử lại sau.")
            % {"reason": exc}
        ) from exc
    shipment.state_at = timezone.now()
    shipment.save()
    return shipment


_FINAL = {Shipment.State.DELIVERED, Shipment.State.RETURNED}


def record_report(report: StatusReport) -> Shipment | None:
    """Apply a verified status report from the carrier, once.

    A report seen before changes nothing; a delivered parcel moves its dossier to status 10
    (đã trả kết quả); a parcel returned to sender goes back to the desk's hands.
    Returns None for an unknown tracking number.
    """
    found = Shipment.objects.filter(tracking_number=report.tracking_number).first()
    if found is None:
        return None
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=found.dossier_id)
        shipment = Shipment.objects.select_for_update().get(pk=found.pk)
        try:
            with transaction.atomic():
                ShipmentEvent.objects.create(
                    shipment=shipment,
                    carrier_status=report.carrier_status,
                    state=report.state,
                    reported_at=report.reported_at,
                    note=report.note,
                    payload=report.payload,
                )
        except IntegrityError:
            return shipment  # the same report again
        if shipment.state in _FINAL:
            return shipment  # nothing moves a parcel back from delivered or returned
        shipment.state = report.state
        shipment.state_at = report.reported_at or timezone.now()
        if report.state == Shipment.State.DELIVERED:
            shipment.delivered_at = shipment.state_at
        shipment.save()
        if report.state == Shipment.State.DELIVERED:
            # The workflow moves the dossier to status 10 (its synchronous subscriber).
            publish(
                ParcelDelivered.about(dossier, action="parcel_delivered", shipment_id=shipment.pk),
                subject=shipment,
            )
        elif report.state == Shipment.State.RETURNED:
            record_event(
                dossier=dossier,
                action="post_returned",
                from_status=dossier.status,
                note=_("Bưu gửi %(number)s không phát được, đã chuyển hoàn: %(note)s")
                % {"number": shipment.tracking_number, "note": report.note},
            )
            publish(
                ParcelReturned.about(dossier, action="post_returned", shipment_id=shipment.pk),
                subject=shipment,
            )
    return shipment
