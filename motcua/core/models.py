from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("This record is append-only.")

    def delete(self):
        raise PermissionError("This record is append-only.")


class AppendOnlyModel(models.Model):
    """A row written once and never changed (audit trail, dossier events).

    The guard here stops the ORM; on PostgreSQL a trigger stops everything else.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("This record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This record is append-only.")


class AuditEntry(AppendOnlyModel):
    """Who did what, and when (nhật ký hệ thống), for actions outside a dossier's own timeline."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=128, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "bản ghi nhật ký"
        verbose_name_plural = "nhật ký hệ thống"

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.target}"


class BenchProbe(models.Model):
    """A one-column table used only by the benchmark ceiling endpoint (BENCH_ENDPOINTS)."""

    at = models.DateTimeField(auto_now_add=True)
    value = models.CharField(max_length=64)

    def __str__(self):
        return self.value


class OutboxEvent(models.Model):
    """A domain event written in the transaction that made it happen (the transactional
    outbox), and what is left of delivering it to its asynchronous subscribers.

    `pending` holds the names of the subscribers still to run; `next_attempt_at` is when the
    next try is due (NULL once nothing is left). A delivery claims the row by moving
    `attempts` on in one conditional UPDATE, so two workers never run the same subscriber
    for the same event at the same time (motcua.core.outbox).
    """

    name = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    pending = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="core_outbox_due",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
            models.Index(fields=["name", "created_at"], name="core_outbox_name"),
        ]
        verbose_name = "sự kiện (outbox)"
        verbose_name_plural = "sự kiện (outbox)"

    def __str__(self):
        return f"{self.name} #{self.pk}"


class RejectedCall(models.Model):
    """How many calls from outside systems (payment notifications and returns, postal
    webhooks) were refused, per source, kind, reason and day: one row counted up, so a flood
    of forged calls costs a number, not a table (motcua.core.rejected_calls)."""

    day = models.DateField()
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    reason = models.CharField(max_length=20)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "source", "kind", "reason"]
        verbose_name = "cuộc gọi bị từ chối (đếm theo ngày)"
        verbose_name_plural = "cuộc gọi bị từ chối (đếm theo ngày)"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "kind", "reason"], name="rejected_call_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.source} {self.kind} {self.reason}: {self.count}"


class RejectedCallSample(models.Model):
    """One of the most recent refused calls, cut short, to see what is being sent: only the
    last REJECTED_CALL_SAMPLES are kept."""

    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    reason = models.CharField(max_length=20)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    params = models.JSONField(default=dict)

    class Meta:
        ordering = ["-id"]
        verbose_name = "mẫu cuộc gọi bị từ chối"
        verbose_name_plural = "mẫu cuộc gọi bị từ chối"

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.source} {self.kind} {self.reason}"
