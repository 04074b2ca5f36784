import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel


class NumberSequence(models.Model):
    """The last number given out in one numbering scope and year.

    Scopes: `document:agency:<id>` (the number on the slips an agency issues) and
    `book:unit:<id>` (the desk's tracking book, form 06). Both restart at 1 each year.
    """

    scope = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="number_sequence_unique")
        ]

    def __str__(self):
        return f"{self.scope} {self.year}: {self.last_value}"


def document_path(instance, filename):
    # The stored name never says whose document it is; the row knows.
    return f"documents/{timezone.localtime(instance.issued_at):%Y/%m}/{uuid.uuid4()}.pdf"


class IssuedDocument(AppendOnlyModel):
    """A statutory slip issued on a dossier (Circular 01/2018 forms 01–05, notice of stop).

    Kept exactly as issued: the HTML and the PDF rendered at issue time and the PDF's
    SHA-256; a correction is a new document, never an edit.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        STOP = "stop", _("Thông báo dừng xử lý hồ sơ")
        CONTROL_SHEET = "control_sheet", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="documents"
    )
    # The issuing agency: numbers run per agency and year.
    agency = models.ForeignKey("catalogue.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại giấy tờ"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("số"), max_length=20)
    issued_at = models.DateTimeField(_("ngày ban hành"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    html = models.TextField()
    pdf = models.FileField(upload_to=document_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    addressed_to_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("giấy tờ đã ban hành")
        verbose_name_plural = _("giấy tờ đã ban hành")
        indexes = [models.Index(fields=["dossier", "issued_at"], name="document_dossier_issued")]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="document_number_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} số {self.number}"


class TrackingBookEntry(AppendOnlyModel):
    """A line of the desk's tracking book (sổ theo dõi hồ sơ, form 06).

    Numbered from 1 each year per desk unit, continuously and without gaps (Circular
    01/2018 art.10(2)(c)); one line per dossier.
    """

    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bộ phận")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số thứ tự"))
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="tracking_book_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "year", "number"]
        verbose_name = _("dòng sổ theo dõi hồ sơ")
        verbose_name_plural = _("sổ theo dõi hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="tracking_book_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.number}"
