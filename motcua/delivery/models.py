import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel


class Shipment(models.Model):
    """A result sent to the applicant by post (trả kết quả qua dịch vụ bưu chính công ích).

    One row per dispatch; a parcel returned to sender can be followed by a new dispatch.
    The idempotency key is sent with the order, so a retried request never books twice.
    """

    class State(models.TextChoices):
        BOOKED = "booked", _("Đã gửi yêu cầu chuyển phát")
        PICKED_UP = "picked_up", _("Bưu điện đã nhận bưu gửi")
        IN_TRANSIT = "in_transit", _("Đang phát")
        DELIVERED = "delivered", _("Đã phát thành công")
        RETURNED = "returned", _("Đã chuyển hoàn")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="shipments"
    )
    carrier = models.CharField(_("đơn vị bưu chính"), max_length=40)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=40, unique=True)
    recipient_name = models.CharField(max_length=300)
    recipient_phone = models.CharField(max_length=15, blank=True)
    address = models.CharField(_("địa chỉ nhận"), max_length=300)
    state = models.CharField(max_length=12, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "created_at", "id"]
        verbose_name = _("bưu gửi kết quả")
        verbose_name_plural = _("bưu gửi kết quả")
        indexes = [models.Index(fields=["dossier", "created_at"], name="shipment_dossier")]

    def __str__(self):
        return self.tracking_number

    @property
    def is_active(self) -> bool:
        return self.state != self.State.RETURNED


class ShipmentEvent(AppendOnlyModel):
    """What the postal service reported, as received (verified callbacks only)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    received_at = models.DateTimeField(auto_now_add=True)
    carrier_status = models.CharField(max_length=10)
    state = models.CharField(max_length=12, choices=Shipment.State.choices)
    reported_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            # The same report twice (a retried webhook) is stored once.
            models.UniqueConstraint(
                fields=["shipment", "carrier_status", "reported_at"],
                name="shipment_event_once",
            )
        ]

    def __str__(self):
        return f"{self.shipment_id} {self.carrier_status}"
