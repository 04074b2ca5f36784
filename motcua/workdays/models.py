from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAY_NAMES = [
    _("Thứ Hai"),
    _("Thứ Ba"),
    _("Thứ Tư"),
    _("Thứ Năm"),
    _("Thứ Sáu"),
    _("Thứ Bảy"),
    _("Chủ nhật"),
]


class CalendarDay(models.Model):
    """A date that departs from the Monday-Friday week (lịch làm việc).

    Holidays and swapped or compensatory days off are not worked; a `working_day` is a
    Saturday or Sunday that is worked (làm bù). Dates without a row follow the plain week.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Ngày lễ, Tết")
        DAY_OFF = "day_off", _("Ngày nghỉ hoán đổi, nghỉ bù")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("tên"), max_length=200, help_text=_("Ví dụ: Tết Nguyên đán (mùng 1 tháng Giêng).")
    )
    legal_basis = models.TextField(
        _("căn cứ"),
        blank=True,
        help_text=_("Văn bản quyết định hoặc thông báo, ví dụ 8726/VPCP-KGVX ngày 26/11/2024."),
    )
    is_verified = models.BooleanField(
        _("đã đối chiếu văn bản"),
        default=True,
        help_text=_(
            "Bỏ chọn nếu ngày này mới là dự kiến, chưa đối chiếu được với văn bản chính thức."
        ),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày lễ, nghỉ, làm bù")
        verbose_name_plural = _("lịch nghỉ lễ, nghỉ bù, làm bù")

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.date.weekday()])

    def clean(self):
        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == self.Kind.WORKING_DAY and not weekend:
            raise ValidationError(
                {"kind": _("Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật.")}, code="not_weekend"
            )
        if self.kind == self.Kind.DAY_OFF and weekend:
            raise ValidationError(
                {"kind": _("Ngày nghỉ hoán đổi hoặc nghỉ bù phải là ngày từ thứ Hai đến thứ Sáu.")},
                code="weekend",
            )
