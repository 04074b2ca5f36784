from django.db import models


class SandboxTransaction(models.Model):
    """A payment as the sandbox gateway keeps it (its own books, not MotCua's)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Chưa thanh toán"
        SUCCESS = "success", "Thành công"
        CANCELLED = "cancelled", "Khách hàng hủy"
        DECLINED = "declined", "Ngân hàng từ chối"

    tmn_code = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField(help_text="vnp_Amount as sent: đồng x 100.")
    order_info = models.CharField(max_length=255)
    create_date = models.CharField(max_length=14)  # vnp_CreateDate, yyyyMMddHHmmss
    expire_date = models.CharField(max_length=14, blank=True)
    return_url = models.URLField(max_length=500)
    ip_address = models.CharField(max_length=45)
    bank_code = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    response_code = models.CharField(max_length=2, blank=True)
    pay_date = models.CharField(max_length=14, blank=True)
    ipn_sent = models.BooleanField(default=False)
    ipn_answer = models.TextField(blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="sandbox_txn_unique")
        ]

    def __str__(self):
        return f"{self.txn_ref} {self.outcome}"

    @property
    def transaction_no(self) -> str:
        return str(14_000_000 + self.pk) if self.outcome != self.Outcome.PENDING else "0"

    @property
    def transaction_status(self) -> str:
        """vnp_TransactionStatus: 00 success, 01 not finished, 02 error."""
        if self.outcome == self.Outcome.SUCCESS:
            return "00"
        return "01" if self.outcome == self.Outcome.PENDING else "02"
