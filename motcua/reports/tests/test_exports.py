"""The exports (decision 0064): the XLSX laid out like form II.06a and the CSV, from hand-built
facts whose figures test_indicators works out; the background export with its progress; the
pages and who may use them."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management.color import no_style
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.catalogue.models import Agency
from motcua.core.models import AuditEntry
from motcua.factories import AgencyFactory, ProcedureFactory, UnitFactory, make_officer
from motcua.reports import aggregates, export_jobs, exports
from motcua.reports import indicators as ind
from motcua.reports.models import DossierFact, Export
from motcua.reports.tests.test_indicators import NOVEMBER, SCOPE, at, fact, history  # noqa: F401

pytestmark = pytest.mark.django_db

AGENCY = "Sở Giao thông vận tải tỉnh Khánh Hòa"


@pytest.fixture
def world(history):  # noqa: F811
    """test_indicators' history, with its agencies, sectors and procedures named."""
    parent = AgencyFactory(pk=10, name=AGENCY)
    AgencyFactory(pk=11, name="Trung tâm Đăng kiểm", parent=parent)
    with connection.cursor() as cursor:  # PostgreSQL's sequence past the ids given here
        for sql in connection.ops.sequence_reset_sql(no_style(), [Agency]):
            cursor.execute(sql)
    a = ProcedureFactory(code="A", name="Cấp phù hiệu xe ô tô", sector__name="Đường bộ")
    b = ProcedureFactory(code="B", name="Cấp giấy phép lái tàu", sector__name="Đường thủy")
    DossierFact.objects.filter(procedure_code="A").update(sector_id=a.sector_id)
    DossierFact.objects.filter(procedure_code="B").update(sector_id=b.sector_id)
    aggregates.rebuild()  # a queryset update bypasses the facts' recount (decision 0060)
    return a, b


def sheet_text(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def figures(ws, row: int) -> dict:
    return {
        column.key: ws.cell(row=row, column=index).value
        for index, column in enumerate(exports.FORM_COLUMNS, exports.FIRST)
    }


def row_of(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=2, max_col=2):
        if row[0].value and str(row[0].value).startswith(label):
            return row[0].row
    raise AssertionError(f"no row {label!r}")


def as_written(value):
    return float(value) if isinstance(value, Decimal) else value


def test_the_xlsx_is_laid_out_like_form_II06a(world):
    content = exports.build_xlsx(period=NOVEMBER, scope=SCOPE, made_on=date(2025, 12, 5))
    book = load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    text = sheet_text(ws)
    assert "Biểu số II.06a/VPCP/KSTT" in text
    assert "Kỳ báo cáo: 11/2025 (từ ngày 01/11/2025 đến ngày 30/11/2025)" in text
    assert f"Đơn vị báo cáo: {AGENCY}" in text
    assert "Ngày lập báo cáo: 05/12/2025" in text
    assert {"THỦ TRƯỞNG ĐƠN VỊ", "NGƯỜI LẬP BIỂU", "…, ngày 5 tháng 12 năm 2025"} <= set(text)
    # Merged headings: each group over its columns, "Trong kỳ" over online and counter.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A7:A9", "B7:B9", "C7:F7", "D8:E8", "C8:C9", "G7:J7", "K7:M7", "N7:N9"} <= merged
    assert ws["C7"].value == "Số hồ sơ nhận giải quyết"
    assert (ws["D8"].value, ws["D9"].value, ws["E9"].value) == (
        "Trong kỳ",
        "Trực tuyến",
        "Trực tiếp và dịch vụ bưu chính",
    )
    assert (ws["G7"].value, ws["H8"].value, ws["K7"].value, ws["L8"].value) == (
        "Số hồ sơ đã giải quyết",
        "Trả trước hạn",
        "Số hồ sơ đang giải quyết",
        "Trong hạn",
    )
    assert [ws.cell(row=10, column=n).value for n in (1, 2, 14)] == ["(1)", "(2)", "(14)"]
    assert ws.freeze_panes == "C11"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws["C7"].border.top.style == "thin"


def test_the_xlsx_figures_are_the_period_tables(world):
    a, b = world
    ws = load_workbook(io.BytesIO(exports.build_xlsx(period=NOVEMBER, scope=SCOPE))).worksheets[0]
    rows = {r["procedure_code"]: r for r in ind.period_table(period=NOVEMBER, scope=SCOPE)}
    for code in ("A", "B"):
        expected = {k: as_written(rows[code][k]) for k in figures(ws, 11)}
        assert figures(ws, row_of(ws, f"{code} – ")) == expected
    # Each sector's line sums its procedures; the last line is period_totals.
    road = figures(ws, row_of(ws, "Đường bộ"))
    assert road["to_handle"] == rows["A"]["to_handle"] == 3
    totals = ind.period_totals(period=NOVEMBER, scope=SCOPE)
    assert figures(ws, row_of(ws, "Tổng cộng")) == {k: as_written(totals[k]) for k in road}
    assert figures(ws, row_of(ws, "Tổng cộng"))["late_ratio"] == pytest.approx(33.33)
    assert ws.cell(row=row_of(ws, "Đường bộ"), column=1).value == "I"


def test_the_xlsx_second_sheet_has_the_decision_766_indicators(world):
    book = load_workbook(io.BytesIO(exports.build_xlsx(period=NOVEMBER, scope=SCOPE)))
    ws = book.worksheets[1]
    lines = {row[0]: row[1:] for row in ws.iter_rows(min_row=6, values_only=True) if row[0]}
    # On time: 3 of 5, 60 %, 12 of 20 points (test_indicators).
    assert lines["Tỷ lệ hồ sơ giải quyết đúng hạn"] == (60, 3, 5, 12, 20)
    assert lines["Tỷ lệ hồ sơ nộp trực tuyến"] == (60, 3, 5, 22, 22)
    assert lines["Tỷ lệ hồ sơ thanh toán trực tuyến"][:3] == (pytest.approx(66.67), 2, 3)
    assert lines["Thời gian giải quyết trung bình (ngày làm việc)"][0] == 4
    assert "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến" in lines


def test_the_csv_parses_and_matches_the_table(world):
    content = exports.build_csv(period=NOVEMBER, scope=SCOPE)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Lĩnh vực",
        "Mã thủ tục",
        "Tên thủ tục",
        "Số hồ sơ nhận giải quyết - Tổng số",
    ]
    assert "Số hồ sơ nhận giải quyết - Trong kỳ - Trực tuyến" in rows[0]
    table = {r["procedure_code"]: r for r in ind.period_table(period=NOVEMBER, scope=SCOPE)}
    keys = [c.key for c in exports.FORM_COLUMNS]
    by_code = {row[1]: row for row in rows[1:-1]}
    assert by_code["A"][:3] == ["Đường bộ", "A", "Cấp phù hiệu xe ô tô"]
    for code in ("A", "B"):
        assert by_code[code][3:] == [str(table[code][k]) for k in keys]
    totals = ind.period_totals(period=NOVEMBER, scope=SCOPE)
    assert rows[-1][0] == "Tổng cộng" and rows[-1][3:] == [str(totals[k]) for k in keys]
    assert len(rows) == 4


