"""Proactive services (issue 17, decision 0084): rules as data, what falls due, reminders.

A ReminderRule says, for one procedure's results, what falls due (the result's valid-until
date, a vehicle's service life, a lease, a date in the form), how many working days before
to remind (each offset an occasion), by which channels, and which procedure to offer. A
DueItem is one thing of one person's that falls due on a date (one badge of a badge result),
kept when the result is issued so that the daily job reads one index, not every result. A
Reminder is what the job told one person under one rule on one day; its ReminderItems make
"once per rule and occasion" a unique constraint.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Due(models.TextChoices):
    VALID_UNTIL = "valid_until", _("Kết quả hết hiệu lực")
    SERVICE_LIFE = "service_life", _("Xe hết niên hạn sử dụng")
    LEASE_END = "lease_end", _("Hết hạn hợp đồng thuê, hợp tác kinh doanh")
    FORM_DATE = "form_date", _("Giấy phép, giấy tờ hết hạn (ngày ghi trong tờ khai)")


DATE_FIELD_PATTERN = r"[a-z0-9_]+(\.(\*|[a-z0-9_]+))*"


class ReminderRule(models.Model):
    procedure_code = models.CharField(
        _("thủ tục có kết quả cần nhắc"),
        max_length=40,
        help_text=_("Mã thủ tục đã cấp kết quả, ví dụ 2.002288."),
    )
    name = models.CharField(_("tên quy tắc"), max_length=200)
    due = models.CharField(_("sự kiện đến hạn"), max_length=20, choices=Due.choices)
    date_field = models.CharField(
        _("trường ngày trong tờ khai"),
        max_length=100,
        blank=True,
        help_text=_('Chỉ cho "ngày ghi trong tờ khai", ví dụ "operator.licence_valid_until".'),
    )
    offsets = models.JSONField(
        _("nhắc trước (ngày làm việc)"),
        default=list,
        help_text=_("Mỗi số là một lần nhắc, ví dụ [30, 10]: trước 30 và trước 10 ngày làm việc."),
    )
    channels = models.JSONField(
        _("kênh thông báo"),
        default=list,
        blank=True,
        help_text=_(
            'Ngoài Cổng (luôn có), ví dụ ["email", "sms"]. Để trống: theo lựa chọn của người nhận.'
        ),
    )
    offer_code = models.CharField(
        _("thủ tục đề nghị thực hiện"),
        max_length=40,
        help_text=_("Mã thủ tục cấp lại, gia hạn... được mời thực hiện."),
    )
    prepare = models.BooleanField(
        _("chuẩn bị sẵn hồ sơ (mức độ 2)"),
        default=True,
        help_text=_("Tạo sẵn hồ sơ từ hồ sơ trước và cơ sở dữ liệu; người dân xác nhận rồi nộp."),
    )
    recommend = models.BooleanField(
        _("khuyến nghị phương án (mức độ 3)"),
        default=True,
        help_text=_(
            "Khi có nhiều thủ tục cùng nhóm kết quả, so sánh chi phí, thời gian, giấy tờ và "
            "khuyến nghị thủ tục phù hợp nhất."
        ),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quy tắc nhắc thực hiện")
        verbose_name_plural = _("quy tắc nhắc thực hiện")
        ordering = ["procedure_code", "due", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        offsets = self.offsets
        if (
            not isinstance(offsets, list)
            or not offsets
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not all(1 <= o <= 250 for o in offsets)
            or len(set(offsets)) != len(offsets)
        ):
            errors["offsets"] = _(
                "Nhập danh sách số ngày làm việc khác nhau, từ 1 đến 250, ví dụ [30, 10]."
            )
        if not isinstance(self.channels, list) or not all(
            isinstance(c, str) for c in self.channels
        ):
            errors["channels"] = _('Nhập danh sách kênh, ví dụ ["email", "sms"].')
        if self.due == Due.FORM_DATE:
            if not re.fullmatch(DATE_FIELD_PATTERN, self.date_field or ""):
                errors["date_field"] = _(
                    'Nhập trường ngày trong tờ khai, ví dụ "operator.licence_valid_until".'
                )
        elif self.date_field:
            errors["date_field"] = _('Chỉ nhập trường ngày khi sự kiện là "ngày trong tờ khai".')
        if errors:
            raise ValidationError(errors)


class DueItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=DueItem.State.ACTIVE)


class DueItem(models.Model):
    """One thing of one person's that falls due on a date: a badge of a badge result (the
    subject is its plate), or a whole result (subject "")."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Còn hiệu lực")
        REVOKED = "revoked", _("Kết quả đã bị thu hồi")
        RENEWED = "renewed", _("Đã được cấp lại, gia hạn")

    result = models.ForeignKey(
        "results.ResultDocument", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    procedure_code = models.CharField(max_length=40)
    due = models.CharField(max_length=20, choices=Due.choices)
    # The form path a FORM_DATE item was read at ("" for the others).
    date_field = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=60, blank=True)  # a plate; "" for the whole result
    label = models.CharField(max_length=300)  # "Phù hiệu số 12/2026/PH, xe 75B-012.34"
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    renewed_by = models.ForeignKey(
        "results.ResultDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = DueItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["result", "due", "date_field", "subject"], name="due_item_once"
            )
        ]
        indexes = [
            # The daily job: one rule's window of dates, active items only.
            models.Index(
                fields=["procedure_code", "due", "due_on"],
                name="due_item_window",
                condition=models.Q(state="active"),
            ),
            models.Index(fields=["holder", "due_on"], name="due_item_holder"),
        ]

    def __str__(self):
        return f"{self.label} ({self.due_on:%d/%m/%Y})"


class Reminder(models.Model):
    """What the daily job told one person under one rule on one day."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="reminders")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due_on = models.DateField()  # the earliest date among its items
    # The dossier the agency prepared for it (level 2), once the subscriber made it.
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Prepared (when the rule says so) and handed to notifications (ProactiveReminderReady).
    ready_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # the link first followed

    class Meta:
        verbose_name = _("lần nhắc thực hiện")
        verbose_name_plural = _("lần nhắc thực hiện")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.rule_id} → {self.holder_id} {self.day:%d/%m/%Y}"


class ReminderItem(models.Model):
    """One occasion: item `item`, due on `due_on`, reminded `offset` working days before,
    under `rule`. Unique: the same badge and date is never reminded twice for one offset."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="items")
    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(DueItem, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    offset = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "item", "due_on", "offset"], name="reminder_once_per_occasion"
            )
        ]

    def __str__(self):
        return f"{self.item_id} {self.due_on:%d/%m/%Y} -{self.offset}"


class OptOut(models.Model):
    """The person refused proactive services (Decree 224/2026 art. 17(3)): no reminder, no
    prepared dossier while this row exists. Each change is also in the audit trail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proactive_opt_out"
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("từ chối dịch vụ chủ động")
        verbose_name_plural = _("từ chối dịch vụ chủ động")

    def __str__(self):
        return str(self.user_id)
