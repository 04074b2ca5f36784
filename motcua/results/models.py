import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template import Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel
from motcua.signing.models import new_token  # noqa: F401 - results' first migration names it here


def result_path(instance, filename):
    # The stored name never says whose result it is; the row knows.
    return f"results/{timezone.localtime(instance.issued_at):%Y/%m}/{uuid.uuid4()}.pdf"


class ResultTemplate(models.Model):
    """An administrator's own template for a procedure's result, replacing the file one.

    The HTML is a Django template rendered with the same context as the file templates
    (see docs/results.md); it may extend "results/pdf/base.html".
    """

    procedure = models.OneToOneField(
        "catalogue.Procedure",
        on_delete=models.CASCADE,
        related_name="result_template",
        verbose_name=_("thủ tục"),
    )
    html = models.TextField(_("mẫu HTML"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu kết quả")
        verbose_name_plural = _("mẫu kết quả")

    def __str__(self):
        return str(self.procedure)

    def clean(self):
        try:
            Template(self.html)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                {"html": gettext("Mẫu không hợp lệ: %(error)s") % {"error": exc}}
            ) from exc
        if "{% load" in self.html and "documents_tags" not in self.html:
            # Only the document filters are offered; other tag libraries stay out.
            raise ValidationError({"html": gettext("Mẫu chỉ được nạp thư viện documents_tags.")})


class ResultDocument(AppendOnlyModel):
    """The signed result of a dossier (kết quả giải quyết thủ tục hành chính điện tử).

    Kept exactly as signed: the PDF in storage and its SHA-256; a correction is a new
    result (and the old one revoked), never an edit.
    """

    class Kind(models.TextChoices):
        BADGE = "badge", _("Phù hiệu xe ô tô kinh doanh vận tải")
        SHIP = "ship", _("Giấy chứng nhận đăng ký tàu biển")
        AIRCRAFT = "aircraft", _("Giấy chứng nhận đăng ký quốc tịch tàu bay")
        GENERIC = "generic", _("Kết quả giải quyết thủ tục hành chính")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="results"
    )
    agency = models.ForeignKey("catalogue.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại kết quả"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("tên giấy tờ"), max_length=200)
    number = models.CharField(_("số"), max_length=60)
    issued_at = models.DateTimeField(_("ngày ký"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the face of the document says (badges: one entry per vehicle).
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    pdf = models.FileField(upload_to=result_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    signer = models.CharField(_("chứng thư ký"), max_length=300)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("kết quả điện tử")
        verbose_name_plural = _("kết quả điện tử")
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="result_number_unique")
        ]

    def __str__(self):
        return f"{self.title} số {self.number}"
