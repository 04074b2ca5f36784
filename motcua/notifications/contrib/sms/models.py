from django.db import models


class SmsReport(models.Model):
    """A delivery report the provider sent, once per message and status: a repeated report
    is answered but not published again."""

    provider_ref = models.CharField(max_length=64)
    status = models.CharField(max_length=16)
    delivered = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "báo cáo gửi SMS"
        verbose_name_plural = "báo cáo gửi SMS"
        constraints = [
            models.UniqueConstraint(fields=["provider_ref", "status"], name="sms_report_once")
        ]

    def __str__(self):
        return f"{self.provider_ref} {self.status}"
