import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Agency, Component, Procedure
from motcua.core.models import AppendOnlyModel, HashChained


class Status(models.IntegerChoices):
    """Dossier statuses with the national portal's codes (DOMAIN.md section 4); 0 is a draft."""

    DRAFT = 0, _("Bản nháp")
    SUBMITTED = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Đã tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    AWAITING_PAYMENT = 6, _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


# The applicant may ask to withdraw a dossier in these (the machine's "request_withdrawal").
WITHDRAWABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
    }
)

OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
        Status.WITHDRAWAL_REQUESTED,
    }
)

# Ended for the applicant: not accepted, stopped (withdrawn too), result returned.
ENDED_STATUSES = frozenset({Status.NOT_ACCEPTED, Status.STOPPED, Status.RETURNED})


def untouched_prepared() -> models.Q:
    """Drafts the agency prepared (proactive services, decision 0085) that the person has not
    changed since: updated_at still at prepared_at. They do not count against the person's
    limits (dossiers.quotas) and are deleted at their own date (dossiers.expiry); once
    changed they are ordinary drafts. Dossier.is_untouched_prepared says it of one."""
    return models.Q(prepared_at__isnull=False, updated_at__lte=models.F("prepared_at"))


def choice_label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Dossier(models.Model):
    """An application and its file (hồ sơ), from draft to returned result."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Trực tuyến")
        COUNTER = "counter", _("Trực tiếp tại Bộ phận Một cửa")
        POST = "post", _("Qua dịch vụ bưu chính")

    class Delivery(models.TextChoices):
        ONLINE = "online", _("Nhận kết quả trực tuyến")
        COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
        POST = "post", _("Nhận qua bưu chính")

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # No single-column indexes on procedure, applicant, receiving_agency and current_unit:
    # the composite indexes in Meta lead with them. Each index is written on every
    # submission and hand-over (a dossier UPDATE is not HOT: it changes indexed columns).
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", db_index=False
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers", db_index=False
    )
    receiving_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.DRAFT)
    code = models.CharField(_("mã hồ sơ"), max_length=48, unique=True, null=True, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    form_data = models.JSONField(default=dict, blank=True)
    # Size of form_data as compact UTF-8 JSON, kept so an account's drafts are summed in SQL
    # for its quota (motcua/dossiers/quotas.py) without reading their answers.
    # db_default: rows written outside the ORM (bench/load_dossiers.py COPY) are not drafts.
    form_bytes = models.PositiveIntegerField(default=0, db_default=0)
    prefill_sources = models.JSONField(default=dict, blank=True)
    delivery_method = models.CharField(max_length=8, choices=Delivery.choices, blank=True)
    postal_address = models.CharField(max_length=300, blank=True)
    # Snapshot of who applied, taken at submission: tracking checks against it.
    applicant_name = models.CharField(max_length=300, blank=True)
    applicant_phone = models.CharField(max_length=15, blank=True)
    applicant_id_number = models.CharField(max_length=14, blank=True)
    applicant_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)

    # Back-office handling (workflow). The dossier follows the workflow version it was
    # submitted under; `step_key` names the step it is at and `current_unit` the unit
    # (with `current_role`) that must act now, kept in columns so inboxes are one index scan.
    workflow = models.ForeignKey(
        "workflow.Workflow", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_key = models.CharField(max_length=40, blank=True)
    current_unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    current_role = models.CharField(max_length=16, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The desk officer who registered a counter or postal dossier.",
    )
    # Who acted for the applicant of record (decision 0077): the person who started the
    # draft and the one who submitted it, and under what (their own account, a membership of
    # the organisation, a letter of authorisation), as it stood at submission (at creation
    # while a draft). Timeline events keep their own actor.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    acted_via = models.CharField(
        max_length=16,
        blank=True,
        db_default="",
        choices=[
            ("self", _("chính mình")),
            ("member", _("thành viên tổ chức")),
            ("authorisation", _("theo giấy ủy quyền")),
        ],
    )
    acting_member = models.ForeignKey(
        "accounts.OrganisationMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    acting_authorisation = models.ForeignKey(
        "accounts.Authorisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    # While the clock is paused (supplement, payment where the law says so) the working time
    # that was left is kept here and given back when the clock restarts.
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    remaining_seconds = models.PositiveIntegerField(null=True, blank=True)
    resume_status = models.PositiveSmallIntegerField(null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    open_tasks = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every transition: a page acting on an older version is told what changed.
    version = models.PositiveIntegerField(default=0)
    # Folded (accent-free, lower-case) applicant name, ID numbers, phone and plates for search.
    search_text = models.TextField(blank=True)
    # When the applicant was told that this draft will expire (motcua/dossiers/expiry.py).
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    # Proactive services (issue 17, decision 0084): 1 when started from a reminder's link,
    # 2 when prepared by the agency from the earlier dossier and the registers, 3 when also
    # recommended among procedures with the same result; 0 when the person started it.
    proactive_level = models.PositiveSmallIntegerField(default=0, db_default=0)
    # A draft prepared by the agency: when, from which earlier dossier, until when it is kept
    # unless the person takes it up, and what the preparation did:
    # {"reminder": uuid, "rule_id", "result_id", "fields_prefilled": n,
    #  "components_held": n, "recommended": code, "alternatives": [{...}], "confirmed_at"}.
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepared_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    prepared_expires_at = models.DateTimeField(null=True, blank=True)
    proactive = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, output_field=models.JSONField())
    )
    # When its personal data and files were removed, past its procedure's retention period
    # (motcua/dossiers/retention.py, decision 0058); the row stays for statistics.
    purged_at = models.DateTimeField(_("xoá dữ liệu cá nhân lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["applicant", "-updated_at"], name="dossier_applicant_recent"),
            models.Index(
                fields=["receiving_agency", "status", "submitted_at"], name="dossier_agency_status"
            ),
            models.Index(fields=["procedure", "submitted_at"], name="dossier_procedure_submitted"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            models.Index(fields=["current_unit", "status", "due_at"], name="dossier_unit_queue"),
            # The inbox: one unit and role, soonest due first, only the statuses queues show
            # (1, 4, 5, 6, 7, 9): a small partial index read in order and stopped at a page.
            models.Index(
                fields=["current_unit", "current_role", "due_at", "status"],
                name="dossier_inbox_due",
                condition=models.Q(status__in=[1, 4, 5, 6, 7, 9]),
            ),
            # The "all" tab, soonest due first (read backwards for latest due): without it
            # PostgreSQL sorted the 740,000 dossiers a busy unit may see (1.1 s).
            models.Index(
                fields=["due_at", "id"], name="dossier_due_order", condition=~models.Q(status=0)
            ),
            # Drafts by last change, for their expiry and its reminder.
            models.Index(
                fields=["updated_at"], name="dossier_draft_updated", condition=models.Q(status=0)
            ),
            # The proactive figures (reports.proactive): the few dossiers started proactively,
            # without reading the others.
            models.Index(
                fields=["created_at"],
                name="dossier_proactive",
                condition=models.Q(proactive_level__gte=1),
            ),
            # The desk's "new" queue, oldest submission first: read in order, not sorted.
            models.Index(
                fields=["current_unit", "current_role", "submitted_at", "id"],
                name="dossier_inbox_new",
                condition=models.Q(status=1),
            ),
        ]

    def __str__(self):
        return self.code or f"#{self.pk} ({self.get_status_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        dossier = super().from_db(db, field_names, values)
        # The unit whose queues held the dossier when read: saving it recounts that unit's
        # inbox as well as the one it goes to (workflow.counts.dossier_changed).
        dossier._queued_unit_id = dossier.__dict__.get("current_unit_id")
        return dossier

    # Django's get_FOO_display() rebuilds and hashes the whole choice list, translating every
    # label, on each call: 11 gettext calls per status shown, a third of an inbox page's
    # template time on 1M dossiers. The enum gives the one label directly.
    def get_status_display(self):
        return choice_label(Status, self.status)

    def get_channel_display(self):
        return choice_label(self.Channel, self.channel)

    def get_delivery_method_display(self):
        return choice_label(self.Delivery, self.delivery_method)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_untouched_prepared(self) -> bool:
        """Prepared by the agency and not changed by the person since (untouched_prepared)."""
        return self.prepared_at is not None and self.updated_at <= self.prepared_at

    @property
    def is_open(self) -> bool:
        """Still being handled: the deadline matters."""
        return self.status in OPEN_STATUSES

    @property
    def ended_at(self):
        """When the dossier ended for the applicant (result returned; refused or stopped);
        None while it is handled. Queries use Coalesce("returned_at", "finished_at")."""
        if self.status not in ENDED_STATUSES:
            return None
        return self.returned_at or self.finished_at or self.updated_at

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    @property
    def is_extended(self) -> bool:
        return self.extension_count > 0


class DossierCodeSequence(models.Model):
    """The last sequence number given out per receiving agency and day (for dossier codes)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_sequence_unique")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last_value}"


