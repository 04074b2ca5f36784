"""Charges, payments, receipts, refunds and what the gateways told us (DOMAIN.md section 8)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel


class Charge(models.Model):
    """An amount the applicant must pay for a dossier (thông báo nộp phí, lệ phí)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ nộp")
        PAID = "paid", _("Đã nộp")
        CANCELLED = "cancelled", _("Đã hủy")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="charges"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # [{"label", "quantity", "unit_amount", "amount"}], as shown to the applicant.
    lines = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("khoản phải nộp")
        verbose_name_plural = _("khoản phải nộp")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="open"), name="charge_one_open_per_dossier"
            )
        ]

    def __str__(self):
        return f"{self.dossier_id}: {self.amount} ({self.status})"


class Payment(models.Model):
    """One attempt to pay a charge: online through a gateway, or at the counter."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ kết quả")
        PAID = "paid", _("Thành công")
        FAILED = "failed", _("Không thành công")
        CANCELLED = "cancelled", _("Đã hủy")
        # Started, never completed at the gateway, its link expired (decision 0049).
        EXPIRED = "expired", _("Không hoàn tất (đã hết hạn)")

    class Method(models.TextChoices):
        ONLINE = "online", _("Trực tuyến")
        COUNTER = "counter", _("Tại quầy")

    FINAL = (Status.PAID, Status.FAILED, Status.CANCELLED, Status.EXPIRED)

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="payments")
    # Our order number at the gateway (vnp_TxnRef): unique, never reused.
    reference = models.CharField(max_length=40, unique=True)
    method = models.CharField(max_length=8, choices=Method.choices)
    gateway = models.CharField(max_length=40, blank=True)  # registry id, "" at the counter
    gateway_name = models.CharField(max_length=100)  # shown to people: "VNPay", "tại quầy"
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="VND")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_transaction_no = models.CharField(max_length=40, blank=True)
    gateway_code = models.CharField(max_length=10, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # How we learnt the outcome: "ipn", "poll", "return", "counter".
    settled_via = models.CharField(max_length=10, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="payment_pending",
                condition=Q(status="pending", method="online"),
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.amount} ({self.status})"

    def is_abandoned(self, cutoff) -> bool:
        """An online attempt still pending since before `cutoff` (settlement.expiry_cutoff):
        the gateway has given up on it, whether or not the sweep has marked it expired."""
        return (
            self.status == self.Status.PENDING
            and self.method == self.Method.ONLINE
            and self.created_at < cutoff
        )

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


def receipt_path(instance, filename):
    return f"receipts/{instance.year}/{instance.agency_id}/{instance.pk or 'new'}-{filename}"


class Receipt(models.Model):
    """The electronic receipt (biên lai điện tử) of one successful payment.

    Numbered without gaps per collecting agency and year; the PDF is rendered once after
    commit and kept with its SHA-256.
    """

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey("catalogue.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=20)
    issued_at = models.DateTimeField()
    data = models.JSONField(default=dict)
    html = models.TextField(blank=True)
    pdf = models.FileField(upload_to=receipt_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "sequence"], name="receipt_number_unique"
            )
        ]

    def __str__(self):
        return self.number


class Refund(models.Model):
    """Money to give back: a paid dossier refused or stopped, or a payment made twice."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Đang gửi yêu cầu hoàn tiền")
        DONE = "done", _("Đã hoàn tiền")
        FAILED = "failed", _("Cổng thanh toán từ chối hoàn tiền")
        AT_CASHIER = "cashier", _("Chờ thủ quỹ hoàn trả tại quầy")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.PositiveBigIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    gateway_code = models.CharField(max_length=10, blank=True)
    gateway_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("hoàn tiền")
        verbose_name_plural = _("hoàn tiền")
        constraints = [models.UniqueConstraint(fields=["payment"], name="refund_one_per_payment")]

    def __str__(self):
        return f"{self.payment.reference}: {self.amount} ({self.status})"


class GatewayMessage(AppendOnlyModel):
    """Every verified notification and return, poll answer and refund answer a gateway gave
    us, as received. Callbacks that fail verification are counted instead (core.RejectedCall)."""

    class Kind(models.TextChoices):
        IPN = "ipn", _("Thông báo kết quả (IPN)")
        RETURN = "return", _("Trình duyệt quay về")
        POLL = "poll", _("Truy vấn giao dịch")
        REFUND = "refund", _("Hoàn tiền")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    gateway = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    params = models.JSONField(default=dict)
    # What we concluded: "ok", "duplicate", "bad_signature", "not_found", "bad_amount", ...
    verdict = models.CharField(max_length=20)
    response_code = models.CharField(max_length=10, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("thông điệp cổng thanh toán")
        verbose_name_plural = _("thông điệp cổng thanh toán")

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.gateway} {self.kind} {self.verdict}"


class PaymentIssue(models.Model):
    """Something about money an administrator must look at: a refused notification with the
    wrong amount, a payment made twice or after the dossier closed, or a difference found by
    the daily reconciliation (đối soát) with the gateway."""

    class Kind(models.TextChoices):
        AMOUNT_MISMATCH = "amount", _("Số tiền thông báo khác số tiền phải nộp")
        CURRENCY_MISMATCH = "currency", _("Loại tiền không phải VND")
        DUPLICATE = "duplicate", _("Nộp hai lần cho cùng một khoản")
        AFTER_CLOSE = "after_close", _("Nộp sau khi hồ sơ đã dừng hoặc rút")
        MISSING_HERE = "missing_here", _("Cổng có giao dịch thành công, hệ thống không có")
        MISSING_THERE = "missing_there", _("Hệ thống ghi đã nộp, cổng không có giao dịch")
        AMOUNT_DIFFERS = "amount_differs", _("Đối soát: số tiền khác nhau")
        STATUS_DIFFERS = "status_differs", _("Đối soát: trạng thái khác nhau")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    gateway = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    # The reconciliation day for differences found by reconciliation, else empty.
    day = models.DateField(null=True, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )
    agency = models.ForeignKey(
        "catalogue.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sai lệch thanh toán")
        verbose_name_plural = _("sai lệch thanh toán")
        # One row per (kind, gateway, reference, day): services use get_or_create under the
        # dossier lock (notifications) or in the single daily run (reconciliation).
        indexes = [models.Index(fields=["kind", "gateway", "reference", "day"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"


class ReconciliationRun(models.Model):
    """One comparison of a gateway's list of a day with our records."""

    gateway = models.CharField(max_length=40)
    day = models.DateField()
    ran_at = models.DateTimeField(auto_now_add=True)
    gateway_count = models.PositiveIntegerField(default=0)
    our_count = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-ran_at"]
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("lần đối soát")

    def __str__(self):
        return f"{self.gateway} {self.day:%d/%m/%Y}"
