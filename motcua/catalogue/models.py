import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.fees import schedule_problems
from motcua.catalogue.forms_schema import schema_problems
from motcua.core.db import Fold
from motcua.core.fields import OrderedJSONField

PAYMENT_GATEWAY_HELP = _(
    "Mã cổng thanh toán trực tuyến (vnpay, paygov, ...). Để trống: theo cơ quan cấp trên, "
    "hoặc cổng mặc định của hệ thống."
)


def payment_gateway_problem(value: str) -> str | None:
    """A gateway named on an agency or a procedure must be one of the active ones."""
    if value and value not in settings.PAYMENT_GATEWAYS:
        return _("Cổng thanh toán “%(g)s” không được bật; các cổng đang bật: %(on)s.") % {
            "g": value,
            "on": ", ".join(settings.PAYMENT_GATEWAYS) or "—",
        }
    return None


class Agency(models.Model):
    """A state agency (cơ quan): ministry, administration, provincial department, district."""

    class Level(models.TextChoices):
        MINISTRY = "ministry", _("Bộ, ngành")
        ADMINISTRATION = "administration", _("Cục, Tổng cục")
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")

    identifier = models.CharField(
        _("mã định danh"),
        max_length=32,
        unique=True,
        help_text=_("Mã định danh theo Thông tư 10/2016/TT-BTTTT, ví dụ 000.00.18.H56."),
    )
    name = models.CharField(_("tên cơ quan"), max_length=300)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    payment_gateway = models.CharField(
        _("cổng thanh toán trực tuyến"), max_length=40, blank=True, help_text=PAYMENT_GATEWAY_HELP
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self):
        return self.name

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("Cơ quan không thể là cấp trên của chính nó.")})
            node = node.parent
        problem = payment_gateway_problem(self.payment_gateway)
        if problem:
            raise ValidationError({"payment_gateway": problem})


class Sector(models.Model):
    """A field of procedures (lĩnh vực), e.g. road, maritime, aviation."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name


class ProcedureQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Versions effective on `on` (today by default) and published."""
        today = on or timezone.localdate()
        return self.filter(is_published=True, effective_from__lte=today).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=today)
        )

    def search(self, terms: list[str]):
        """Accent-insensitive search: every folded term must appear in the name or the code."""
        queryset = self.annotate(folded_name=Fold("name"))
        for term in terms:
            queryset = queryset.filter(Q(folded_name__contains=term) | Q(code__icontains=term))
        return queryset


