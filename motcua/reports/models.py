"""The facts the statistics are computed from (decision 0056).

One DossierFact per dossier that was submitted, denormalised so that every indicator and
the period table are one indexed scan of this table. No personal data, and no foreign key:
ids are plain integers, so that purging a dossier's personal data (or the dossier) never
touches its fact, and the figures of past periods stay identical.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    class Ending(models.TextChoices):
        OPEN = "", _("Đang giải quyết")
        PROCESSED = "processed", _("Đã xử lý xong")  # approved, result not yet returned
        RETURNED = "returned", _("Đã trả kết quả")
        STOPPED = "stopped", _("Dừng xử lý")
        WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")
        REFUSED = "refused", _("Không được tiếp nhận")

    class Timeliness(models.TextChoices):
        NONE = "", _("Chưa kết thúc")
        EARLY = "early", _("Trước hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Trễ hạn")

    dossier_id = models.BigIntegerField(primary_key=True)
    status = models.PositiveSmallIntegerField()
    # Where: the receiving agency, and the chain of its ancestors as "/root/.../agency/", so
    # that "an agency with its sub-agencies" is one prefix match.
    agency_id = models.BigIntegerField()
    agency_path = models.CharField(max_length=200)
    sector_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    procedure_code = models.CharField(max_length=40)
    channel = models.CharField(max_length=8)
    # When: submitted (status 1), received (accepted, status 2: the period table counts it
    # from here), the due date in force (latest), the first appointment, the due date the
    # on-time class is judged against (before any apology's new appointment), the end.
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    legal_due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=Ending.choices, blank=True, default="")
    timeliness = models.CharField(max_length=8, choices=Timeliness.choices, blank=True, default="")
    # Working days from reception to the end, supplement pauses excluded.
    processing_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    extended = models.BooleanField(default=False)
    fee_charged = models.BooleanField(default=False)  # a charge of more than 0 VND was made
    paid_online = models.BooleanField(default=False)
    electronic_result = models.BooleanField(default=False)
    reused_data = models.BooleanField(default=False)  # answers prefilled from national data
    # Every required component of the procedure is on record as an electronic file (uploaded
    # online or scanned at the desk): decision 0059.
    digitised = models.BooleanField(null=True)
    rated = models.BooleanField(default=False)
    rated_negative = models.BooleanField(null=True)
    # A feedback or petition (phản ánh, kiến nghị) was filed about this dossier; kept from
    # the PetitionChanged events, like the rating (reports may not read feedback's tables).
    complained = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("view_national", "Xem thống kê toàn quốc")]
        # The figures read the aggregates (decision 0060); these serve the recount of one
        # procedure's day: received, ended or falling due that day.
        indexes = [
            models.Index(fields=["procedure_id", "received_at"], name="fact_procedure"),
            models.Index(fields=["procedure_id", "ended_at"], name="fact_procedure_ended"),
            models.Index(fields=["procedure_id", "legal_due_at"], name="fact_procedure_due"),
            # Dossiers still open: "in progress at the end" and "carried over" of a current
            # period read only these.
            models.Index(
                fields=["received_at", "agency_path"],
                name="fact_open",
                condition=models.Q(ended_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"fact {self.dossier_id}"

    def save(self, *args, **kwargs):
        """Saved facts keep their aggregates right: the groups the fact left and the groups
        it is in now are recounted (decision 0060)."""
        from motcua.reports.aggregates import aggregate_state, touch_groups

        before = None
        if not self._state.adding:
            before = aggregate_state(DossierFact.objects.filter(pk=self.pk).first())
        super().save(*args, **kwargs)
        touch_groups(before, aggregate_state(self))

    def delete(self, *args, **kwargs):
        from motcua.reports.aggregates import aggregate_state, touch_groups

        before = aggregate_state(self)
        result = super().delete(*args, **kwargs)
        touch_groups(before, None)
        return result


class Export(models.Model):
    """A file of the period table and the indicators, built in the background for the one
    who asked for it (decision 0064). Deleted with its file after REPORTS_EXPORT_KEEP_DAYS."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (XLSX), theo mẫu biểu")
        CSV = "csv", _("CSV (UTF-8)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo tệp")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không thành công")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    # The filter: {"period": Period.key, "agency": id|None, "sector": id|None, "procedure":
    # code, "channel": ...} and "query", the ReportFilter's query string (a link back).
    parameters = models.JSONField(default=dict)
    description = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="reports/exports/", blank=True, max_length=200)
    filename = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_requester"),
            models.Index(fields=["created_at"], name="export_created"),
        ]

    def __str__(self):
        return f"export {self.uuid}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# ---------------------------------------------------------------------------------------
# Aggregates (decision 0060): what the statistics read. Recounted from the facts per
# (procedure, day), never incremented; the monthly rows are the sums of the daily ones.


class AggregateGroup(models.Model):
    agency_id = models.BigIntegerField()
    agency_path = models.CharField(max_length=200)
    sector_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    procedure_code = models.CharField(max_length=40)
    channel = models.CharField(max_length=8)

    class Meta:
        abstract = True


class AggregateCounts(AggregateGroup):
    # Of the dossiers received (accepted) that day.
    received = models.IntegerField(default=0)
    fee_charged = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)  # of the fee-charged ones
    reused = models.IntegerField(default=0)
    # Of the dossiers that ended that day.
    closed = models.IntegerField(default=0)  # received ones, any ending: no longer open
    resolved = models.IntegerField(default=0)  # processed, returned, stopped (received or not)
    resolved_early = models.IntegerField(default=0)  # these three: received ones only
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    days_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    days_count = models.IntegerField(default=0)
    electronic_result = models.IntegerField(default=0)
    digitised_electronic = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)  # rated negatively or complained about
    # Overdue at a moment = Σ before it (became_overdue − overdue_closed).
    became_overdue = models.IntegerField(default=0)
    overdue_closed = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyAggregate(AggregateCounts):
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "procedure_id"], name="agg_day"),
            models.Index(
                fields=["agency_path", "day"],
                name="agg_day_path",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.procedure_code} {self.agency_path} {self.channel}"


class MonthlyAggregate(AggregateCounts):
    month = models.DateField()  # its first day

    class Meta:
        indexes = [
            models.Index(fields=["month", "procedure_id"], name="agg_month"),
            models.Index(
                fields=["agency_path", "month"],
                name="agg_month_path",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.month} {self.procedure_code} {self.agency_path} {self.channel}"


class DailyHistogram(AggregateGroup):
    """Resolved dossiers with a processing time, by whole working days (rounded up)."""

    day = models.DateField()
    days = models.IntegerField()
    count = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "procedure_id"], name="hist_day")]

    def __str__(self):
        return f"{self.day} {self.procedure_code} {self.agency_path} {self.channel}"


class MonthlyHistogram(AggregateGroup):
    month = models.DateField()
    days = models.IntegerField()
    count = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "procedure_id"], name="hist_month")]

    def __str__(self):
        return f"{self.month} {self.procedure_code} {self.agency_path} {self.channel}"


# The internal scores and petition facts (decision 0061) live in their own module.
from motcua.reports.scoring_models import (  # noqa: E402, F401
    DossierScore,
    OfficerScore,
    PetitionFact,
    UnitScore,
)
