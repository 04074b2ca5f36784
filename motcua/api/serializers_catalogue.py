"""Input and output of the catalogue, calendar and statistics operations (decision 0068).

Outputs are plain serializers over dictionaries the views build from the services: the field
list here is what the OpenAPI schema promises, and schemathesis holds the answers to it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from motcua.catalogue.models import Component, Procedure
from motcua.dossiers.models import Dossier
from motcua.reports import indicators as ind

MAX_CALENDAR_DAYS = 366


class Named(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AgencyOut(serializers.Serializer):
    identifier = serializers.CharField()
    name = serializers.CharField()


class ProcedureSummary(serializers.Serializer):
    code = serializers.CharField(help_text=_("Mã thủ tục, ví dụ 1.000001."))
    name = serializers.CharField()
    sector = Named()
    agency = AgencyOut(help_text=_("Cơ quan giải quyết."))
    receiving_agency = AgencyOut(help_text=_("Cơ quan tiếp nhận hồ sơ."))
    applicant_type = serializers.ChoiceField(choices=Procedure.ApplicantType.choices)
    service_level = serializers.ChoiceField(
        choices=[("", "")] + list(Procedure.ServiceLevel.choices),
        help_text=_("Mức độ dịch vụ công; rỗng nếu chưa công bố."),
    )
    accepts_online = serializers.BooleanField(help_text=_("Nhận hồ sơ trực tuyến."))
    processing_time = serializers.IntegerField(allow_null=True)
    processing_time_unit = serializers.ChoiceField(choices=Procedure.TimeUnit.choices)
    fee_summary = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)


class ComponentOut(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    paper_form = serializers.ChoiceField(choices=Component.PaperForm.choices)
    quantity = serializers.IntegerField()
    requirement = serializers.ChoiceField(choices=Component.Requirement.choices)
    condition = serializers.CharField(allow_blank=True)
    condition_field = serializers.CharField(
        allow_blank=True, help_text=_("Trường tờ khai làm thành phần này bắt buộc.")
    )
    file_types = serializers.ListField(
        child=serializers.ChoiceField(choices=[(t, t) for t in Component.FILE_TYPES])
    )
    max_files = serializers.IntegerField()


class FormOut(serializers.Serializer):
    schema = serializers.JSONField(help_text=_("Lược đồ tờ khai (JSON Schema 2020-12)."))
    ui = serializers.JSONField(help_text=_("Gợi ý hiển thị tờ khai."))


class FeesOut(serializers.Serializer):
    schedule = serializers.JSONField(
        help_text=_("Biểu phí, lệ phí (docs/payments.md); rỗng nếu chưa công bố.")
    )
    summary = serializers.CharField()
    description = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)


class StepOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = Named()
    days = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)


class WorkflowOut(serializers.Serializer):
    version = serializers.IntegerField()
    steps = StepOut(many=True)
    total_days = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)


class ProcedureDetail(ProcedureSummary):
    legal_basis = serializers.JSONField()
    result_name = serializers.CharField(allow_blank=True)
    processing_time_note = serializers.CharField(allow_blank=True)
    delivery_options = serializers.ListField(
        child=serializers.ChoiceField(choices=["online", "counter", "post"])
    )
    form = FormOut()
    components = ComponentOut(many=True)
    fees = FeesOut()
    workflow = WorkflowOut(allow_null=True, help_text=_("Quy trình nội bộ hiện hành."))


class ProcedureQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=200,
        allow_blank=True,
        help_text=_("Từ tìm trong tên hoặc mã, không phân biệt dấu."),
    )
    sector = serializers.CharField(
        required=False, max_length=40, allow_blank=True, help_text=_("Mã lĩnh vực.")
    )


class CalendarQuery(serializers.Serializer):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (`from` is a Python keyword: declared in get_fields)."""

    def get_fields(self):
        return {
            "from": serializers.DateField(help_text=_("Ngày đầu (YYYY-MM-DD).")),
            "to": serializers.DateField(help_text=_("Ngày cuối (YYYY-MM-DD), tính cả ngày này.")),
        }

    def validate(self, attrs):
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("Ngày cuối phải từ ngày đầu trở đi.")]})
        if (attrs["to"] - attrs["from"]).days + 1 > MAX_CALENDAR_DAYS:
            raise serializers.ValidationError(
                {"to": [_("Mỗi lần đọc tối đa %(n)s ngày.") % {"n": MAX_CALENDAR_DAYS}]}
            )
        return attrs


