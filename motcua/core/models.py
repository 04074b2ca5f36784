from django.conf import settings
from django.db import models, transaction
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


class ChainedQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """One INSERT per row: each is linked into its chain (a bulk INSERT would not be)."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            for obj in objs:
                obj.save(force_insert=True, using=self.db)
        return objs


class HashChained(models.Model):
    """Rows that form hash chains (motcua.core.chain, decision 0035), filled at INSERT.

    Put it before AppendOnlyModel in a model's bases and make the migration; the rows it
    already holds are chained by `motcua.core.chain.seal_existing` in that migration.
    `chain_by` names the field whose value keeps its own chain (the writer already holds that
    row, as the workflow holds a dossier; never empty); without it the rows spread over
    `chain_lanes` chains. `chain_time` is the field that dates a row (the daily digests, the reports).
    """

    chain_key = models.CharField(max_length=40, db_default="", editable=False)
    chain_seq = models.PositiveBigIntegerField(db_default=0, editable=False)
    chain_prev = models.CharField(max_length=64, db_default="", editable=False)
    chain_hash = models.CharField(max_length=64, db_default="", editable=False)

    chain_by: str | None = None
    chain_lanes: int = 16
    chain_time: str = "at"

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        if raw:  # fixtures and loaddata: stored as given
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        from motcua.core.chain import chained_insert

        return chained_insert(
            self,
            lambda: super(HashChained, self)._do_insert(
                manager, using, fields, returning_fields, raw=True
            ),
            fields,
            using,
        )


class ChainHead(models.Model):
    """The last row of one hash chain: its lock serialises the chain's writers.

    Only a help for writing: verify_audit trusts the rows, and reports a head that is ahead of
    them (rows deleted from the end of a chain) or behind them (rows added outside the app).
    """

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="core_chainhead_unique")
        ]

    def __str__(self):
        return f"{self.model} {self.key} #{self.seq}"


class AuditEntry(HashChained, AppendOnlyModel):
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
