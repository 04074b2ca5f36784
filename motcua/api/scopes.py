"""The OAuth2 scopes of the API: one per resource and action (decision 0067).

A client is granted some of these by its agency's administrator; a token asks for some or all
of the client's, and each view names the scope each of its methods needs
(`permissions.ClientScopes`).
"""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "procedures:read": _("Đọc danh mục thủ tục của cơ quan (biểu mẫu, thành phần, phí, quy trình)"),
    "calendar:read": _("Đọc lịch ngày làm việc"),
    "dossiers:read": _("Đọc hồ sơ: trạng thái, tiến trình, giấy tờ, kết quả"),
    "dossiers:write": _("Tạo và nộp hồ sơ thay người nộp, kèm tệp"),
    "actions:write": _("Thực hiện thao tác xử lý hồ sơ thay cán bộ của cơ quan"),
    "results:read": _("Tải kết quả giải quyết đã ký số"),
    "statistics:read": _("Đọc số liệu thống kê của cơ quan"),
    "webhooks:manage": _("Đăng ký webhook, xem và gửi lại các lần gửi"),
    "handovers:write": _("Nhận hồ sơ liên thông từ hệ thống MotCua khác"),
}


def scope_choices():
    return [(name, f"{name}: {label}") for name, label in SCOPES.items()]