class DayOut(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.IntegerField(help_text=_("1 = thứ Hai … 7 = Chủ nhật."))
    is_working_day = serializers.BooleanField()
    kind = serializers.ChoiceField(
        choices=["holiday", "day_off", "working_day"],
        allow_null=True,
        help_text=_("Loại ngày theo lịch; null nếu là ngày thường trong tuần."),
    )
    name = serializers.CharField(allow_null=True, help_text=_("Tên ngày lễ, nghỉ, làm bù."))


class CalendarOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = DayOut(many=True)


class DeadlineQuery(serializers.Serializer):
    start = serializers.DateTimeField(
        help_text=_("Thời điểm tiếp nhận (ISO 8601; không có múi giờ: giờ Việt Nam).")
    )
    days = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=365,
        help_text=_("Số ngày làm việc, có thể lẻ (0,5)."),
    )

    def validate_start(self, value):
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Năm phải từ 2000 đến 2100."))
        return value


class DeadlineOut(serializers.Serializer):
    start = serializers.DateTimeField()
    days = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    clock_start = serializers.DateTimeField(help_text=_("Thời điểm bắt đầu tính."))
    deadline = serializers.DateTimeField(help_text=_("Hạn giải quyết."))


class StatisticsQuery(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        max_length=30,
        help_text=_(
            "Kỳ: 2026 (năm), 2026-Q4 (quý), 2026-10 (tháng) hoặc 2026-10-01..2026-10-15 "
            "(khoảng ngày, tối đa 10 năm); mặc định quý hiện tại."
        ),
    )
    procedure = serializers.CharField(
        required=False, max_length=40, help_text=_("Mã thủ tục (mọi phiên bản).")
    )
    sector = serializers.CharField(required=False, max_length=40, help_text=_("Mã lĩnh vực."))
    channel = serializers.ChoiceField(
        required=False, choices=Dossier.Channel.choices, help_text=_("Kênh nộp.")
    )

    def validate_period(self, value):
        period = ind.parse_period(value)
        if period is None:
            raise serializers.ValidationError(
                _("Kỳ không hợp lệ: dùng 2026, 2026-Q4, 2026-10 hoặc 2026-10-01..2026-10-15.")
            )
        return period


def _rate(**kwargs):
    return serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True, **kwargs
    )


class IndicatorOut(serializers.Serializer):
    rate = _rate(help_text=_("Tỷ lệ (%); null khi không có hồ sơ nào."))
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    points = _rate(help_text=_("Điểm theo Quyết định 766; null nếu chỉ số không tính điểm."))
    maximum = _rate()
    counts = serializers.DictField(child=serializers.IntegerField())


# The period table's figures (form II.06a: indicators.COLUMNS and the sums `_finish` adds),
# each a count, and the late ratio.
TOTALS = (*ind.COLUMNS, "received", "to_handle", "resolved", "in_progress", "late", "negative")
TotalsOut = type(
    "TotalsOut",
    (serializers.Serializer,),
    {**{name: serializers.IntegerField() for name in TOTALS}, "late_ratio": _rate()},
)


class PeriodOut(serializers.Serializer):
    key = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class StatisticsOut(serializers.Serializer):
    period = PeriodOut()
    agency = AgencyOut()
    totals = TotalsOut()
    on_time = IndicatorOut()
    average_days = _rate(help_text=_("Số ngày làm việc giải quyết trung bình."))
    within_days = serializers.IntegerField(
        allow_null=True, help_text=_("90 % hồ sơ được giải quyết trong số ngày này.")
    )
    online_dossiers = IndicatorOut()
    online_payments = IndicatorOut()
    electronic_results = IndicatorOut()
    digitisation = IndicatorOut()
    reuse = IndicatorOut()
    satisfaction = IndicatorOut()
    online_services = IndicatorOut(help_text=_("Thủ tục đang hiệu lực cung cấp trực tuyến."))
