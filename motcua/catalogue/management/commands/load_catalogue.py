"""Load the transport procedures published in the national database (CSDL quốc gia về TTHC).

Every record of the data file becomes one procedure version effective from 2025-01-01,
upserted by code and effective date, so the command can run any number of times. Values the
database does not publish (null) stay empty and are shown as "not published"; nothing is
guessed. The three reference procedures of DOMAIN.md section 11 are then completed from the
files in `motcua/catalogue/demo/` (form, components, steps, FAQ) and fully validated.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError

from motcua.catalogue.models import Agency, Component, Procedure, Sector
from motcua.core.text import fold
from motcua.env import env_str

EFFECTIVE_FROM = date(2025, 1, 1)
DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
AGENCIES_FILE = DEMO_DIR / "agencies.json"
PROVINCIAL_DEPARTMENT = "000.00.18.H56"
PROVINCIAL_COMMITTEE = "000.00.00.H56"
COMMUNE = "000.01.00.H56"
MINISTRY = "000.00.00.G12"
TRAFFIC_POLICE = "000.00.01.G01"
PARTIAL_REASON_LEVEL_3 = "Theo danh mục công bố trước đây: mức độ 3"

# code in the data file: (name, English name, order)
SECTORS = {
    "road": ("Đường bộ", "Road", 1),
    "maritime": ("Hàng hải", "Maritime", 2),
    "aviation": ("Hàng không", "Aviation", 3),
    "inland_waterway": ("Đường thủy nội địa", "Inland waterways", 4),
    "vehicle_registry": ("Đăng kiểm", "Vehicle registry", 5),
    "railway": ("Đường sắt", "Railways", 6),
}


def default_data_file() -> Path:
    default = settings.BASE_DIR.parent / "shared" / "data" / "procedures-transport.json"
    return Path(env_str("CATALOGUE_DATA_FILE", str(default)))


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    completed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


# --- Reference data ---------------------------------------------------------------------------


def load_agencies() -> tuple[dict[str, Agency], dict[str, Agency]]:
    """Upsert the demo agencies; return them by identifier and the administration of each sector."""
    spec = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    by_identifier: dict[str, Agency] = {}
    by_sector: dict[str, Agency] = {}
    for row in spec["agencies"]:
        agency, _ = Agency.objects.update_or_create(
            identifier=row["identifier"],
            defaults={
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "level": row["level"],
                "parent": by_identifier[row["parent"]] if row.get("parent") else None,
                "is_active": True,
                # The Huế department pays through PayGov in the demo (decision 0082).
                "payment_gateway": row.get("payment_gateway", ""),
            },
        )
        by_identifier[agency.identifier] = agency
        for sector in row.get("sectors", []):
            by_sector[sector] = agency
    return by_identifier, by_sector


def load_sectors() -> dict[str, Sector]:
    sectors = {}
    for code, (name, name_en, order) in SECTORS.items():
        sectors[code], _ = Sector.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
    return sectors


# --- One record -------------------------------------------------------------------------------


def pick_agency(record: dict, agencies: dict[str, Agency], by_sector: dict[str, Agency]) -> Agency:
    """The demo agency that handles a record, from its published level and implementing body.

    Ministry-level records go to the sector's administration (Cục), provincial ones to the
    provincial Department of Construction (or the people's committee when only its chairman
    is named), commune-level ones to the demo commune.
    """
    text = fold(record.get("implementing_agency") or "")
    levels = record.get("agency_level") or ["province"]
    first = levels[0]
    if "canh sat giao thong" in text:
        return agencies[TRAFFIC_POLICE]
    if first in ("department_of_ministry", "other"):
        return by_sector[record["sector"]]
    if first == "ministry":
        if "bo xay dung" in text or "province" not in levels:
            return agencies[MINISTRY]
        return agencies[PROVINCIAL_COMMITTEE]
    if first == "province":
        if "uy ban nhan dan" in text and "so xay dung" not in text:
            return agencies[PROVINCIAL_COMMITTEE]
        return agencies[PROVINCIAL_DEPARTMENT]
    return agencies[COMMUNE]


def processing_time(record: dict) -> tuple[int | None, str, str]:
    """(time, unit, note); a time without a usable unit is not published."""
    value = record.get("processing_time_working_days")
    unit = record.get("processing_time_unit")
    note = record.get("processing_time_note") or ""
    if value is None:
        return None, Procedure.TimeUnit.WORKING_DAYS, note
    if unit == "working_days":
        return value, Procedure.TimeUnit.WORKING_DAYS, note
    if unit == "days":
        return value, Procedure.TimeUnit.DAYS, note
    if unit == "same_day":
        return 0, Procedure.TimeUnit.WORKING_DAYS, note
    if unit == "unspecified":
        note = f"Cơ sở dữ liệu quốc gia ghi “{value}” nhưng không ghi đơn vị thời gian."
    return None, Procedure.TimeUnit.WORKING_DAYS, note


def fee(record: dict) -> tuple[int | None, str]:
    """A fee that is not a single amount (a schedule, a text) is kept as a note, amount empty."""
    amount = record.get("fee_vnd")
    note = record.get("fee_note") or ""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        text = amount if isinstance(amount, str) else ""
        return None, "; ".join(part for part in (text, note) if part)
    return int(amount), note


def service_level(record: dict) -> tuple[str, str]:
    level = fold(record.get("online_level") or "")
    if level.startswith(("muc do 4", "toan trinh")):
        return Procedure.ServiceLevel.FULL, ""
    if level.startswith("muc do 3"):
        return Procedure.ServiceLevel.PARTIAL, PARTIAL_REASON_LEVEL_3
    return "", ""


def internal_notes(record: dict) -> str:
    """Provenance for administrators: what the national database says, as published."""
    lines = [
        "Cơ quan thực hiện theo CSDL quốc gia: "
        f"{record.get('implementing_agency') or 'chưa công bố'}"
        f" ({record.get('implementation_level_published') or 'cấp chưa công bố'}).",
    ]
    if record.get("publishing_decision"):
        lines.append(f"Quyết định công bố: {record['publishing_decision']}.")
    if record.get("online_level"):
        lines.append(
            f"Mức độ theo nguồn: {record['online_level']} ({record.get('online_level_source') or ''})."
        )
    if record.get("processing_time_unit") == "unspecified" and record.get("processing_time_note"):
        lines.append(f"Thời hạn: {record['processing_time_note']}")
    for key in ("agency_level_note", "notes"):
        if record.get(key):
            lines.append(record[key])
    return "\n".join(lines)


# Procedures of the data file that lead to the same result (a new issue and its re-issues),
# as their names in the national database say (issue 17, level 3: MotCua may recommend one
# and let the person choose another; decision 0086). The database has no such field.
RESULT_GROUPS = {
    "1.000703": "giay-phep-kinh-doanh-van-tai-o-to",  # cấp
    "2.002286": "giay-phep-kinh-doanh-van-tai-o-to",  # cấp lại khi thay đổi nội dung
    "2.002287": "giay-phep-kinh-doanh-van-tai-o-to",  # cấp lại khi bị mất, bị hỏng
    "1.002788": "so-thuyen-vien",  # đăng ký và cấp
    "1.002787": "so-thuyen-vien",  # cấp lại
    "1.002687": "dang-ky-tau-bien",  # đăng ký tàu biển không thời hạn
    "1.002582": "dang-ky-tau-bien",  # cấp lại giấy chứng nhận đăng ký
    "1.003747": "dang-ky-quoc-tich-tau-bay",  # đăng ký tàu bay mang quốc tịch Việt Nam
    "1.003389": "dang-ky-quoc-tich-tau-bay",  # cấp lại giấy chứng nhận đăng ký quốc tịch
}


def procedure_fields(record: dict, sector: Sector, agency: Agency) -> dict:
    time, unit, time_note = processing_time(record)
    amount, fee_note = fee(record)
    level, partial_reason = service_level(record)
    return {
        "name": record["name"].strip(),
        "sector": sector,
        "agency": agency,
        "receiving_agency": agency,
        "applicant_type": Procedure.ApplicantType.BOTH,
        "service_level": level,
        "partial_reason": partial_reason,
        "legal_basis": [
            {"number": number, "title": "", "date": ""}
            for number in record.get("legal_basis") or []
        ],
        "processing_time": time,
        "processing_time_unit": unit,
        "processing_time_note": time_note,
        "fee_vnd": amount,
        "fee_note": fee_note,
        "source_url": record.get("source") or "",
        "result_group": RESULT_GROUPS.get(record["code"], ""),
        "is_published": True,
        "notes": internal_notes(record),
    }


# --- The complete reference procedures --------------------------------------------------------


def demo_specs() -> list[dict]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(DEMO_DIR.glob("*.json"))
        if path != AGENCIES_FILE
    ]


def _validated(instance, label: str):
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise CommandError(f"{label}: {exc.message_dict}") from exc
    return instance


def apply_demo(spec: dict, agencies: dict[str, Agency]) -> Procedure:
    """Complete the imported version of `spec["code"]` with its form, components and texts."""
    code = spec["code"]
    procedure = Procedure.objects.filter(code=code, effective_from=EFFECTIVE_FROM).first()
    if procedure is None:
        raise CommandError(f"{code}: thủ tục không có trong tệp dữ liệu, không thể bổ sung.")
    for name, value in spec["procedure"].items():
        setattr(procedure, name, value)
    if spec.get("agency"):
        procedure.agency = procedure.receiving_agency = agencies[spec["agency"]]
    _validated(procedure, code).save()

    wanted = {row["order"]: row for row in spec["components"]}
    existing: dict[int, Component] = {}
    for component in procedure.components.order_by("order", "id"):
        if component.order in wanted and component.order not in existing:
            existing[component.order] = component
            continue
        with suppress(ProtectedError):  # used by a dossier: keep it rather than break that
            component.delete()
    for order, row in wanted.items():
        component = existing.get(order) or Component(procedure=procedure)
        for name, value in row.items():
            setattr(component, name, value)
        _validated(component, f"{code} thành phần {order}").save()
    return procedure


@transaction.atomic
def import_catalogue(path: Path) -> LoadReport:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(
            f"Không tìm thấy tệp dữ liệu {path}. Dùng --file hoặc biến CATALOGUE_DATA_FILE."
        ) from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"Tệp {path} không phải JSON hợp lệ: {exc}") from exc
    if not isinstance(records, list):
        raise CommandError(f"Tệp {path} phải chứa một danh sách thủ tục.")

    agencies, by_sector = load_agencies()
    sectors = load_sectors()
    report = LoadReport()
    for record in records:
        if record.get("sector") not in sectors:
            raise CommandError(f"{record.get('code')}: lĩnh vực lạ {record.get('sector')!r}.")
        _, created = Procedure.objects.update_or_create(
            code=record["code"],
            effective_from=EFFECTIVE_FROM,
            defaults={
                **procedure_fields(
                    record, sectors[record["sector"]], pick_agency(record, agencies, by_sector)
                ),
                "national_record": record,
            },
        )
        if created:
            report.created += 1
        else:
            report.updated += 1
    for spec in demo_specs():
        report.completed.append(apply_demo(spec, agencies).code)
    withhold_full_process_without_form(records)
    return report


FULL_WITHOUT_FORM_NOTE = (
    "Nguồn ghi mức độ 4/toàn trình, nhưng MotCua chưa có tờ khai trực tuyến cho thủ tục này: "
    "mức độ dịch vụ để “chưa công bố” đến khi có tờ khai."
)


def withhold_full_process_without_form(records: list[dict]) -> None:
    """A full-process (toàn trình) procedure is one filed online from start to end; without an
    online form MotCua cannot take it online, so the level from the source (an older
    "mức độ 4" list) is not claimed for it: shown as not published, kept in the notes."""
    for procedure in Procedure.objects.filter(
        code__in=[r["code"] for r in records],
        effective_from=EFFECTIVE_FROM,
        service_level=Procedure.ServiceLevel.FULL,
    ):
        if procedure.accepts_online:
            continue
        procedure.service_level = ""
        procedure.notes = f"{procedure.notes}\n{FULL_WITHOUT_FORM_NOTE}"
        procedure.save(update_fields=["service_level", "notes"])


class Command(BaseCommand):
    help = (
        "Nạp danh mục thủ tục hành chính ngành giao thông từ tệp JSON (mặc định "
        "../shared/data/procedures-transport.json hoặc biến CATALOGUE_DATA_FILE); chạy lại "
        "nhiều lần không tạo bản trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="Đường dẫn tệp dữ liệu JSON.")

    def handle(self, *args, **options):
        path = options["file"] or default_data_file()
        report = import_catalogue(path)
        self.stdout.write(
            f"Đã nạp {report.total} thủ tục từ {path} "
            f"({report.created} mới, {report.updated} cập nhật); "
            f"bổ sung đầy đủ: {', '.join(report.completed)}."
        )
