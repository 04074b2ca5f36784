"""What anyone may verify: every document MotCua signs (results, slips, receipts) is
registered here with its SHA-256 and the token of its QR code, and may be revoked."""

import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel


def new_token() -> str:
    return secrets.token_urlsafe(16)


class VerifiableDocument(AppendOnlyModel):
    """Everything anyone may verify (xác thực): signed results and signed slips.

    Found by the token in its QR code or by the SHA-256 of an uploaded file. `face` holds
    only what is printed on the document and a verifier has to match (a badge's plates and
    operator), never other personal data.
    """

    token = models.CharField(max_length=32, unique=True, default=new_token)
    sha256 = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("loại giấy tờ"), max_length=24)
    title = models.CharField(_("tên giấy tờ"), max_length=200)
    number = models.CharField(_("số"), max_length=60)
    issued_at = models.DateTimeField(_("ngày ký"))
    agency = models.ForeignKey("catalogue.Agency", on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    result = models.OneToOneField(
        "results.ResultDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifiable",
    )
    issued_document = models.OneToOneField(
        "documents.IssuedDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifiable",
    )
    signer = models.CharField(_("chứng thư ký"), max_length=300)
    face = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        db_table = "results_verifiabledocument"  # created by results before signing had it
        verbose_name = _("giấy tờ xác thực được")
        verbose_name_plural = _("giấy tờ xác thực được")

    def __str__(self):
        return f"{self.title} số {self.number}"

    @property
    def revocation_or_none(self):
        try:
            return self.revocation
        except Revocation.DoesNotExist:
            return None


class Revocation(AppendOnlyModel):
    """A result withdrawn by the issuing agency (thu hồi), with who, when and why."""

    document = models.OneToOneField(
        VerifiableDocument, on_delete=models.PROTECT, related_name="revocation"
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do thu hồi"))

    class Meta:
        db_table = "results_revocation"
        verbose_name = _("quyết định thu hồi")
        verbose_name_plural = _("quyết định thu hồi")

    def __str__(self):
        return f"{self.document} ({self.revoked_at:%d/%m/%Y})"


class AuditDigest(AppendOnlyModel):
    """One day of the audit's hash chains, signed with the system's key (decision 0035).

    `content` is the canonical JSON that was signed: per chained table, the rows the day
    added and a hash of the last row each chain reached, and the hash of the day before's
    digest. `signature` is over its UTF-8 bytes; `certificate` is the signer's (PEM) and
    `fingerprint` its SHA-256, to be found in SIGNING_DIR when verifying.
    """

    day = models.DateField(unique=True)
    content = models.TextField()
    signature = models.TextField()
    certificate = models.TextField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        verbose_name = _("bản tóm tắt nhật ký đã ký")
        verbose_name_plural = _("bản tóm tắt nhật ký đã ký")

    def __str__(self):
        return f"{self.day:%d/%m/%Y}"
