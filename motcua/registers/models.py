from django.db import models
from django.utils.translation import gettext_lazy as _


class Lookup(models.Model):
    """One question asked of a register (decision 0078): who asked, why, for which dossier,
    what came of it. Written for every look-up, found or not, by services.look_up only.

    The key is kept as a keyed hash (to find every look-up of one ID number, given the
    number) and shown masked: a person's ID number is masked but for its last three digits;
    a tax code or a plate is shown whole. Users and dossiers are ids (this app sits below
    both); the retention purger blanks the key of a purged dossier's look-ups.
    """

    class Outcome(models.TextChoices):
        FOUND = "found", _("Có dữ liệu")
        NOT_FOUND = "not_found", _("Không có dữ liệu")
        REFUSED = "refused", _("Bị từ chối")
        UNAVAILABLE = "unavailable", _("Không kết nối được")

    created_at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)
    register = models.CharField(_("cơ sở dữ liệu"), max_length=40)
    key_masked = models.CharField(_("khóa tra cứu"), max_length=40, blank=True)
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    purpose_code = models.CharField(_("mã mục đích"), max_length=40, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=200, blank=True)
    requested_by_id = models.BigIntegerField(_("người yêu cầu (id)"), null=True, blank=True)
    dossier_id = models.BigIntegerField(_("hồ sơ (id)"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices)
    error_code = models.CharField(_("mã lỗi"), max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)
    request_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(_("mã giao dịch của cơ sở dữ liệu"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt tra cứu cơ sở dữ liệu")
        verbose_name_plural = _("lượt tra cứu cơ sở dữ liệu")

    def __str__(self):
        return f"{self.register} {self.key_masked} {self.outcome}"
