from django.db import models


class SandboxSms(models.Model):
    """A message the sandbox gateway took, as a provider keeps it, and its delivery report."""

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Đã nhận, đang gửi"
        DELIVERED = "DELIVERED", "Đã đến máy"
        FAILED = "FAILED", "Không gửi được"

    message_id = models.CharField(max_length=32, unique=True)
    api_key = models.CharField(max_length=64)
    request_id = models.CharField(max_length=64)
    brandname = models.CharField(max_length=11)
    phone = models.CharField(max_length=11, db_index=True)
    content = models.TextField()
    segments = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    error_code = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    report_answer = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["api_key", "request_id"], name="sandbox_sms_request")
        ]

    def __str__(self):
        return self.message_id