def test_an_empty_period_still_has_its_form_and_a_zero_total(world):
    empty = ind.month(year=2020, month=1)
    ws = load_workbook(io.BytesIO(exports.build_xlsx(period=empty, scope=SCOPE))).worksheets[0]
    total = figures(ws, row_of(ws, "Tổng cộng"))
    assert total["to_handle"] == 0 and total["late_ratio"] is None


def test_filenames_are_ascii():
    assert exports.filename(period=ind.quarter(year=2026, quarter=4), extension="xlsx") == (
        "bieu-II.06a-quy-4-2026.xlsx"
    )
    assert exports.filename(period=ind.month(year=2026, month=10), extension="csv") == (
        "bieu-II.06a-10-2026.csv"
    )


# ---------------------------------------------------------------------------------------
# In the background


@pytest.fixture
def manager(world):
    unit = UnitFactory(agency_id=10)
    return make_officer(unit.agency, (unit, Role.LEADER), full_name="Võ Thị Lan")


def test_an_export_runs_to_done_with_its_progress(manager, django_capture_on_commit_callbacks):
    seen = []
    real = exports.BUILDERS["xlsx"]

    def watched(**kwargs):
        progress = kwargs.pop("progress")

        def record(p):
            progress(p)
            seen.append(Export.objects.get().progress)

        return real(progress=record, **kwargs)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_jobs.start_export(user=manager, format="xlsx", period=NOVEMBER, scope=SCOPE)
    assert Export.objects.get().status == "queued"  # nothing built before the commit
    assert len(callbacks) == 1
    export_jobs.run_export(export_id=export.pk, builders={"xlsx": watched})
    export.refresh_from_db()
    assert seen[0] == 5 and seen[-1] == 95 and seen == sorted(seen) and len(seen) >= 4
    assert (export.status, export.progress, export.filename) == (
        "done",
        100,
        "bieu-II.06a-11-2025.xlsx",
    )
    book = load_workbook(export.file.open("rb"))
    assert "Tổng cộng" in sheet_text(book.worksheets[0])
    # Run again (a retried task): left as it is.
    name = export.file.name
    export_jobs.run_export(export_id=export.pk)
    export.refresh_from_db()
    assert export.file.name == name and export.status == "done"
    assert AuditEntry.objects.filter(action="report_export_started", actor=manager).count() == 1


