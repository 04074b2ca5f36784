import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.workdays.calendar_file import DATA_FILE, read_calendar_file
from motcua.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db

ROWS = read_calendar_file()


def _load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_calendar", *args, stdout=out)
    return out.getvalue()


def _table() -> set[tuple]:
    return set(
        CalendarDay.objects.values_list("date", "kind", "name", "legal_basis", "is_verified")
    )


def test_the_data_migration_loaded_the_file():
    assert len(ROWS) == 45
    assert _table() == {
        (row.date, row.kind, row.name, row.legal_basis, row.is_verified) for row in ROWS
    }


def test_it_can_run_any_number_of_times():
    before = _table()

    assert "0 mới, 45 cập nhật, 11 chưa đối chiếu văn bản" in _load()
    assert "0 mới, 45 cập nhật" in _load()

    assert _table() == before


def test_it_restores_the_shipped_rows_and_keeps_the_administrators_own():
    CalendarDay.objects.filter(date="2026-09-01").update(name="Sửa nhầm")
    CalendarDay.objects.filter(date="2026-04-27").delete()
    CalendarDay.objects.create(date="2026-11-24", kind="holiday", name="Ngày Văn hóa Việt Nam")

    assert "1 mới, 44 cập nhật" in _load()

    assert CalendarDay.objects.get(date="2026-09-01").name == "Quốc khánh (ngày liền kề trước)"
    assert CalendarDay.objects.get(date="2026-04-27").kind == "day_off"
    assert CalendarDay.objects.filter(date="2026-11-24").exists()


def test_it_can_load_one_year():
    CalendarDay.objects.filter(date__year=2027).delete()

    assert "14 mới, 0 cập nhật, 8 chưa đối chiếu văn bản" in _load("--year", "2027")

    assert CalendarDay.objects.filter(date__year=2027).count() == 14


def test_it_refuses_a_malformed_file_and_changes_nothing(tmp_path):
    spec = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    spec["days"].append(
        {"date": "2026-03-11", "kind": "working_day", "name": "Thứ Tư", "is_verified": True}
    )
    broken = tmp_path / "holidays.json"
    broken.write_text(json.dumps(spec), encoding="utf-8")
    before = _table()

    with pytest.raises(CommandError, match="2026-03-11: a working_day must be a Saturday"):
        _load("--file", str(broken))

    assert _table() == before
