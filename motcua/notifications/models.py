from django.db import models


class OfficerDigest(models.Model):
    """A unit's daily digest of its dossiers due soon and overdue (decision 0043): the row is
    claimed before the mail goes, so a second run the same day sends nothing."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due_soon = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bản tin hằng ngày của đơn vị"
        verbose_name_plural = "bản tin hằng ngày của đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="officer_digest_once_a_day")
        ]

    def __str__(self):
        return f"{self.unit_id} {self.day:%d/%m/%Y}"
