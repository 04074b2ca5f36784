"""The national population database (Cơ sở dữ liệu quốc gia về dân cư): a person by their
personal identification number (số định danh cá nhân, 12 digits). Personal data: every query
carries its purpose, and the register refuses one without it."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from motcua.registers.connector import HttpConnector, text
from motcua.registers.registry import register

GENDERS = {"Nam": "male", "Nữ": "female"}


def iso_date(value) -> str:
    """The register writes dates dd/mm/yyyy; we keep ISO dates."""
    day, month, year = (int(p) for p in str(value).split("/"))
    return date(year, month, day).isoformat()


@register("population")
class PopulationConnector(HttpConnector):
    label = _("Cơ sở dữ liệu quốc gia về dân cư")
    key_name = _("số định danh cá nhân")
    personal = True
    url_setting = "REGISTERS_POPULATION_URL"
    sandbox_path = "/sandbox/registers/population/v1/citizens/query"
    key_field = "soDinhDanh"
    key_pattern = r"\d{12}"
    ATTRIBUTES = {
        "citizen_id": _("Số định danh cá nhân"),
        "full_name": _("Họ và tên"),
        "gender": _("Giới tính"),
        "date_of_birth": _("Ngày sinh"),
        "birth_place": _("Nơi sinh"),
        "nationality": _("Quốc tịch"),
        "permanent_address": _("Nơi thường trú"),
        "current_address": _("Nơi ở hiện tại"),
        "id_card_no": _("Số thẻ căn cước"),
        "id_card_issued_on": _("Ngày cấp thẻ căn cước"),
        "id_card_issuer": _("Nơi cấp thẻ căn cước"),
    }

    def attributes(self, data: dict) -> dict:
        card = data.get("theCanCuoc") or {}
        return {
            "citizen_id": text(data["soDinhDanh"]),
            "full_name": text(data["hoVaTen"]),
            "gender": GENDERS.get(text(data.get("gioiTinh")), ""),
            "date_of_birth": iso_date(data["ngaySinh"]),
            "birth_place": text(data.get("noiSinh")),
            "nationality": text(data.get("quocTich")),
            "permanent_address": text(data.get("noiThuongTru")),
            "current_address": text(data.get("noiOHienTai")),
            "id_card_no": text(card.get("so")),
            "id_card_issued_on": iso_date(card["ngayCap"]) if card.get("ngayCap") else "",
            "id_card_issuer": text(card.get("noiCap")),
        }
