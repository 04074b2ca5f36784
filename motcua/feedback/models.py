from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
