"""The period table (form II.06a) and the Decision 766 indicators as files: XLSX laid out
like the printed form, and CSV (decision 0064).

Both are written from the same `Report` (`collect`), and both name their columns from the
one list `FORM_COLUMNS`: the headings are kept once. `collect` reads the table one sector at
a time and says how far it got through `progress(percent)`, for the background export.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.catalogue.models import Agency, Sector
from motcua.core.text import fold
from motcua.reports import indicators as ind
from motcua.reports import labels

FORM_NUMBER = "II.06a/VPCP/KSTT"


@dataclass(frozen=True)
class Column:
    """A figure of the form: its key in a period_table row and its headings, top to bottom
    (the group, the sub-group, its own); empty headings are merged with the one above."""

    key: str
    label: str
    group: str = ""
    sub: str = ""
    width: int = 12


RECEIVED = gettext_lazy("Số hồ sơ nhận giải quyết")
RESOLVED = gettext_lazy("Số hồ sơ đã giải quyết")
IN_PROGRESS = gettext_lazy("Số hồ sơ đang giải quyết")
IN_PERIOD = gettext_lazy("Trong kỳ")
TOTAL = gettext_lazy("Tổng số")

FORM_COLUMNS = (
    Column("to_handle", TOTAL, RECEIVED),
    Column("received_online", gettext_lazy("Trực tuyến"), RECEIVED, IN_PERIOD),
    Column(
        "received_counter",
        gettext_lazy("Trực tiếp và dịch vụ bưu chính"),
        RECEIVED,
        IN_PERIOD,
        width=16,
    ),
    Column("carried_over", gettext_lazy("Từ kỳ trước"), RECEIVED),
    Column("resolved", TOTAL, RESOLVED),
    Column("resolved_early", gettext_lazy("Trả trước hạn"), RESOLVED),
    Column("resolved_on_time", gettext_lazy("Đúng hạn"), RESOLVED),
    Column("resolved_late", gettext_lazy("Quá hạn"), RESOLVED),
    Column("in_progress", TOTAL, IN_PROGRESS),
    Column("in_progress_within", gettext_lazy("Trong hạn"), IN_PROGRESS),
    Column("in_progress_overdue", gettext_lazy("Quá hạn"), IN_PROGRESS),
    Column("late_ratio", gettext_lazy("Tỷ lệ hồ sơ trễ hạn (%)"), width=13),
)
COUNT_KEYS = tuple(c.key for c in FORM_COLUMNS if c.key != "late_ratio")


@dataclass
class SectorBlock:
    name: str
    rows: list[dict]  # period_table rows, each with "procedure_name"
    subtotal: dict


@dataclass
class Report:
    period: ind.Period
    scope: ind.Scope
    agency_name: str
    receiver_name: str
    made_on: date
    sectors: list[SectorBlock] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    scope_notes: list[str] = field(default_factory=list)


def _noop(percent: int) -> None:
    pass


def period_text(period: ind.Period) -> str:
    """ "Quý 4/2026 (từ ngày 01/10/2026 đến ngày 31/12/2026)"."""
    dates = _("từ ngày %(start)s đến ngày %(end)s") % {
        "start": f"{period.start:%d/%m/%Y}",
        "end": f"{period.end:%d/%m/%Y}",
    }
    if period.kind == "range":
        return dates
    return f"{period.label} ({dates})"


def filename(*, period: ind.Period, extension: str) -> str:
    """ "bieu-II.06a-quy-4-2026.xlsx": ASCII, safe in every browser and file system."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(period.label)).strip("-")
    return f"bieu-II.06a-{slug}.{extension}"


def agency_names(agency_id: int | None) -> tuple[str, str]:
    """(the reporting unit, the unit the report goes to): the agency and its parent; the
    national figures go to the Government Office."""
    government = _("Văn phòng Chính phủ (Cục Kiểm soát thủ tục hành chính)")
    if agency_id is None:
        return _("Toàn quốc"), government
    agency = Agency.objects.select_related("parent").filter(pk=agency_id).first()
    if agency is None:
        return _("Cơ quan #%(id)s") % {"id": agency_id}, government
    return agency.name, agency.parent.name if agency.parent_id else government


def _sum(rows: list[dict]) -> dict:
    total = {key: sum(row[key] for row in rows) for key in COUNT_KEYS}
    total["late"] = total["resolved_late"] + total["in_progress_overdue"]
    total["late_ratio"] = ind.ratio(total["late"], total["to_handle"])
    return total


