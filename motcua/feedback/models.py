"""Feedback and petitions (phản ánh, kiến nghị), ratings and questions.

Petitions: docs/decisions/0047-petitions.md and 0048-anonymous-petitions-and-redaction.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel

# ---------------------------------------------------------------------------------------
# Ratings of dossiers (đánh giá của tổ chức, cá nhân, D61 art.31(1)) — decision 0045


class Score(models.IntegerChoices):
    """The scale of TT01 art.13-15 (0/1/2), so the internal scoring reads the answers as
    they are; a criterion left "not applicable" is NULL."""

    POOR = 0, _("Chưa đạt")
    FAIR = 1, _("Đạt")
    GOOD = 2, _("Tốt")


def _score(label):
    return models.PositiveSmallIntegerField(label, choices=Score.choices, null=True, blank=True)


class Rating(models.Model):
    """The applicant's rating of an ended dossier: one per dossier, changeable for
    RATING_CHANGE_DAYS after it was first given. Officers see it only in aggregates
    (feedback.ratings.aggregates), never with its dossier or applicant."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # D61 art.31(1) a..i, one field per criterion.
    time = _score(_("a) thời gian trả kết quả so với hẹn"))
    agencies = _score(_("b) số cơ quan phải liên hệ"))
    contacts = _score(_("c) số lần phải liên hệ với nơi tiếp nhận"))
    information = _score(_("d) thông tin thủ tục được công khai"))
    attitude = _score(_("đ) thái độ của cán bộ"))
    lawfulness = _score(_("e) kết quả và chi phí đúng quy định"))
    complaints = _score(_("g) trả lời phản ánh, kiến nghị"))
    online = _score(_("h) dịch vụ công trực tuyến"))
    other = _score(_("i) nội dung khác"))
    comment = models.TextField(_("ý kiến khác"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The facts the statistics need, copied when the rating is first given.
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    procedure_code = models.CharField(max_length=40, db_index=True)
    receiving_agency = models.ForeignKey(
        "catalogue.Agency", on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField("accounts.Unit", related_name="+", blank=True)
    on_time = models.BooleanField(null=True)
    ended_status = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=8)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đánh giá hồ sơ")
        indexes = [models.Index(fields=["receiving_agency", "created_at"])]

    def __str__(self):
        return f"Rating {self.pk}"


# ---------------------------------------------------------------------------------------
# Questions on procedures (hỏi đáp) — decision 0046


class Question(models.Model):
    """A question from the public on a procedure; shown only once an officer of the
    procedure's agency answered and published it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ trả lời")
        PUBLISHED = "published", _("Đã trả lời, công khai")
        REJECTED = "rejected", _("Không công khai")

    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    procedure_code = models.CharField(max_length=40, db_index=True)
    text = models.TextField(_("câu hỏi"))
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    language = models.CharField(max_length=8, default="vi")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answer = models.TextField(_("trả lời"), blank=True)
    reason = models.TextField(_("lý do không công khai"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # fold(text + answer): accent-insensitive search on both databases (decision 0002).
    search_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("câu hỏi về thủ tục")
        indexes = [
            models.Index(fields=["procedure_code", "state", "published_at"]),
            models.Index(fields=["state", "created_at"]),
        ]

    def __str__(self):
        return f"Question {self.pk}"


# ---------------------------------------------------------------------------------------
# Feedback and petitions (phản ánh, kiến nghị)


class PetitionCodeSequence(models.Model):
    """The last number given out per receiving agency and day, for petition codes."""

    agency = models.ForeignKey("catalogue.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="petition_sequence_unique")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last_value}"


class Petition(models.Model):
    """A feedback or petition (phản ánh, kiến nghị) about a procedure, an agency or a
    dossier, filed by an account holder or by someone who proved an e-mail address or phone
    number, and handled by the receiving agency in stages with working-day deadlines."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Phản ánh")
        PROPOSAL = "proposal", _("Kiến nghị")

    class About(models.TextChoices):
        PROCEDURE = "procedure", _("Một thủ tục hành chính")
        AGENCY = "agency", _("Một cơ quan")
        DOSSIER = "dossier", _("Một hồ sơ")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        REJECTED = "rejected", _("Không tiếp nhận")
        INFO_REQUESTED = "info_requested", _("Cần bổ sung thông tin")
        INFO_GIVEN = "info_given", _("Đã bổ sung thông tin")
        ANSWERED = "answered", _("Đã trả lời")
        PUBLISHED = "published", _("Đã trả lời và công khai")
        CLOSED = "closed", _("Đã trả lời, không công khai")

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("Tài khoản")
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Số điện thoại")

    code = models.CharField(_("mã phản ánh, kiến nghị"), max_length=64, unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    about = models.CharField(_("về"), max_length=16, choices=About.choices)
    procedure = models.ForeignKey(
        "catalogue.Procedure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=48, blank=True)
    agency = models.ForeignKey(
        "catalogue.Agency",
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"))
    # Who filed it: an account, or a name with a contact proved by a one-time code.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    name = models.CharField(_("họ và tên"), max_length=200)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    language = models.CharField(max_length=8, default="vi")
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    # Each stage's deadline (working days, decision 0047) and when it was escalated.
    reject_due_at = models.DateTimeField(null=True, blank=True)
    info_due_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    publish_due_at = models.DateTimeField(null=True, blank=True)
    reject_escalated_at = models.DateTimeField(null=True, blank=True)
    info_escalated_at = models.DateTimeField(null=True, blank=True)
    resolve_escalated_at = models.DateTimeField(null=True, blank=True)
    publish_escalated_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(_("lý do không tiếp nhận"), blank=True)
    question = models.TextField(_("thông tin cần bổ sung"), blank=True)
    info = models.TextField(_("thông tin bổ sung"), blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published_title = models.CharField(max_length=200, blank=True)
    published_question = models.TextField(blank=True)
    published_answer = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True)  # folded published text (core.text.fold)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [
            models.Index(fields=["agency", "status"], name="petition_agency_status"),
            models.Index(fields=["status", "published_at"], name="petition_published"),
        ]

    def __str__(self):
        return self.code


class PetitionEvent(AppendOnlyModel):
    """One line of a petition's history (who did what, when); `is_public` lines are shown
    on its tracking page."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=24)
    status = models.CharField(max_length=16, choices=Petition.Status.choices)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="petition_event_at")]

    def __str__(self):
        return f"{self.petition_id} {self.action}"


class ContactCode(models.Model):
    """A six-digit code sent to an e-mail address or phone number to prove it belongs to
    someone acting without an account (mã xác thực liên hệ); only its hash is stored, and
    not the address (the session that asked for it holds that)."""

    purpose = models.CharField(max_length=16)
    channel = models.CharField(max_length=8)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="contact_code_expires")]

    def __str__(self):
        return f"{self.purpose} {self.channel} {self.created_at:%d/%m/%Y %H:%M}"
