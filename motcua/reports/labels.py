"""The names the statistics pages share: the Decision 766 indicators (the one list the
dashboard, the exports and the public page read, decision 0062, in the order of the
Decision's groups), and procedures by code."""

from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Procedure

# (key in indicators.summary, name)
INDICATORS = (
    ("on_time", _("Tỷ lệ hồ sơ giải quyết đúng hạn")),
    ("online_services", _("Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến")),
    ("online_dossiers", _("Tỷ lệ hồ sơ nộp trực tuyến")),
    ("online_payments", _("Tỷ lệ hồ sơ thanh toán trực tuyến")),
    ("electronic_results", _("Tỷ lệ hồ sơ trả kết quả điện tử")),
    ("digitisation", _("Tỷ lệ số hóa hồ sơ, kết quả")),
    ("reuse", _("Tỷ lệ hồ sơ tái sử dụng dữ liệu")),
    ("satisfaction", _("Mức độ hài lòng")),
)
# The processing time, beside the indicators (in working days).
TIMES = (
    ("average_days", _("Thời gian giải quyết trung bình")),
    ("within_days", _("90 % hồ sơ được giải quyết trong")),
)
LABELS = dict(INDICATORS + TIMES)


def procedure_names(codes) -> dict[str, str]:
    """{code: the name of its latest version} (a figure counts every version of a code)."""
    names: dict[str, str] = {}
    for code, name in (
        Procedure.objects.filter(code__in=set(codes))
        .order_by("code", "-effective_from", "-pk")
        .values_list("code", "name")
    ):
        names.setdefault(code, name)
    return names
