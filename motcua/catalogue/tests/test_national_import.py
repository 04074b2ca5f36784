"""Importing the national database's export: versioned by date, local parts kept, idempotent."""

import copy
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalogue.management.commands.load_catalogue import default_data_file
from motcua.catalogue.models import Component, Procedure
from motcua.catalogue.national_import import ImportError_, parse_records
from motcua.catalogue.selectors import procedure_in_force
from motcua.catalogue.tests.conftest import BADGE
from motcua.core.models import OutboxEvent
from motcua.factories import make_organisation, make_submitted_dossier
from motcua.workflow.models import Workflow

pytestmark = pytest.mark.django_db

RECORDS = json.loads(default_data_file().read_text(encoding="utf-8"))


def write(tmp_path, records, name="export.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_national_catalogue", path, *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(
        Procedure.objects.values_list("code", "effective_from", "effective_to", "processing_time")
    )


def with_badge(**changes):
    records = copy.deepcopy(RECORDS)
    badge = next(r for r in records if r["code"] == BADGE)
    badge.update(changes)
    return records


def test_importing_the_same_export_twice_changes_nothing(catalogue, tmp_path):
    before = snapshot()
    path = write(tmp_path, RECORDS)
    first = run(path, "--effective-date", "01/07/2026")
    assert "0 tạo mới, 0 phiên bản mới, 78 không đổi, 0 bỏ qua" in first
    again = run(path, "--effective-date", "01/08/2026")
    assert "78 không đổi" in again
    assert snapshot() == before


def test_a_changed_processing_time_makes_a_version_in_force_from_the_date(
    catalogue, tmp_path, citizen, clock
):
    old = Procedure.objects.get(code=BADGE)
    org = make_organisation(old)
    workflow = Workflow.objects.get(procedure=old)
    clock.set(2026, 6, 20)
    dossier = make_submitted_dossier(old, citizen)
    components = list(old.components.values_list("name", "requirement", "condition_field"))

    output = run(
        write(tmp_path, with_badge(processing_time_working_days=3)),
        "--effective-date",
        "01/07/2026",
    )
    assert "0 tạo mới, 1 phiên bản mới, 77 không đổi, 0 bỏ qua" in output
    assert f"phiên bản mới: {BADGE} (processing_time)" in output

    new = Procedure.objects.get(code=BADGE, effective_from=date(2026, 7, 1))
    old.refresh_from_db()
    assert old.effective_to == date(2026, 7, 1)
    assert (old.processing_time, new.processing_time) == (2, 3)
    # The local parts of the version it replaces.
    assert new.form_schema == old.form_schema and new.form_schema
    assert new.form_ui == old.form_ui
    assert new.fee_schedule == old.fee_schedule
    assert (new.name, new.steps, new.faq, new.legal_basis) == (
        old.name,
        old.steps,
        old.faq,
        old.legal_basis,
    )
    assert (new.agency_id, new.receiving_agency_id) == (old.agency_id, old.receiving_agency_id)
    assert list(new.components.values_list("name", "requirement", "condition_field")) == components
    copied = Workflow.objects.get(procedure=new)
    assert (copied.version, copied.definition) == (1, workflow.definition)
    assert OutboxEvent.objects.filter(name="catalogue.procedure_version_created").exists()
    # The old version until the date, the new one from it; the dossier keeps its own.
    assert procedure_in_force(BADGE) == old
    clock.set(2026, 7, 1)
    assert procedure_in_force(BADGE) == new
    dossier.refresh_from_db()
    assert dossier.procedure_id == old.pk
    assert org  # the organisation's desk still receives the new version's dossiers
    # And importing it again leaves it alone.
    again = run(
        write(tmp_path, with_badge(processing_time_working_days=3), "again.json"),
        "--effective-date",
        "01/08/2026",
    )
    assert "78 không đổi" in again
    assert Procedure.objects.filter(code=BADGE).count() == 2


def test_a_dry_run_reports_and_writes_nothing(catalogue, tmp_path):
    before = snapshot()
    output = run(
        write(tmp_path, with_badge(fee_vnd=50_000)), "--effective-date", "01/07/2026", "--dry-run"
    )
    assert output.startswith("Chạy thử, không ghi gì")
    assert "1 phiên bản mới" in output
    assert snapshot() == before
    assert not OutboxEvent.objects.filter(name="catalogue.procedure_version_created").exists()


def test_a_version_on_or_after_the_date_is_skipped_with_the_reason(catalogue, tmp_path):
    output = run(
        write(tmp_path, with_badge(processing_time_working_days=3)),
        "--effective-date",
        "01/01/2025",
    )
    assert f"bỏ qua {BADGE}: đã có phiên bản hiệu lực từ 01/01/2025" in output
    assert Procedure.objects.filter(code=BADGE).count() == 1


def test_new_procedures_are_created_nulls_stay_not_published(catalogue, tmp_path):
    record = {
        "code": "9.999999",
        "name": "Thủ tục thử nghiệm mới",
        "sector": "road",
        "agency_level": ["province"],
        "implementing_agency": "Sở Xây dựng",
        "processing_time_working_days": None,
        "processing_time_unit": None,
        "fee_vnd": None,
        "online_level": "Mức độ 4",
        "legal_basis": None,
    }
    unknown = {**record, "code": "9.999998", "sector": "space"}
    output = run(write(tmp_path, [*RECORDS, record, unknown]), "--effective-date", "01/07/2026")
    assert "1 tạo mới, 0 phiên bản mới, 78 không đổi, 1 bỏ qua" in output
    assert "bỏ qua 9.999998: lĩnh vực lạ 'space'" in output
    created = Procedure.objects.get(code="9.999999")
    assert created.effective_from == date(2026, 7, 1)
    assert created.processing_time is None and created.fee_vnd is None
    assert created.service_level == ""  # no online form: not claimed as full process
    assert created.national_record == record


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "không phải JSON hợp lệ"),
        (b'{"code": "1"}', "phải chứa một danh sách"),
        (b'[{"name": "x"}]', "không có mã thủ tục"),
        (b'[{"code": "1.1", "name": ""}]', "không có tên thủ tục"),
        (b'[{"code": "1.1", "name": "a"}, {"code": "1.1", "name": "b"}]', "xuất hiện hai lần"),
        (b'[{"code": "1.1", "name": "a", "fee_vnd": -5}]', "fee_vnd âm"),
        # What would not fit the columns (a DataError on PostgreSQL) or not read as the loader
        # reads it: a clear error about the file, nothing written.
        (b'[{"code": "1.1", "name": "' + b"a" * 501 + b'"}]', "tên thủ tục .name. dài quá 500"),
        (b'[{"code": "1.1", "name": "a", "source": "' + b"u" * 501 + b'"}]', "source. dài quá"),
        (b'[{"code": "1.1", "name": "a", "source": 5}]', "source phải là văn bản"),
        (b'[{"code": "1.1", "name": "a", "sector": ["road"]}]', "sector phải là văn bản"),
        (
            b'[{"code": "1.1", "name": "a", "processing_time_working_days": "abc",'
            b' "processing_time_unit": "days"}]',
            "processing_time_working_days phải là số nguyên",
        ),
        (
            b'[{"code": "1.1", "name": "a", "processing_time_working_days": 40000,'
            b' "processing_time_unit": "working_days"}]',
            "processing_time_working_days phải là số nguyên",
        ),
        (b'[{"code": "1.1", "name": "a", "fee_vnd": 1e30}]', "fee_vnd không phải"),
        (b'[{"code": "1.1", "name": "a", "fee_vnd": NaN}]', "fee_vnd không phải"),
        (b'[{"code": "1.1", "name": "a", "agency_level": "province"}]', "agency_level phải"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_a_bad_file_is_a_clear_error_and_writes_nothing(catalogue, tmp_path, content, message):
    before = snapshot()
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), "--effective-date", "01/07/2026")
    assert snapshot() == before