def test_a_retried_running_export_is_built_again_and_its_file_replaced(manager):
    export = Export.objects.create(
        requested_by=manager,
        format="csv",
        parameters=export_jobs.parameters_of(period=NOVEMBER, scope=SCOPE),
        status="running",
        progress=40,
    )
    export_jobs.run_export(export_id=export.pk)
    export_jobs.run_export(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "done" and export.file.name.endswith(f"{export.uuid}.csv")
    assert export.file.read().decode("utf-8-sig").splitlines()[-1].startswith("Tổng cộng")


def test_a_failing_build_ends_failed_with_a_message(manager):
    export = Export.objects.create(
        requested_by=manager,
        format="xlsx",
        parameters=export_jobs.parameters_of(period=NOVEMBER, scope=SCOPE),
    )

    def broken(**kwargs):
        kwargs["progress"](30)
        raise MemoryError

    export_jobs.run_export(export_id=export.pk, builders={"xlsx": broken})
    export.refresh_from_db()
    assert export.status == "failed" and not export.file
    assert "Không tạo được tệp" in export.error and "MemoryError" in export.error


def test_old_exports_are_deleted_with_their_files_and_stale_ones_fail(manager, settings):
    from datetime import timedelta

    from django.utils import timezone

    export = Export.objects.create(
        requested_by=manager,
        format="csv",
        parameters=export_jobs.parameters_of(period=NOVEMBER, scope=SCOPE),
    )
    export_jobs.run_export(export_id=export.pk)
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    stuck = Export.objects.create(requested_by=manager, format="csv", status="running")
    later = timezone.now() + timedelta(hours=2)
    assert export_jobs.delete_old_exports(now=later) == {"deleted": 0, "stale": 1}
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.error
    much_later = timezone.now() + timedelta(days=settings.REPORTS_EXPORT_KEEP_DAYS, hours=1)
    assert export_jobs.delete_old_exports(now=much_later)["deleted"] == 2
    assert not storage.exists(name) and not Export.objects.exists()


def test_starting_exports_is_rate_limited(manager, settings):
    settings.REPORTS_EXPORTS_PER_HOUR = 2
    for _ in range(2):
        export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)
    with pytest.raises(export_jobs.ExportRefused, match="thử lại sau"):
        export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)


# ---------------------------------------------------------------------------------------
# The pages

LIST = reverse("reports:exports")
NOVEMBER_QUERY = "?kind=month&year=2025&number=11&agency=10"


def test_a_manager_starts_an_export_and_downloads_it(
    client, manager, django_capture_on_commit_callbacks
):
    login_officer(client, manager)
    page = client.get(LIST + NOVEMBER_QUERY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "11/2025 (từ ngày 01/11/2025 đến ngày 30/11/2025)" in html and AGENCY in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST + NOVEMBER_QUERY, {"format": "xlsx"})
    export = Export.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "reports:export", args=[export.uuid]
    )
    assert export.parameters["period"] == "2025-11" and export.parameters["agency"] == 10
    # Built after the request's commit (in the request, in tests).
    status = client.get(reverse("reports:export_status", args=[export.uuid])).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["download_url"] == reverse("reports:export_download", args=[export.uuid])
    detail = client.get(response.url).content.decode()
    assert '<progress class="w-100 d-block" id="export-progress" max="100" value="100">' in detail
    assert 'for="export-progress"' in detail and "100 %" in detail
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert 'attachment; filename="bieu-II.06a-11-2025.xlsx"' in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert f"Đơn vị báo cáo: {AGENCY}" in sheet_text(book.worksheets[0])
    assert AuditEntry.objects.filter(action="report_export_downloaded").count() == 1
    # The list shows it.
    assert export.description in client.get(LIST).content.decode()


def test_another_officers_export_is_a_404(client, manager):
    export = export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)
    other = make_officer(manager.agency, (UnitFactory(agency_id=10), Role.LEADER))
    login_officer(client, other)
    for name in ("reports:export", "reports:export_status", "reports:export_download"):
        assert client.get(reverse(name, args=[export.uuid])).status_code == 404


def test_a_desk_officer_may_not_export(client, manager):
    desk = make_officer(manager.agency, (UnitFactory(agency_id=10), Role.DESK))
    login_officer(client, desk)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST + NOVEMBER_QUERY, {"format": "csv"}).status_code == 403
    assert not Export.objects.exists()


