"""Import the national procedure database's export (CSDL quốc gia về TTHC), versioned by date.

    import_national_catalogue(path=..., effective_from=date(2026, 7, 1), dry_run=False)

Each record is read with the loader's own rules (load_catalogue.procedure_fields: nulls are
"not published", never invented) and compared with the procedure's latest version on the
fields the national database publishes (NATIONAL_FIELDS):

- not known yet: created, effective from the date;
- the same: left alone, so importing a file twice changes nothing;
- changed: a new version effective from the date, the old one ending that day. The new
  version keeps everything MotCua adds locally to the one it replaces: the online form and its
  hints, components, fee schedule, delivery options, steps, FAQ, result, agencies, service
  level, the administrators' internal notes (the record itself is kept in national_record);
  the workflow and the result template are carried over by their apps
  (ProcedureVersionCreated). Dossiers keep the version they were made under.
- a version already starts on or after the date: skipped, with the reason.

The whole file is checked before anything is written, and written in one transaction: a bad
file writes nothing. A dry run does all of it and rolls it back, to read the report.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.catalogue.management.commands.load_catalogue import (
    AGENCIES_FILE,
    FULL_WITHOUT_FORM_NOTE,
    SECTORS,
    load_sectors,
    pick_agency,
    procedure_fields,
)
from motcua.catalogue.models import Agency, Procedure, Sector
from motcua.catalogue.versions import procedure_new_version

# What the national database publishes about a procedure: a change in one of these makes a
# new version. The rest of a version is MotCua's own, kept from version to version.
NATIONAL_FIELDS = (
    "name",
    "legal_basis",
    "processing_time",
    "processing_time_unit",
    "processing_time_note",
    "fee_vnd",
    "fee_note",
    "source_url",
)
# Nothing else is written from the record into a new version: its notes are the
# administrators' own (the record itself is kept whole in national_record).
MAX_RECORDS = 20_000
# The record's texts, each a string or null (anything else cannot be read as the loader does).
TEXT_KEYS = (
    "sector",
    "implementing_agency",
    "implementation_level_published",
    "processing_time_unit",
    "processing_time_note",
    "fee_note",
    "online_level",
    "online_level_source",
    "publishing_decision",
    "agency_level_note",
    "notes",
    "source",
)
# The largest whole numbers the columns hold (PositiveSmallIntegerField, PositiveBigIntegerField).
MAX_PROCESSING_TIME = 32_767
MAX_FEE_VND = 2**63 - 1


class ImportError_(Exception):
    """The file cannot be imported as it is: nothing was written."""


@dataclass
class ImportReport:
    effective_from: date
    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = "Chạy thử, không ghi gì: " if self.dry_run else ""
        lines = [
            f"{head}hiệu lực từ {self.effective_from:%d/%m/%Y}: {len(self.created)} tạo mới, "
            f"{len(self.new_version)} phiên bản mới, {len(self.unchanged)} không đổi, "
            f"{len(self.skipped)} bỏ qua."
        ]
        lines += [f"  tạo mới: {code}" for code in self.created]
        lines += [f"  phiên bản mới: {code}" for code in self.new_version]
        lines += [f"  bỏ qua {code}: {reason}" for code, reason in self.skipped]
        lines += [f"  lưu ý {code}: {text}" for code, text in self.warnings]
        return lines


# --- Reading the file ------------------------------------------------------------------------


def read_records(path: Path) -> list[dict]:
    """The file's records, or ImportError_ saying what is wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"Không đọc được tệp {path}: {exc.strerror or exc}.") from exc
    return parse_records(raw, label=str(path))


def parse_records(raw: bytes, *, label: str = "tệp") -> list[dict]:
    try:
        records = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{label} không phải văn bản UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise ImportError_(
            f"{label} không phải JSON hợp lệ: {exc.msg} (dòng {exc.lineno}, cột {exc.colno})."
        ) from exc
    if not isinstance(records, list):
        raise ImportError_(f"{label} phải chứa một danh sách thủ tục (mảng JSON).")
    if len(records) > MAX_RECORDS:
        raise ImportError_(f"{label} có hơn {MAX_RECORDS} thủ tục.")
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        where = f"Thủ tục thứ {number}"
        if not isinstance(record, dict):
            raise ImportError_(f"{where} không phải một đối tượng JSON.")
        code, name = record.get("code"), record.get("name")
        if not isinstance(code, str) or not code.strip() or len(code) > 40:
            raise ImportError_(f"{where} không có mã thủ tục (code) hợp lệ.")
        if not isinstance(name, str) or not name.strip():
            raise ImportError_(f"{where} ({code}) không có tên thủ tục (name).")
        if code in seen:
            raise ImportError_(f"Mã thủ tục {code} xuất hiện hai lần trong tệp.")
        seen.add(code)
        _check_record(record, f"{where} ({code})")
    return records


