from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalPush(models.Model):
    """One status change of a dossier to be told to the national portal: one per outbox
    event. A dossier's pushes go out in the order of their events (event id), and one older
    than a push already sent is never sent; one that is not sent holds back those after it,
    so the portal's last word is the newest status."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_pushes"
    )
    event_id = models.PositiveBigIntegerField(unique=True, help_text="The outbox event's id.")
    message_id = models.CharField(max_length=64, unique=True)
    status = models.PositiveSmallIntegerField(_("trạng thái"))
    changed_at = models.DateTimeField(_("thời điểm thay đổi"))
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reference = models.CharField(_("mã tham chiếu của Cổng"), max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier_id", "id"]
        verbose_name = _("cập nhật trạng thái lên Cổng DVC quốc gia")
        verbose_name_plural = _("cập nhật trạng thái lên Cổng DVC quốc gia")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="portal_push_due"),
            models.Index(fields=["dossier", "state"], name="portal_push_dossier_state"),
        ]

    def __str__(self):
        return f"{self.dossier_id} → {self.status} ({self.state})"


class PortalSync(models.Model):
    """Where a dossier stands with the national portal: what the desk sees and retries."""

    class State(models.TextChoices):
        SYNCED = "synced", _("Đã đồng bộ")
        PENDING = "pending", _("Đang chờ đồng bộ")
        FAILED = "failed", _("Lỗi đồng bộ")

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_sync"
    )
    agency = models.ForeignKey("catalogue.Agency", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    last_status_sent = models.PositiveSmallIntegerField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reference = models.CharField(_("mã tham chiếu của Cổng"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đồng bộ với Cổng DVC quốc gia")
        verbose_name_plural = _("đồng bộ với Cổng DVC quốc gia")
        indexes = [models.Index(fields=["agency", "state"], name="portal_sync_agency_state")]

    def __str__(self):
        return f"{self.dossier_id}: {self.state}"