def attachment_path(instance, filename):
    # The stored name never comes from the applicant (filename is already a uuid here).
    return f"dossiers/{instance.dossier.created_at:%Y/%m}/{filename}"


class Attachment(models.Model):
    """A file attached to one component of a dossier (tệp đính kèm thành phần hồ sơ)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Once-only (decision 0083): a copy of an earlier signed result of the applicant's,
    # byte for byte, given instead of an upload. The result's id (results is above dossiers)
    # and what its face says: {"number", "title", "agency", "issued_on" (dd/mm/yyyy)}.
    reused_result_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["component_id", "uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "component"])]

    def __str__(self):
        return self.original_name

    @property
    def origin_label(self) -> str:
        return origin_label(self.reused_result_id, self.origin)


def origin_label(reused_result_id, origin: dict) -> str:
    """ "Kết quả số ... đã cấp, tái sử dụng" for a reused result, else ""."""
    if not reused_result_id:
        return ""
    return _("Kết quả số %(number)s đã cấp, tái sử dụng (%(agency)s, ngày %(date)s)") % {
        "number": origin.get("number", ""),
        "agency": origin.get("agency", ""),
        "date": origin.get("issued_on", ""),
    }


class DossierEvent(HashChained, AppendOnlyModel):
    """One line of the dossier's timeline (nhật ký xử lý hồ sơ); never changed once written.

    Each dossier's events form one hash chain (decision 0035).
    """

    chain_by = "dossier"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    note = models.TextField(blank=True)
    unit_name = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(default=True)
    # Hand-overs between steps and units: the rows of the processing control sheet (form 05).
    step_key = models.CharField(max_length=40, blank=True)
    from_unit_name = models.CharField(max_length=300, blank=True)
    to_unit_name = models.CharField(max_length=300, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]


class DossierAccess(models.Model):
    """Which units may see a dossier: those it has passed through, for good, and those a
    task (consultation, joint handling) was sent to, until the task is answered or closed
    (`through_task`; dossiers.access)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    through_task = models.BooleanField(default=False, db_default=False)

    class Meta:
        db_table = "workflow_dossieraccess"  # where it was made, before it moved to dossiers
        constraints = [
            models.UniqueConstraint(fields=["unit", "dossier"], name="dossier_access_unique")
        ]

    def __str__(self):
        return f"{self.unit_id} → {self.dossier_id}"


