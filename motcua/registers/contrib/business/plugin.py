"""The national business registration database (Cơ sở dữ liệu quốc gia về đăng ký doanh
nghiệp, with cooperatives and household businesses): an organisation by its tax code."""

from django.utils.translation import gettext_lazy as _

from motcua.registers.connector import HttpConnector, text
from motcua.registers.registry import register

TYPES = {"DN": "enterprise", "HTX": "cooperative", "HKD": "household"}
STATUSES = {"DANG_HOAT_DONG": "active", "TAM_NGUNG": "suspended", "DA_GIAI_THE": "dissolved"}


@register("business")
class BusinessConnector(HttpConnector):
    label = _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")
    key_name = _("mã số thuế")
    url_setting = "REGISTERS_BUSINESS_URL"
    sandbox_path = "/sandbox/registers/business/v1/enterprises/query"
    key_field = "maSoThue"
    key_pattern = r"\d{10}(-\d{3})?"
    ATTRIBUTES = {
        "tax_code": _("Mã số thuế"),
        "name": _("Tên doanh nghiệp"),
        "name_en": _("Tên tiếng Anh"),
        "type": _("Loại hình"),
        "legal_form": _("Hình thức pháp lý"),
        "status": _("Tình trạng hoạt động"),
        "address": _("Địa chỉ trụ sở"),
        "phone": _("Điện thoại"),
        "email": _("Thư điện tử"),
        "representative": _("Người đại diện theo pháp luật"),
        "representative_title": _("Chức danh người đại diện"),
        "registration_no": _("Số đăng ký"),
        "registration_date": _("Ngày đăng ký"),
        "registration_issuer": _("Cơ quan đăng ký"),
        "licence_no": _("Số giấy phép kinh doanh vận tải"),
        "licence_date": _("Ngày cấp giấy phép kinh doanh vận tải"),
        "licence_issuer": _("Cơ quan cấp giấy phép kinh doanh vận tải"),
        "permitted_types": _("Loại hình kinh doanh vận tải được cấp phép"),
    }

    def attributes(self, data: dict) -> dict:
        representative = data.get("nguoiDaiDien") or {}
        licence = data.get("giayPhepKinhDoanhVanTai") or {}
        return {
            "tax_code": text(data["maSoThue"]),
            "name": text(data["tenDoanhNghiep"]),
            "name_en": text(data.get("tenTiengAnh")),
            "type": TYPES.get(text(data.get("loaiHinh")), ""),
            "legal_form": text(data.get("hinhThucPhapLy")),
            "status": STATUSES.get(text(data.get("tinhTrang")), ""),
            "address": text(data.get("diaChiTruSo")),
            "phone": text(data.get("dienThoai")),
            "email": text(data.get("thuDienTu")),
            "representative": text(representative.get("hoVaTen")),
            "representative_title": text(representative.get("chucDanh")),
            "registration_no": text(data.get("soDangKy")),
            "registration_date": text(data.get("ngayDangKy")),
            "registration_issuer": text(data.get("coQuanDangKy")),
            "licence_no": text(licence.get("so")),
            "licence_date": text(licence.get("ngayCap")),
            "licence_issuer": text(licence.get("coQuanCap")),
            "permitted_types": [text(t) for t in licence.get("loaiHinh") or []],
        }
