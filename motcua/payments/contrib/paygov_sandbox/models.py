from django.db import models


class PayGovTransaction(models.Model):
    """A payment as the sandbox platform keeps it (its own books, not MotCua's)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Chưa thanh toán"
        SUCCESS = "success", "Thành công"
        CANCELLED = "cancelled", "Người nộp hủy"
        DECLINED = "declined", "Ngân hàng từ chối"

    partner_code = models.CharField(max_length=40)
    order_id = models.CharField(max_length=40)
    amount = models.PositiveBigIntegerField(help_text="Đồng, as in the request.")
    order_info = models.CharField(max_length=255)
    dossier_code = models.CharField(max_length=60, blank=True)
    agency_code = models.CharField(max_length=40, blank=True)
    request_time = models.CharField(max_length=14)  # yyyyMMddHHmmss, GMT+7
    expire_time = models.CharField(max_length=14)
    return_url = models.URLField(max_length=500)
    payer_ip = models.CharField(max_length=45, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    result_code = models.CharField(max_length=2, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    payment_method = models.CharField(max_length=20, blank=True)
    pay_time = models.CharField(max_length=14, blank=True)
    # Notifications: how many were sent, whether the merchant acknowledged one, its answer.
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    notified = models.BooleanField(default=False)
    notify_answer = models.TextField(blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner_code", "order_id"], name="paygov_sandbox_order_unique"
            )
        ]

    def __str__(self):
        return f"{self.order_id} {self.outcome}"

    @property
    def transaction_no(self) -> str:
        return f"PG{26_000_000 + self.pk}" if self.outcome != self.Outcome.PENDING else ""

    @property
    def status(self) -> str:
        """The platform's status word (protocol.STATUS_*)."""
        return {
            self.Outcome.SUCCESS: "PAID",
            self.Outcome.CANCELLED: "CANCELLED",
            self.Outcome.DECLINED: "FAILED",
        }.get(self.outcome, "PENDING")


class PayGovRequest(models.Model):
    """An API request id the platform has answered: the same id again is a replay."""

    partner_code = models.CharField(max_length=40)
    request_id = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner_code", "request_id"], name="paygov_sandbox_request_once"
            )
        ]

    def __str__(self):
        return f"{self.endpoint} {self.request_id}"
