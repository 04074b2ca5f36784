"""The vehicle register (Cơ sở dữ liệu đăng ký xe): a vehicle by its number plate."""

from django.utils.translation import gettext_lazy as _

from motcua.registers.connector import HttpConnector, integer, text
from motcua.registers.registry import register

# The register's vehicle class codes, as the registration certificate writes them.
CLASSES = {
    "passenger": "Ô tô khách",
    "truck": "Ô tô tải",
    "car": "Ô tô con",
    "tractor": "Ô tô đầu kéo",
}
STATUSES = {"DA_DANG_KY": "registered", "DA_THU_HOI": "deregistered"}


@register("vehicles")
class VehicleConnector(HttpConnector):
    label = _("Cơ sở dữ liệu đăng ký xe")
    key_name = _("biển số xe")
    url_setting = "REGISTERS_VEHICLES_URL"
    sandbox_path = "/sandbox/registers/vehicles/v1/vehicles/query"
    key_field = "bienSo"
    key_pattern = r"\d{2}[A-Z]{1,2}-(\d{3}\.\d{2}|\d{4,5})"
    ATTRIBUTES = {
        "plate": _("Biển số"),
        "owner_name": _("Chủ xe"),
        "registration_no": _("Số chứng nhận đăng ký"),
        "registration_date": _("Ngày đăng ký"),
        "chassis_no": _("Số khung"),
        "engine_no": _("Số máy"),
        "vehicle_class": _("Loại xe"),
        "brand": _("Nhãn hiệu"),
        "model": _("Số loại"),
        "seats": _("Số chỗ ngồi"),
        "payload_kg": _("Khối lượng hàng chuyên chở (kg)"),
        "colour": _("Màu sơn"),
        "year_of_manufacture": _("Năm sản xuất"),
        "service_life_year": _("Niên hạn sử dụng"),
        "inspection_valid_until": _("Hạn kiểm định"),
        "status": _("Tình trạng đăng ký"),
    }

    def normalise_key(self, key: str) -> str:
        return " ".join((key or "").split()).upper().replace(" ", "-")

    def attributes(self, data: dict) -> dict:
        owner = data.get("chuXe") or {}
        code = text(data.get("loaiXe"))
        return {
            "plate": text(data["bienSo"]),
            "owner_name": text(owner.get("ten")),
            "owner_id": text(owner.get("maSoThue") or owner.get("soDinhDanh")),
            "registration_no": text(data.get("soChungNhan")),
            "registration_date": text(data.get("ngayDangKy")),
            "chassis_no": text(data["soKhung"]),
            "engine_no": text(data["soMay"]),
            "vehicle_class": CLASSES.get(code, code),
            "brand": text(data.get("nhanHieu")),
            "model": text(data.get("soLoai")),
            "seats": integer(data.get("soChoNgoi")),
            "payload_kg": integer(data.get("taiTrongKg")),
            "colour": text(data.get("mauSon")),
            "year_of_manufacture": integer(data.get("namSanXuat")),
            "service_life_year": integer(data.get("nienHan")),
            "inspection_valid_until": text(data.get("hanKiemDinh")),
            "status": STATUSES.get(text(data.get("trangThai")), ""),
        }
