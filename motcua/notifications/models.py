"""What the applicant was told, by which channel, with what result (docs/notifications.md).

A Notification is one thing to tell one person about one fact: unique per (source, recipient,
kind), so a subscriber run again by the outbox finds the one it made (decision 0040). It is
rendered once, in the recipient's language, from the latest active NotificationTemplate of
its kind, and keeps the version it used. A Delivery is its trip through one channel:
queued, sent, delivered or failed (with the reason), tried again with backoff.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationTemplate(models.Model):
    """One version of the wording of a kind of notification in one language. Editing saves a
    new version (notifications.admin); the versions used by sent notifications stay."""

    kind = models.CharField(_("loại thông báo"), max_length=40)
    language = models.CharField(
        _("ngôn ngữ"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")]
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    subject = models.CharField(_("tiêu đề"), max_length=300)
    text = models.TextField(_("nội dung (văn bản)"))
    html = models.TextField(
        _("nội dung HTML"),
        blank=True,
        help_text=_("Để trống: thư HTML được dựng từ nội dung văn bản."),
    )
    sms = models.CharField(
        _("nội dung tin nhắn SMS"),
        max_length=480,
        blank=True,
        help_text=_("Ngắn gọn; để trống: dùng tiêu đề."),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="notification_template_version"
            )
        ]

    def __str__(self):
        return f"{self.kind} ({self.language}) v{self.version}"

    def clean(self):
        from motcua.notifications.rendering import validate_template

        validate_template(self)


class Notification(models.Model):
    """One fact told to one person: the portal centre shows these (read_at)."""

    source = models.CharField(max_length=120)  # the fact: "outbox:<event id>" or a key
    recipient = models.CharField(max_length=200)  # "user:<id>" or "email:<address>"...
    kind = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    language = models.CharField(max_length=8, default="vi")
    template = models.ForeignKey(
        NotificationTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    sms = models.CharField(max_length=480, blank=True)
    link = models.CharField(max_length=500, blank=True)  # a path on this site
    security = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    shown_at = models.DateTimeField(null=True, blank=True)  # in the portal centre
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "recipient", "kind"], name="notification_once_per_fact"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ gửi")
        SENT = "sent", _("Đã gửi")
        DELIVERED = "delivered", _("Đã nhận")
        FAILED = "failed", _("Gửi không được")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("kênh"), max_length=20)
    address = models.CharField(_("địa chỉ"), max_length=254, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    provider_ref = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    fallback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt gửi thông báo")
        verbose_name_plural = _("lượt gửi thông báo")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["channel", "provider_ref"], name="delivery_provider_ref"),
        ]

    def __str__(self):
        return f"{self.channel}: {self.status}"


class Preference(models.Model):
    """The channels a person chose for dossier notifications (the portal is always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels = models.JSONField(default=list)  # channel ids besides the portal
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lựa chọn kênh thông báo")
        verbose_name_plural = _("lựa chọn kênh thông báo")

    def __str__(self):
        return f"{self.user_id}: {', '.join(self.channels)}"


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