class AccessRecord(HashChained, AppendOnlyModel):
    """One view of a dossier's personal data by an officer, or later by an integrator through
    the API (nhật ký truy cập dữ liệu cá nhân): who, when, what, for which unit and why.

    Written by motcua.dossiers.access_log, one INSERT per page; the applicant reads their
    dossier's records, administrators search them all (decision 37). `dossier` is empty for a
    view of many dossiers at once (a search, the tracking book and its exports).
    """

    class Kind(models.TextChoices):
        DOSSIER = "dossier", _("Trang hồ sơ")
        ATTACHMENT = "attachment", _("Tệp đính kèm")
        DOCUMENT = "document", _("Giấy tờ đã ban hành")
        CONTROL_SHEET = "control_sheet", _("Phiếu kiểm soát quá trình giải quyết")
        RESULT = "result", _("Kết quả giải quyết")
        RECEIPT = "receipt", _("Biên lai thu phí, lệ phí")
        SEARCH = "search", _("Tìm kiếm hồ sơ")
        TRACKING_BOOK = "tracking_book", _("Sổ theo dõi hồ sơ")

    class Purpose(models.TextChoices):
        HANDLING = "handling", _("Giải quyết hồ sơ")
        CONSULTATION = "consultation", _("Phối hợp giải quyết (liên thông, xin ý kiến)")
        SUPERVISION = "supervision", _("Quản trị, giám sát")

    class Channel(models.TextChoices):
        WEB = "web", _("Trang web")
        API = "api", _("API (hệ thống kết nối)")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("người xem"),
    )
    channel = models.CharField(
        _("kênh"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    # The unit the officer acted for, and its name then (units are renamed; the record is not).
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("đơn vị"),
    )
    unit_name = models.CharField(_("tên đơn vị"), max_length=300, blank=True)
    # The integrator's system (channel API), by its name then (motcua.api; decision 0069).
    client_name = models.CharField(_("hệ thống kết nối"), max_length=200, blank=True)
    role = models.CharField(_("vai trò"), max_length=16, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=16, choices=Purpose.choices)
    dossier = models.ForeignKey(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("hồ sơ"),
    )
    kind = models.CharField(_("nội dung"), max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("mã đối tượng"), null=True, blank=True)
    # What the object was called when viewed: the file's name, the document's kind and number,
    # the search's words, the tracking book's unit and year.
    label = models.CharField(_("mô tả"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt xem dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký xem dữ liệu cá nhân")
        indexes = [
            # The applicant's "who has seen my dossier", newest first; the admin's search by
            # dossier code.
            models.Index(fields=["dossier", "at"], name="access_record_dossier"),
            # The admin's search by officer, by unit, and the whole log newest first.
            models.Index(fields=["actor", "at"], name="access_record_actor"),
            models.Index(fields=["unit", "at"], name="access_record_unit"),
            models.Index(fields=["at"], name="access_record_at"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.kind} {self.dossier_id or ''}".strip()

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    def get_purpose_display(self):
        return choice_label(self.Purpose, self.purpose)


class DossierMessage(models.Model):
    """A message between the applicant and the unit handling the dossier (trao đổi với cơ
    quan giải quyết), beside the one supplement request the law allows (decision 0044).

    `read_at`: when the other side first opened the thread: the applicant, or any officer of
    the handling side (dossiers.messages.mark_read). Never changed otherwise, never deleted.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_applicant = models.BooleanField()
    # The unit an officer wrote for, and its name then: the applicant sees the unit, not the
    # officer's name.
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    unit_name = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["dossier", "created_at"], name="dossier_message_thread"),
            # The unread ones of each side: the badges on the lists and the read marker.
            models.Index(
                fields=["dossier", "from_applicant"],
                name="dossier_message_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.created_at:%d/%m/%Y %H:%M}"


def message_file_path(instance, filename):
    return f"messages/{instance.dossier.created_at:%Y/%m}/{filename}"


class DossierMessageAttachment(models.Model):
    """A file sent with a message, checked like the application's files."""

    message = models.ForeignKey(
        DossierMessage, on_delete=models.PROTECT, related_name="attachments"
    )
    # The message's dossier, so that a file is found through the dossier the user may see.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=message_file_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["message_id", "id"]

    def __str__(self):
        return self.original_name


class ObtainedComponent(models.Model):
    """A component the agency obtained from a register instead of asking for it (decision
    0079): one row per key (per vehicle, say), with what the register answered."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="obtained")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    register = models.CharField(max_length=40)
    register_label = models.CharField(max_length=200)
    key = models.CharField(max_length=40)
    reference = models.CharField(max_length=64, blank=True)  # the register's transaction id
    attributes = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["component_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "component", "key"], name="obtained_component_once_per_key"
            )
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.component_id} {self.key}"