class Procedure(models.Model):
    """One version of an administrative procedure (thủ tục hành chính).

    A new legal text means a new row with the same `code` and a later `effective_from`;
    a dossier points at the row it was started under, so it keeps that version's
    form, components and time limit.
    """

    class ApplicantType(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
        BOTH = "both", _("Công dân, tổ chức")

    class ServiceLevel(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "none", _("Cung cấp thông tin")

    class TimeUnit(models.TextChoices):
        WORKING_DAYS = "working_days", _("ngày làm việc")
        DAYS = "days", _("ngày")

    code = models.CharField(_("mã thủ tục"), max_length=40, db_index=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, verbose_name=_("lĩnh vực"))
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("cơ quan giải quyết"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("thời hạn lưu trữ hồ sơ (năm)"),
        null=True,
        validators=[MinValueValidator(1)],
        blank=True,
        help_text=_(
            "Hết thời hạn này kể từ khi hồ sơ kết thúc, dữ liệu cá nhân và tệp của hồ sơ được "
            "xoá. Để trống: dùng thời hạn mặc định của hệ thống."
        ),
    )
    receiving_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="received_procedures",
        verbose_name=_("cơ quan tiếp nhận"),
        help_text=_("Bộ phận Một cửa nhận hồ sơ; mã định danh của cơ quan này đứng đầu mã hồ sơ."),
    )
    applicant_type = models.CharField(
        _("đối tượng thực hiện"),
        max_length=16,
        choices=ApplicantType.choices,
        default=ApplicantType.BOTH,
    )
    service_level = models.CharField(
        _("mức độ dịch vụ công"),
        max_length=10,
        choices=ServiceLevel.choices,
        blank=True,
        help_text=_("Để trống nếu chưa được công bố."),
    )
    partial_reason = models.TextField(_("lý do chỉ cung cấp một phần"), blank=True)
    legal_basis = models.JSONField(
        _("căn cứ pháp lý"),
        default=list,
        blank=True,
        help_text=_(
            'Danh sách văn bản: [{"number": "158/2024/NĐ-CP", "title": "...", "date": "2024-12-18"}]'
        ),
    )
    processing_time = models.PositiveSmallIntegerField(
        _("thời hạn giải quyết"), null=True, blank=True
    )
    processing_time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    processing_time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    fee_vnd = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    payment_gateway = models.CharField(
        _("cổng thanh toán trực tuyến"), max_length=40, blank=True, help_text=PAYMENT_GATEWAY_HELP
    )
    fee_schedule = models.JSONField(
        _("biểu phí, lệ phí"),
        default=dict,
        blank=True,
        help_text=_(
            'Cách tính phí từ tờ khai (docs/payments.md), ví dụ {"kind": "fixed", "amount": 190000}; '
            "các loại: zero, fixed, per_item, table; thêm exemptions, waivers. Để trống: dùng "
            "số tiền ở ô phí, lệ phí."
        ),
    )
    result_name = models.CharField(_("kết quả thực hiện"), max_length=300, blank=True)
    result_validity = models.CharField(
        _("thời hạn hiệu lực của kết quả"), max_length=200, blank=True
    )
    # Level 3 of the proactive services (issue 17): procedures sharing a group lead to the
    # same result (a new issue and a re-issue of the same licence), so that MotCua may
    # recommend one of them and let the person choose another.
    result_group = models.SlugField(
        _("nhóm kết quả"),
        max_length=60,
        blank=True,
        help_text=_(
            "Các thủ tục cùng nhóm cho cùng một kết quả (cấp mới, cấp lại...): khi nhắc "
            "thực hiện, hệ thống so sánh và khuyến nghị thủ tục phù hợp nhất. Ví dụ "
            '"giay-phep-kinh-doanh-van-tai".'
        ),
    )
    delivery_options = models.JSONField(
        _("hình thức nhận kết quả"),
        default=list,
        blank=True,
        help_text=_('Một hoặc nhiều trong "online", "counter", "post".'),
    )
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    faq = models.JSONField(
        _("câu hỏi thường gặp"),
        default=list,
        blank=True,
        help_text=_('[{"question": "...", "answer": "..."}]'),
    )
    form_schema = OrderedJSONField(
        _("lược đồ tờ khai (JSON Schema 2020-12)"),
        default=dict,
        blank=True,
        help_text=_("Để trống nếu thủ tục chưa nhận hồ sơ trực tuyến."),
    )
    form_ui = OrderedJSONField(_("gợi ý hiển thị tờ khai"), default=dict, blank=True)
    source_url = models.URLField(_("nguồn công bố"), max_length=500, blank=True)
    effective_from = models.DateField(_("hiệu lực từ ngày"), default=timezone.localdate)
    effective_to = models.DateField(_("hết hiệu lực từ ngày"), null=True, blank=True)
    is_published = models.BooleanField(_("công khai"), default=True)
    notes = models.TextField(_("ghi chú nội bộ"), blank=True)
    # The record of the national procedure database this version was made from, as
    # exported: what a later import compares with, so that MotCua's own refinements of a
    # published value are kept until the database changes that value (decision 0081).
    national_record = models.JSONField(
        _("dữ liệu từ CSDL quốc gia"), default=dict, blank=True, editable=False
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="procedure_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "code"]),
            models.Index(fields=["agency", "code"]),
            models.Index(fields=["service_level", "code"]),
            models.Index(fields=["applicant_type", "code"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def accepts_online(self) -> bool:
        return bool(self.form_schema) and self.service_level in (
            self.ServiceLevel.FULL,
            self.ServiceLevel.PARTIAL,
        )

    def clean(self):
        errors = {}
        if self.processing_time is None:
            errors["processing_time"] = _("Nhập thời hạn giải quyết (số ngày) của thủ tục.")
        if self.effective_to and self.effective_to <= self.effective_from:
            errors["effective_to"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
        if self.service_level == self.ServiceLevel.PARTIAL and not self.partial_reason.strip():
            errors["partial_reason"] = _("Dịch vụ một phần phải công bố lý do.")
        if self.service_level == self.ServiceLevel.FULL and not self.form_schema:
            errors["service_level"] = _(
                "Thủ tục toàn trình phải nhận hồ sơ trực tuyến: nhập lược đồ tờ khai, hoặc để "
                "trống mức độ đến khi có tờ khai."
            )
        bad_delivery = set(self.delivery_options or []) - {"online", "counter", "post"}
        if bad_delivery:
            errors["delivery_options"] = _("Hình thức nhận kết quả không hợp lệ: %(v)s") % {
                "v": ", ".join(sorted(bad_delivery))
            }
        gateway_problem = payment_gateway_problem(self.payment_gateway)
        if gateway_problem:
            errors["payment_gateway"] = gateway_problem
        if self.form_schema or self.form_ui:
            problems = schema_problems(self.form_schema, self.form_ui)
            if problems:
                errors["form_schema"] = problems
        if self.fee_schedule:
            problems = schedule_problems(
                self.fee_schedule, self.form_schema if "form_schema" not in errors else None
            )
            if problems:
                errors["fee_schedule"] = problems
        if errors:
            raise ValidationError(errors)


class Component(models.Model):
    """A document that makes up the dossier (thành phần hồ sơ)."""

    class PaperForm(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
        ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")

    class Requirement(models.TextChoices):
        REQUIRED = "required", _("Bắt buộc")
        CONDITIONAL = "conditional", _("Bắt buộc khi có điều kiện")
        OPTIONAL = "optional", _("Không bắt buộc")

    FILE_TYPES = ("pdf", "jpeg", "png", "office")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)
    paper_form = models.CharField(
        _("loại bản"), max_length=20, choices=PaperForm.choices, default=PaperForm.ORIGINAL
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    requirement = models.CharField(
        _("yêu cầu"), max_length=12, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    condition = models.CharField(_("điều kiện"), max_length=300, blank=True)
    condition_field = models.CharField(
        _("trường điều kiện"),
        max_length=100,
        blank=True,
        help_text=_(
            'Bắt buộc khi trường tờ khai này có giá trị, ví dụ "vehicles.*.ownership=leased".'
        ),
    )
    accepted_types = models.JSONField(_("định dạng tệp chấp nhận"), default=list, blank=True)
    max_files = models.PositiveSmallIntegerField(_("số tệp tối đa"), default=5)
    national_source = models.CharField(
        _("cơ sở dữ liệu quốc gia có thể cung cấp"), max_length=200, blank=True
    )
    # Once-only (decision 0079): the register (its id, e.g. "vehicles") the agency obtains this
    # component from, by the keys the form's field `key_field` gives ("vehicles.*.plate").
    # When the register answers for every key, the applicant does not hand it in.
    obtained_from = models.CharField(
        _("cơ quan tự khai thác từ cơ sở dữ liệu"),
        max_length=40,
        blank=True,
        help_text=_('Mã cơ sở dữ liệu, ví dụ "vehicles", "business", "population".'),
    )
    key_field = models.CharField(
        _("trường tờ khai cho khóa tra cứu"),
        max_length=100,
        blank=True,
        help_text=_('Ví dụ "vehicles.*.plate" (biển số của từng xe).'),
    )
    # Once-only (decision 0083): the applicant may give an earlier signed result of theirs
    # instead of uploading a file.
    reusable_results = models.JSONField(
        _("kết quả đã cấp được dùng lại"),
        default=list,
        blank=True,
        help_text=_(
            'Mã các thủ tục có kết quả người nộp được chọn thay cho tải tệp, ví dụ ["2.002288"]; '
            '["*"]: mọi kết quả đã cấp cho người nộp. Để trống: không dùng lại.'
        ),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["procedure", "order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self):
        return self.name

    @property
    def file_types(self) -> list[str]:
        return list(self.accepted_types or ["pdf", "jpeg", "png"])

    def accepts_result_of(self, procedure_code: str) -> bool:
        codes = self.reusable_results or []
        return "*" in codes or procedure_code in codes

    def clean(self):
        if not (self.name or "").strip():
            raise ValidationError({"name": _("Thành phần hồ sơ phải có tên.")})
        codes = self.reusable_results
        if not isinstance(codes, list) or not all(
            isinstance(c, str) and 0 < len(c.strip()) <= 40 for c in codes
        ):
            raise ValidationError(
                {
                    "reusable_results": _(
                        'Nhập danh sách mã thủ tục, ví dụ ["2.002288"], hoặc ["*"] cho mọi kết quả.'
                    )
                }
            )
        if codes and "pdf" not in self.file_types:
            raise ValidationError(
                {"reusable_results": _("Kết quả điện tử là tệp PDF: thành phần phải nhận PDF.")}
            )
        unknown = set(self.accepted_types or []) - set(self.FILE_TYPES)
        if unknown:
            raise ValidationError(
                {
                    "accepted_types": _(
                        "Định dạng không hỗ trợ: %(v)s. Chỉ dùng pdf, jpeg, png, office."
                    )
                    % {"v": ", ".join(sorted(unknown))}
                }
            )
        if bool(self.obtained_from) != bool(self.key_field):
            raise ValidationError(
                {
                    "key_field": _(
                        "Thành phần tự khai thác từ cơ sở dữ liệu cần cả mã cơ sở dữ liệu và "
                        "trường khóa tra cứu."
                    )
                }
            )
        if self.key_field and not re.fullmatch(r"[a-z0-9_]+(\.(\*|[a-z0-9_]+))*", self.key_field):
            raise ValidationError(
                {"key_field": _('Trường khóa tra cứu viết dạng "vehicles.*.plate".')}
            )


class ProcedureUsage(models.Model):
    """Dossiers submitted per procedure and day: what "most used" on the home page counts.

    Kept by an asynchronous subscriber of DossierSubmitted (motcua.dossiers.subscribers),
    so the catalogue reads its own table instead of the dossiers above it.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    submissions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "day"], name="procedure_usage_day")
        ]
        indexes = [models.Index(fields=["day"], name="procedure_usage_by_day")]

    def __str__(self):
        return f"{self.procedure_id} {self.day}: {self.submissions}"