def collect(
    *,
    period: ind.Period,
    scope: ind.Scope,
    made_on: date | None = None,
    progress: Callable[[int], None] = _noop,
) -> Report:
    """The form's figures, one sector at a time (progress 5 → 85 %), then the totals and
    the indicators (→ 95 %)."""
    agency_name, receiver_name = agency_names(scope.agency_id)
    report = Report(
        period,
        scope,
        agency_name,
        receiver_name,
        made_on or timezone.localdate(),
        scope_notes=scope_notes(scope),
    )
    if scope.sector_id is not None:
        sector_ids = [scope.sector_id]
    else:
        sector_ids = sorted(
            set(
                ind.facts(scope=scope)
                .filter(received_at__lt=period.ends_at)
                .values_list("sector_id", flat=True)
                .distinct()
            )
        )
    progress(5)
    names = dict(Sector.objects.filter(pk__in=sector_ids).values_list("pk", "name"))
    for done, sector_id in enumerate(sector_ids, 1):
        rows = ind.period_table(period=period, scope=replace(scope, sector_id=sector_id))
        if rows:
            titles = labels.procedure_names({row["procedure_code"] for row in rows})
            for row in rows:
                row["procedure_name"] = titles.get(row["procedure_code"], "")
            name = names.get(sector_id) or _("Lĩnh vực #%(id)s") % {"id": sector_id}
            report.sectors.append(SectorBlock(name, rows, _sum(rows)))
        progress(5 + 80 * done // len(sector_ids))
    report.totals = ind.period_totals(period=period, scope=scope)
    report.indicators = ind.summary(period=period, scope=scope)
    report.indicators["online_services"] = ind.online_services(
        on=min(period.end, timezone.localdate()), agency_id=scope.agency_id
    )
    progress(95)
    return report


def scope_notes(scope: ind.Scope) -> list[str]:
    from motcua.dossiers.models import Dossier

    notes = []
    if scope.sector_id is not None:
        sector = Sector.objects.filter(pk=scope.sector_id).values_list("name", flat=True).first()
        notes.append(_("Lĩnh vực: %(name)s") % {"name": sector or scope.sector_id})
    if scope.procedure_code:
        name = labels.procedure_names({scope.procedure_code}).get(scope.procedure_code, "")
        notes.append(_("Thủ tục: %(code)s %(name)s") % {"code": scope.procedure_code, "name": name})
    if scope.channel:
        channel = dict(Dossier.Channel.choices).get(scope.channel, scope.channel)
        notes.append(_("Kênh nộp: %(channel)s") % {"channel": channel})
    return notes


# ---------------------------------------------------------------------------------------
# CSV


def csv_headings() -> list[str]:
    return [_("Lĩnh vực"), _("Mã thủ tục"), _("Tên thủ tục")] + [
        " - ".join(str(part) for part in (c.group, c.sub, c.label) if part) for c in FORM_COLUMNS
    ]


def _csv_value(value) -> str:
    return "" if value is None else str(value)


def write_csv(report: Report) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese right), one row per
    procedure, the totals last; ratios with a decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_headings())
    for block in report.sectors:
        for row in block.rows:
            writer.writerow(
                [block.name, row["procedure_code"], row["procedure_name"]]
                + [_csv_value(row[c.key]) for c in FORM_COLUMNS]
            )
    writer.writerow(
        [_("Tổng cộng"), "", ""] + [_csv_value(report.totals[c.key]) for c in FORM_COLUMNS]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------
# XLSX

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
BOLD = Font(name="Times New Roman", bold=True, size=12)
PLAIN = Font(name="Times New Roman", size=12)
ITALIC = Font(name="Times New Roman", italic=True, size=12)
TITLE = Font(name="Times New Roman", bold=True, size=13)
FIRST = 3  # the form's figures start in column C (A: STT, B: sector / procedure)
HEADER_ROW = 7  # three heading rows, then the column numbers
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def _put(ws: Worksheet, cell: str, value, *, font=PLAIN, align=CENTRE, merge: str = ""):
    if merge:
        ws.merge_cells(f"{cell}:{merge}")
    ws[cell] = value
    ws[cell].font = font
    ws[cell].alignment = align


def _last_column() -> str:
    return get_column_letter(FIRST + len(FORM_COLUMNS) - 1)


def _heading(ws: Worksheet, report: Report) -> None:
    last = _last_column()
    left_end, right_start = "C", get_column_letter(FIRST + len(FORM_COLUMNS) - 4)
    middle_end = get_column_letter(FIRST + len(FORM_COLUMNS) - 5)
    _put(ws, "A1", _("Biểu số %(n)s") % {"n": FORM_NUMBER}, font=BOLD, merge=f"{left_end}1")
    _put(
        ws,
        "A2",
        _("Ngày lập báo cáo: %(d)s") % {"d": f"{report.made_on:%d/%m/%Y}"},
        font=ITALIC,
        merge=f"{left_end}2",
    )
    _put(
        ws,
        "D1",
        _("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        font=TITLE,
        merge=f"{middle_end}1",
    )
    _put(
        ws,
        "D2",
        _("TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        font=TITLE,
        merge=f"{middle_end}2",
    )
    _put(
        ws,
        "D3",
        _("Kỳ báo cáo: %(period)s") % {"period": period_text(report.period)},
        font=BOLD,
        merge=f"{middle_end}3",
    )
    for row, text in (
        (1, _("Đơn vị báo cáo: %(name)s") % {"name": report.agency_name}),
        (2, _("Đơn vị nhận báo cáo: %(name)s") % {"name": report.receiver_name}),
        (3, _("Đơn vị tính: hồ sơ")),
    ):
        _put(ws, f"{right_start}{row}", text, font=PLAIN, align=LEFT, merge=f"{last}{row}")
    if report.scope_notes:
        _put(ws, "A4", "; ".join(report.scope_notes), font=ITALIC, merge=f"{last}4")
    for row in (1, 2, 3):
        ws.row_dimensions[row].height = 32


def _table_heading(ws: Worksheet) -> None:
    """Three rows of merged headings (group, sub-group, own) and the column numbers."""
    top, mid, low, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2, HEADER_ROW + 3
    _put(ws, f"A{top}", _("STT"), font=BOLD, merge=f"A{low}")
    _put(ws, f"B{top}", _("Lĩnh vực, thủ tục hành chính"), font=BOLD, merge=f"B{low}")
    columns = list(enumerate(FORM_COLUMNS, FIRST))
    i = 0
    while i < len(columns):
        index, column = columns[i]
        letter = get_column_letter(index)
        if not column.group:
            _put(ws, f"{letter}{top}", str(column.label), font=BOLD, merge=f"{letter}{low}")
            i += 1
            continue
        run = [c for c in columns[i:] if c[1].group == column.group]
        run = run[: next((k for k, c in enumerate(run) if c[0] != index + k), len(run))]
        end = get_column_letter(run[-1][0])
        _put(ws, f"{letter}{top}", str(column.group), font=BOLD, merge=f"{end}{top}")
        j = 0
        while j < len(run):
            sub_index, sub_column = run[j]
            sub_letter = get_column_letter(sub_index)
            if not sub_column.sub:
                _put(ws, f"{sub_letter}{mid}", str(sub_column.label), font=BOLD)
                ws.merge_cells(f"{sub_letter}{mid}:{sub_letter}{low}")
                j += 1
                continue
            same = [c for c in run[j:] if c[1].sub == sub_column.sub]
            sub_end = get_column_letter(same[-1][0])
            _put(ws, f"{sub_letter}{mid}", str(sub_column.sub), font=BOLD, merge=f"{sub_end}{mid}")
            for leaf_index, leaf in same:
                _put(ws, f"{get_column_letter(leaf_index)}{low}", str(leaf.label), font=BOLD)
            j += len(same)
        i += len(run)
    for n in range(1, FIRST + len(FORM_COLUMNS)):
        _put(ws, f"{get_column_letter(n)}{numbers}", f"({n})", font=ITALIC)
    ws.row_dimensions[low].height = 48


def _figures(ws: Worksheet, row: int, figures: dict, *, font=PLAIN) -> None:
    for index, column in enumerate(FORM_COLUMNS, FIRST):
        cell = ws.cell(row=row, column=index, value=figures[column.key])
        cell.font = font
        cell.alignment = Alignment(horizontal="right", vertical="center")
        cell.number_format = "0.00" if column.key == "late_ratio" else "#,##0"


def _label(ws: Worksheet, row: int, number, text: str, *, font=PLAIN) -> None:
    ws.cell(row=row, column=1, value=number).font = font
    ws.cell(row=row, column=1).alignment = CENTRE
    ws.cell(row=row, column=2, value=text).font = font
    ws.cell(row=row, column=2).alignment = LEFT


def _signatures(ws: Worksheet, row: int, report: Report) -> None:
    last = _last_column()
    right = get_column_letter(FIRST + len(FORM_COLUMNS) - 5)
    made = report.made_on
    _put(
        ws,
        f"{right}{row}",
        _("…, ngày %(d)s tháng %(m)s năm %(y)s") % {"d": made.day, "m": made.month, "y": made.year},
        font=ITALIC,
        merge=f"{last}{row}",
    )
    _put(ws, f"A{row + 1}", _("NGƯỜI LẬP BIỂU"), font=BOLD, merge=f"D{row + 1}")
    _put(ws, f"A{row + 2}", _("(Ký, ghi rõ họ tên)"), font=ITALIC, merge=f"D{row + 2}")
    _put(ws, f"{right}{row + 1}", _("THỦ TRƯỞNG ĐƠN VỊ"), font=BOLD, merge=f"{last}{row + 1}")
    _put(
        ws,
        f"{right}{row + 2}",
        _("(Ký, đóng dấu, ghi rõ họ tên)"),
        font=ITALIC,
        merge=f"{last}{row + 2}",
    )


def _form_sheet(ws: Worksheet, report: Report) -> None:
    ws.title = _("Biểu II.06a")
    _heading(ws, report)
    _table_heading(ws)
    row = HEADER_ROW + 4
    first_data = row
    for number, block in enumerate(report.sectors, 1):
        _label(ws, row, _roman(number), block.name, font=BOLD)
        _figures(ws, row, block.subtotal, font=BOLD)
        row += 1
        for n, line in enumerate(block.rows, 1):
            _label(ws, row, n, f"{line['procedure_code']} – {line['procedure_name']}".strip(" –"))
            _figures(ws, row, line)
            row += 1
    _label(ws, row, "", _("Tổng cộng"), font=BOLD)
    _figures(ws, row, report.totals, font=BOLD)
    last_row = row
    for line in ws.iter_rows(
        min_row=HEADER_ROW, max_row=last_row, min_col=1, max_col=FIRST + len(FORM_COLUMNS) - 1
    ):
        for cell in line:
            cell.border = BOX
    _signatures(ws, last_row + 2, report)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 48
    for index, column in enumerate(FORM_COLUMNS, FIRST):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = ws.cell(row=first_data, column=FIRST)
    _print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 3}")


def _print_setup(ws: Worksheet, *, title_rows: str = "") -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows


def indicator_rows(report: Report) -> list[list]:
    """[name, rate, numerator, denominator, points, maximum] per Decision 766 indicator."""
    rows = []
    for key, name in labels.INDICATORS:
        i = report.indicators[key]
        rows.append([str(name), i.rate, i.numerator, i.denominator, i.points, i.maximum])
    return rows


def _indicator_sheet(ws: Worksheet, report: Report) -> None:
    ws.title = _("Chỉ số QĐ 766")
    _put(ws, "A1", _("CHỈ SỐ ĐÁNH GIÁ THEO QUYẾT ĐỊNH 766/QĐ-TTg"), font=TITLE, merge="F1")
    _put(ws, "A2", _("Đơn vị: %(name)s") % {"name": report.agency_name}, font=BOLD, merge="F2")
    _put(
        ws,
        "A3",
        _("Kỳ báo cáo: %(period)s") % {"period": period_text(report.period)},
        font=BOLD,
        merge="F3",
    )
    headings = [_("Chỉ số"), _("Tỷ lệ (%)"), _("Tử số"), _("Mẫu số"), _("Điểm"), _("Điểm tối đa")]
    for index, text in enumerate(headings, 1):
        _put(ws, f"{get_column_letter(index)}5", text, font=BOLD)
    row = 6
    for values in indicator_rows(report):
        for index, value in enumerate(values, 1):
            cell = ws.cell(row=row, column=index, value=value)
            cell.font = PLAIN
            cell.alignment = LEFT if index == 1 else Alignment(horizontal="right")
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
        row += 1
    average, within = report.indicators["average_days"], report.indicators["within_days"]
    for text, value in (
        (labels.LABELS["average_days"], average),
        (labels.LABELS["within_days"], within),
    ):
        text = f"{text} ({_('ngày làm việc')})"
        ws.cell(row=row, column=1, value=text).font = PLAIN
        ws.cell(row=row, column=1).alignment = LEFT
        ws.cell(row=row, column=2, value=value).font = PLAIN
        row += 1
    for line in ws.iter_rows(min_row=5, max_row=row - 1, min_col=1, max_col=6):
        for cell in line:
            cell.border = BOX
    ws.column_dimensions["A"].width = 52
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 13
    ws.freeze_panes = "B6"
    _print_setup(ws)


def write_xlsx(report: Report) -> bytes:
    book = Workbook()
    _form_sheet(book.active, report)
    _indicator_sheet(book.create_sheet(), report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_xlsx(
    *,
    period: ind.Period,
    scope: ind.Scope,
    made_on: date | None = None,
    progress: Callable[[int], None] = _noop,
) -> bytes:
    return write_xlsx(collect(period=period, scope=scope, made_on=made_on, progress=progress))


def build_csv(
    *,
    period: ind.Period,
    scope: ind.Scope,
    made_on: date | None = None,
    progress: Callable[[int], None] = _noop,
) -> bytes:
    return write_csv(collect(period=period, scope=scope, made_on=made_on, progress=progress))


BUILDERS = {"xlsx": build_xlsx, "csv": build_csv}