def test_another_agency_is_refused(client, manager):
    stranger = AgencyFactory(name="Sở Y tế")
    login_officer(client, manager)
    query = f"?kind=month&year=2025&number=11&agency={stranger.pk}"
    response = client.post(LIST + query, {"format": "csv"})
    assert response.status_code == 400 and not Export.objects.exists()
    assert "Cơ quan:" in response.content.decode()  # the error summary names the field


@pytest.mark.parametrize(
    "query,post",
    [
        ("?kind=quarter&year=2025&number=7&agency=10", {"format": "csv"}),
        ("?kind=range&start=31/12/2025&end=01/01/2025&agency=10", {"format": "csv"}),
        ("?kind=year&year=abc&agency=10", {"format": "xlsx"}),
        ("?kind=nonsense&agency=10", {"format": "xlsx"}),
        (NOVEMBER_QUERY, {"format": "pdf"}),
        (NOVEMBER_QUERY, {}),
    ],
)
def test_bad_parameters_are_form_errors(client, manager, query, post):
    login_officer(client, manager)
    response = client.post(LIST + query, post)
    assert response.status_code == 400
    assert "Có lỗi cần sửa" in response.content.decode()
    assert not Export.objects.exists()
    assert client.get(LIST + query).status_code in (200, 400)


def test_too_many_exports_are_refused_with_a_message(client, manager, settings):
    settings.REPORTS_EXPORTS_PER_HOUR = 1
    login_officer(client, manager)
    assert client.post(LIST + NOVEMBER_QUERY, {"format": "csv"}).status_code == 302
    response = client.post(LIST + NOVEMBER_QUERY, {"format": "csv"})
    assert response.status_code == 429 and "Vui lòng thử lại sau" in response.content.decode()
    assert Export.objects.count() == 1


def test_a_national_reader_exports_the_whole_country(
    client, world, django_capture_on_commit_callbacks
):
    national = make_officer(None, full_name="Cục KSTTHC", is_superuser=True)
    login_officer(client, national)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST + "?kind=month&year=2025&number=11", {"format": "csv"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.parameters["agency"] is None
    rows = list(csv.reader(io.StringIO(export.file.read().decode("utf-8-sig"))))
    totals = ind.period_totals(period=NOVEMBER, scope=ind.Scope())
    assert rows[-1][3] == str(totals["to_handle"])


# ---------------------------------------------------------------------------------------
# Where the export is built


class Threads:
    """Stands for threading.Thread: records what would have been started."""

    def __init__(self):
        self.started = []

    def __call__(self, *, target, args, name, daemon):
        self.started.append((target, args, daemon))
        return self

    def start(self):
        pass


def test_without_a_broker_it_is_built_in_a_thread_not_in_the_request(
    manager, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORTS_EXPORT_IN_THREAD = True
    threads = Threads()
    monkeypatch.setattr(export_jobs.threading, "Thread", threads)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)
    export.refresh_from_db()
    assert export.status == "queued"  # the request did not build it
    [(target, args, daemon)] = threads.started
    assert target is export_jobs._in_thread and args == (export.pk,) and daemon
    export_jobs.run_export(export_id=args[0])  # what the thread runs
    export.refresh_from_db()
    assert export.status == "done"


def test_with_a_broker_it_goes_to_celery_or_a_thread_when_the_broker_is_down(
    manager, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from motcua.reports.tasks import build_export_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent, threads = [], Threads()
    monkeypatch.setattr(export_jobs.threading, "Thread", threads)
    monkeypatch.setattr(build_export_task, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        export = export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)
    assert sent == [(export.pk,)] and threads.started == []

    def down(args, **kw):
        raise ConnectionRefusedError

    monkeypatch.setattr(build_export_task, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        other = export_jobs.start_export(user=manager, format="csv", period=NOVEMBER, scope=SCOPE)
    assert [args for _t, args, _d in threads.started] == [(other.pk,)]


def test_beat_deletes_old_exports_daily():
    from motcua.celery import app
    from motcua.reports.tasks import delete_old_exports_task

    assert app.conf.beat_schedule["delete-old-exports"]["task"] == delete_old_exports_task.name


def test_a_progress_write_that_meets_a_locked_table_does_not_fail_the_export(manager, monkeypatch):
    """SQLite refuses a write while a page reads the export's status (a locked table): the
    progress is skipped, the export still ends done with its file."""
    export = Export.objects.create(
        requested_by=manager,
        format="csv",
        parameters=export_jobs.parameters_of(period=NOVEMBER, scope=SCOPE),
    )
    real_update = QuerySet.update

    def locked_for_progress(self, **kwargs):
        if set(kwargs) == {"progress"}:
            raise OperationalError("database table is locked: reports_export")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", locked_for_progress)
    export_jobs.run_export(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.progress) == ("done", 100) and export.file