def test_bad_arguments_are_clear_errors(catalogue, tmp_path):
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        run(write(tmp_path, RECORDS), "--effective-date", "2026-07-01")
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run(str(tmp_path / "missing.json"))
    with pytest.raises(ImportError_):
        parse_records(b"[1]")


def test_components_are_copied_not_moved(catalogue, tmp_path):
    old = Procedure.objects.get(code=BADGE)
    count = old.components.count()
    run(write(tmp_path, with_badge(fee_note="Lệ phí mới")), "--effective-date", "01/07/2026")
    assert old.components.count() == count
    assert Component.objects.filter(procedure__code=BADGE).count() == 2 * count


IMPORT_URL = "/admin/catalogue/procedure/import-national/"


def upload(client, content: bytes, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"effective_from": "01/07/2026", **fields}
    data["file"] = SimpleUploadedFile("export.json", content, content_type="application/json")
    return client.post(IMPORT_URL, data)


def test_administrators_upload_the_export_dry_run_first(catalogue, admin_client_vi):
    from motcua.core.models import AuditEntry

    listing = admin_client_vi.get("/admin/catalogue/procedure/").content.decode()
    assert IMPORT_URL in listing
    content = json.dumps(with_badge(processing_time_working_days=3)).encode()
    before = snapshot()
    dry = upload(admin_client_vi, content, dry_run="on")
    assert dry.status_code == 200
    text = dry.content.decode()
    assert "Chạy thử, không ghi gì" in text and f"phiên bản mới: {BADGE}" in text
    assert snapshot() == before
    done = upload(admin_client_vi, content)
    assert "1 phiên bản mới" in done.content.decode()
    assert Procedure.objects.filter(code=BADGE).count() == 2
    entry = AuditEntry.objects.get(action="catalogue.national_import")
    assert entry.data["new_versions"] == 1
    bad = upload(admin_client_vi, b"{oops")
    assert bad.status_code == 400
    assert "không phải JSON hợp lệ" in bad.content.decode()
    wrong_date = upload(admin_client_vi, content, effective_from="2026-07-01")
    assert "dd/mm/yyyy" in wrong_date.content.decode()


def test_the_upload_page_is_for_catalogue_administrators_only(catalogue, client, make_officer):
    from motcua.accounts.testing import login_officer

    officer = make_officer(email="canbo@example.vn", is_staff=True)
    login_officer(client, officer)
    assert client.get(IMPORT_URL).status_code == 403


def test_a_new_version_keeps_the_administrators_notes(catalogue, tmp_path):
    old = Procedure.objects.get(code=BADGE)
    old.notes = "Ghi chú nội bộ của quản trị: gọi trước cho phòng Vận tải."
    old.save(update_fields=["notes"])
    run(
        write(tmp_path, with_badge(processing_time_working_days=3, notes="Ghi chú mới của CSDL")),
        "--effective-date",
        "01/07/2026",
    )
    new = Procedure.objects.get(code=BADGE, effective_from=date(2026, 7, 1))
    assert new.notes == old.notes
    assert new.national_record["notes"] == "Ghi chú mới của CSDL"  # the record is kept whole


def test_an_upload_with_a_name_too_long_is_a_clear_error_and_writes_nothing(
    catalogue, admin_client_vi
):
    records = with_badge(processing_time_working_days=3)
    records.append({"code": "9.999999", "name": "T" * 501, "sector": "road"})
    before = snapshot()
    answer = upload(admin_client_vi, json.dumps(records).encode())
    assert answer.status_code == 400
    assert "dài quá 500 ký tự" in answer.content.decode()
    assert snapshot() == before