def _max_length(name: str) -> int:
    return Procedure._meta.get_field(name).max_length


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_record(record: dict, where: str) -> None:
    """What would not fit the procedure's columns, or not read as the loader reads it, is an
    error about the file (before anything is written), never a database error."""
    for key in TEXT_KEYS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ImportError_(f"{where}: {key} phải là văn bản.")
    if len(record["name"].strip()) > _max_length("name"):
        raise ImportError_(f"{where}: tên thủ tục (name) dài quá {_max_length('name')} ký tự.")
    if len(record.get("source") or "") > _max_length("source_url"):
        raise ImportError_(
            f"{where}: nguồn công bố (source) dài quá {_max_length('source_url')} ký tự."
        )
    for key in ("processing_time_working_days", "fee_vnd"):
        value = record.get(key)
        if _number(value) and value < 0:
            raise ImportError_(f"{where}: {key} âm.")
    time = record.get("processing_time_working_days")
    counted = record.get("processing_time_unit") in ("working_days", "days")
    if (
        counted
        and time is not None
        and (not isinstance(time, int) or isinstance(time, bool) or time > MAX_PROCESSING_TIME)
    ):
        raise ImportError_(
            f"{where}: processing_time_working_days phải là số nguyên "
            f"từ 0 đến {MAX_PROCESSING_TIME}."
        )
    fee_vnd = record.get("fee_vnd")
    if _number(fee_vnd) and not (math.isfinite(fee_vnd) and fee_vnd <= MAX_FEE_VND):
        raise ImportError_(f"{where}: fee_vnd không phải một số tiền hợp lệ.")
    for key in ("legal_basis", "agency_level"):
        value = record.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(item, str) for item in value)
        ):
            raise ImportError_(f"{where}: {key} phải là một danh sách văn bản.")


# --- Importing -------------------------------------------------------------------------------


def _national(values: dict) -> dict:
    return {name: values.get(name) for name in NATIONAL_FIELDS}


def _published_before(procedure: Procedure) -> dict:
    """What the national database said when `procedure` was made: from the record it was
    imported from, else (made by hand, or before records were kept) its own values."""
    if procedure.national_record:
        return _national(
            procedure_fields(procedure.national_record, procedure.sector, procedure.agency)
        )
    return {name: getattr(procedure, name) for name in NATIONAL_FIELDS}


def _agencies_for_new() -> tuple[dict[str, Agency], dict[str, Agency]]:
    """The agencies a new procedure may go to, as the loader picks them (by identifier, and
    the administration of each sector as agencies.json names it), among those that exist."""
    by_identifier = {a.identifier: a for a in Agency.objects.filter(is_active=True)}
    by_sector = {}
    try:
        spec = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        spec = {"agencies": []}
    for row in spec.get("agencies", []):
        agency = by_identifier.get(row.get("identifier"))
        for sector in row.get("sectors", []) if agency else []:
            by_sector[sector] = agency
    return by_identifier, by_sector


def _new_version(
    previous: Procedure, values: dict, changed: list[str], record: dict, effective_from: date
) -> Procedure:
    """The next version of `previous` from `effective_from` (catalogue.versions: components
    copied, workflow and result template carried over, `previous` ending that day) with the
    `changed` national values; the others keep MotCua's refinements."""
    version = procedure_new_version(procedure=previous, effective_from=effective_from)
    for name in changed:
        setattr(version, name, values[name])
    version.national_record = record
    version.save(update_fields=[*changed, "national_record"])
    return version


def _create(record: dict, values: dict, effective_from: date) -> Procedure:
    procedure = Procedure(
        code=record["code"].strip(), **values, effective_from=effective_from, national_record=record
    )
    if procedure.service_level == Procedure.ServiceLevel.FULL and not procedure.form_schema:
        procedure.service_level = ""  # no online form yet (as the loader withholds it)
        procedure.notes = f"{procedure.notes}\n{FULL_WITHOUT_FORM_NOTE}"
    # Saved as the loader saves it: a value the database does not publish stays empty (the
    # form's rules would ask an administrator to fill it in).
    procedure.save()
    return procedure


class _DryRun(Exception):
    pass


def import_national_catalogue(
    *,
    records: list[dict],
    effective_from: date,
    dry_run: bool = False,
    agency: Agency | None = None,
) -> ImportReport:
    """Import checked `records` (parse_records) as of `effective_from`; `agency` receives the
    procedures not known yet (else the loader's rules choose among existing agencies)."""
    report = ImportReport(effective_from=effective_from, dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(records, effective_from, agency, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _import(records, effective_from, agency, report) -> None:
    sectors: dict[str, Sector] = load_sectors()
    agencies, by_sector = _agencies_for_new()
    for record in records:
        code = record["code"].strip()
        if record.get("sector") not in SECTORS:
            report.skipped.append((code, f"lĩnh vực lạ {record.get('sector')!r}"))
            continue
        latest = (
            Procedure.objects.select_for_update()
            .filter(code=code)
            .order_by("-effective_from")
            .first()
        )
        if latest is None:
            try:
                target = agency or pick_agency(record, agencies, by_sector)
            except KeyError:
                report.skipped.append(
                    (code, "không xác định được cơ quan giải quyết; dùng --agency")
                )
                continue
            values = procedure_fields(record, sectors[record["sector"]], target)
            _create(record, values, effective_from)
            report.created.append(code)
            continue
        values = procedure_fields(record, latest.sector, latest.agency)
        before = _published_before(latest)
        changed = [name for name in NATIONAL_FIELDS if values[name] != before[name]]
        if not changed:
            report.unchanged.append(code)
            continue
        if latest.effective_from >= effective_from:
            report.skipped.append(
                (
                    code,
                    f"đã có phiên bản hiệu lực từ {latest.effective_from:%d/%m/%Y}, không sớm hơn "
                    f"ngày {effective_from:%d/%m/%Y}",
                )
            )
            continue
        try:
            _new_version(latest, values, changed, record, effective_from)
        except ValidationError as exc:  # the latest version ended before the date
            report.skipped.append((code, " ".join(exc.messages)))
            continue
        report.new_version.append(f"{code} ({', '.join(changed)})")
        if latest.fee_schedule and "fee_vnd" in changed:
            report.warnings.append(
                (
                    code,
                    "phí, lệ phí quốc gia đã đổi nhưng biểu phí của MotCua được giữ: kiểm tra lại",
                )
            )
