"""Issuing the statutory documents and keeping the desk's tracking book (DOMAIN.md section 7)."""

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation

from motcua.accounts.models import Unit
from motcua.core.dates import DOCUMENT_TIME_ZONE, vietnam_year
from motcua.core.events import DocumentIssued
from motcua.core.outbox import publish
from motcua.documents.context import (
    agency_context,
    control_sheet_context,
    dossier_context,
)
from motcua.documents.models import IssuedDocument, NumberSequence, TrackingBookEntry
from motcua.documents.render import FORMS, html_to_pdf, render_html
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.signing.services import slip_signature

_TABLE = NumberSequence._meta.db_table
# Same technique as dossier codes (motcua/dossiers/codes.py, decision 0003): one upsert that
# creates or bumps the counter and returns it. The row stays locked until the caller's
# transaction ends, so numbers are unique and gapless even under concurrent issuing.
_NEXT_SQL = (
    f"INSERT INTO {_TABLE} (scope, year, last_value) VALUES (%s, %s, 1) "  # noqa: S608 (table name is ours)
    f"ON CONFLICT (scope, year) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)


def allocate_number(scope: str, year: int) -> int:
    """The next number in `scope` for `year`; call inside the transaction that stores it."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [scope, year])
        (number,) = cursor.fetchone()
    return number


def _recipient(dossier: Dossier) -> str:
    return dossier.applicant_email or dossier.applicant.email or ""


def issue_document(
    *,
    dossier: Dossier,
    kind: str,
    actor,
    event: DossierEvent | None = None,
    data: dict | None = None,
    addressed_to_applicant: bool = True,
) -> IssuedDocument:
    """Issue a statutory slip on `dossier` (forms 01–05, notice of stop) and keep it.

    Numbers it (per receiving agency and year, "15/2026"), renders the HTML and the PDF
    from the dossier as it is now (in memory: call it after changing the dossier, in the
    same transaction), stores both with the PDF's SHA-256, and after commit e-mails the
    applicant when the document is addressed to them. On an online dossier the PDF is signed
    with the agency's key and registered for public verification (motcua.results). `data` is what the officer entered:
    supplement {"items": [{"component", "reason"}], "note", "contact"}; refusal
    {"reasons"}; apology {"reason", "new_due_at"}; stop {"reason"}.
    """
    kind = IssuedDocument.Kind(kind).value
    data = dict(data or {})
    agency = dossier.receiving_agency
    issued_at = timezone.now()
    year = vietnam_year(issued_at)
    with transaction.atomic():
        number = f"{allocate_number(f'document:agency:{agency.pk}', year)}/{year}"
        html = document_html(
            dossier, kind=kind, actor=actor, data=data, number=number, issued_at=issued_at
        )
        # Issued electronically (online dossier): signed like a result and verifiable.
        signature = slip_signature(dossier)
        if signature is not None:
            html = signature.add_footer(html)
        pdf = html_to_pdf(html)
        if signature is not None:
            pdf = signature.sign(pdf, reason=f"{IssuedDocument.Kind(kind).label} số {number}")
        document = IssuedDocument(
            dossier=dossier,
            agency=agency,
            kind=kind,
            number=number,
            issued_at=issued_at,
            issued_by=actor,
            event=event,
            data=data,
            html=html,
            sha256=hashlib.sha256(pdf).hexdigest(),
            addressed_to_applicant=addressed_to_applicant,
        )
        document.pdf.save("document.pdf", ContentFile(pdf), save=False)
        document.save()
        if signature is not None:
            signature.register_slip(document)
        publish(
            DocumentIssued.about(
                dossier,
                action=kind,
                actor=actor,
                document_id=document.pk,
                kind=kind,
                addressed_to_applicant=bool(addressed_to_applicant and _recipient(dossier)),
            )
        )
    return document


def document_html(
    dossier: Dossier,
    *,
    kind: str,
    actor,
    data: dict,
    number: str,
    issued_at: datetime,
    preview: bool = False,
) -> str:
    """The document's HTML: the one rendering both issuing and the officer's preview use."""
    if kind == IssuedDocument.Kind.CONTROL_SHEET:
        context = {**control_sheet_context(dossier), "number": number, "issued_at": issued_at}
    else:
        context = dossier_context(
            dossier, kind=kind, number=number, issued_at=issued_at, issued_by=actor, data=data
        )
    context["preview"] = preview
    return render_html(kind, context)


def preview_document_html(*, dossier: Dossier, kind: str, actor, data: dict | None = None) -> str:
    """What issue_document would issue now on `dossier` (as the caller has changed it in
    memory) with `data`: the same context and template, marked as a preview, without a
    number, a signature or anything written (decision 0053)."""
    kind = IssuedDocument.Kind(kind).value
    return document_html(
        dossier,
        kind=kind,
        actor=actor,
        data=dict(data or {}),
        number="",
        issued_at=timezone.now(),
        preview=True,
    )


def register_in_tracking_book(dossier: Dossier, desk_unit: Unit) -> TrackingBookEntry:
    """Write the dossier into the desk's tracking book (form 06); idempotent per dossier.

    The line is numbered in the year of acceptance, continuing the desk's numbering.
    """
    existing = TrackingBookEntry.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    year = vietnam_year(dossier.accepted_at or timezone.now())
    try:
        with transaction.atomic():
            number = allocate_number(f"book:unit:{desk_unit.pk}", year)
            return TrackingBookEntry.objects.create(
                unit=desk_unit, year=year, number=number, dossier=dossier
            )
    except IntegrityError:
        # Registered by a parallel request since the check: its line stands, ours (and
        # its number) rolled back.
        return TrackingBookEntry.objects.get(dossier=dossier)


def control_sheet_html(dossier: Dossier) -> str:
    """Form 05 as HTML, from the dossier's hand-overs now (on demand, not stored)."""
    return render_html("control_sheet", control_sheet_context(dossier))


def control_sheet_pdf(dossier: Dossier) -> bytes:
    return html_to_pdf(control_sheet_html(dossier))


# ---------------------------------------------------------------------------------------
# The tracking book (sổ theo dõi hồ sơ, form 06)


@dataclass(frozen=True)
class BookRow:
    number: int
    dossier_uuid: str
    code: str
    procedure: str
    sets: int
    applicant: str
    address_phone: str
    handling_agency: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_at: datetime | None
    result_back_at: datetime | None
    returned_at: datetime | None
    notes: str


def _notes(dossier: Dossier) -> str:
    notes = []
    with translation.override("vi"):
        if dossier.status in (Status.NOT_ACCEPTED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED):
            notes.append(str(dossier.get_status_display()))
    if dossier.extension_count:
        notes.append("Đã xin lỗi, hẹn lại ngày trả")
    if dossier.returned_at and dossier.due_at and dossier.returned_at > dossier.due_at:
        notes.append("Trả kết quả quá hạn")
    return "; ".join(notes)


def tracking_book_rows(unit: Unit, year: int) -> list[BookRow]:
    """The desk's book for `year` in number order, in a single query.

    "Transferred" is the first hand-over after acceptance to a unit other than the desk.
    """
    first_transfer = (
        DossierEvent.objects.filter(
            dossier_id=OuterRef("dossier_id"), at__gte=OuterRef("dossier__accepted_at")
        )
        .filter(Q(action="forward") | ~Q(to_unit_name=""))
        .exclude(to_unit_name=unit.name)
        .order_by("at", "id")
        .values("at")[:1]
    )
    entries = (
        TrackingBookEntry.objects.filter(unit=unit, year=year)
        .select_related("dossier__procedure__agency", "dossier__applicant")
        .defer("dossier__form_data", "dossier__prefill_sources", "dossier__search_text")
        .annotate(transferred_at=Subquery(first_transfer))
        .order_by("number")
    )
    rows = []
    for entry in entries:
        dossier = entry.dossier
        applicant = dossier.applicant
        phone = dossier.applicant_phone or applicant.phone or ""
        rows.append(
            BookRow(
                number=entry.number,
                dossier_uuid=str(dossier.uuid),
                code=dossier.code or "",
                procedure=dossier.procedure.name,
                sets=1,
                applicant=dossier.applicant_name or applicant.display_name,
                address_phone=", ".join(p for p in (applicant.address, phone) if p),
                handling_agency=dossier.procedure.agency.name,
                received_at=dossier.accepted_at or dossier.submitted_at,
                due_at=dossier.due_at,
                transferred_at=entry.transferred_at,
                result_back_at=dossier.finished_at,
                returned_at=dossier.returned_at,
                notes=_notes(dossier),
            )
        )
    return rows


def tracking_book_html(unit: Unit, year: int, rows: list[BookRow] | None = None) -> str:
    rows = tracking_book_rows(unit, year) if rows is None else rows
    context = {
        "agency": agency_context(unit.agency),
        "issued_at": timezone.now(),
        "unit_name": unit.name,
        "year": year,
        "rows": rows,
    }
    return render_html("tracking_book", context)


def tracking_book_pdf(unit: Unit, year: int) -> bytes:
    """The book for `year` on A4 landscape."""
    return html_to_pdf(tracking_book_html(unit, year))


BOOK_HEADERS = (
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tên thủ tục hành chính", 40),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 26),
    ("Địa chỉ, số điện thoại", 32),
    ("Cơ quan chủ trì giải quyết", 28),
    ("Ngày nhận hồ sơ", 13),
    ("Ngày hẹn trả kết quả", 13),
    ("Ngày chuyển hồ sơ đến cơ quan giải quyết", 15),
    ("Ngày nhận kết quả từ cơ quan giải quyết", 15),
    ("Ngày trả kết quả cho tổ chức, cá nhân", 15),
    ("Ghi chú", 24),
)


def _local_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    with timezone.override(DOCUMENT_TIME_ZONE):
        return timezone.localdate(moment)


def tracking_book_xlsx(unit: Unit, year: int) -> bytes:
    """The book for `year` as an Excel workbook: Vietnamese headers, real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Sổ theo dõi {year}"
    sheet.append([f"{FORMS['tracking_book'].title.upper()} – {unit.name} – NĂM {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{unit.agency.name}"])
    sheet.append([header for header, _width in BOOK_HEADERS])
    header_row = 3
    for column, (_header, width) in enumerate(BOOK_HEADERS, start=1):
        cell = sheet.cell(row=header_row, column=column)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    date_columns = range(8, 13)
    for row in tracking_book_rows(unit, year):
        sheet.append(
            [
                row.number,
                row.code,
                row.procedure,
                row.sets,
                row.applicant,
                row.address_phone,
                row.handling_agency,
                _local_date(row.received_at),
                _local_date(row.due_at),
                _local_date(row.transferred_at),
                _local_date(row.result_back_at),
                _local_date(row.returned_at),
                row.notes,
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.column in date_columns:
                cell.number_format = "dd/mm/yyyy"
            elif cell.data_type == "f":
                # What people typed is text, never a formula (=HYPERLINK(...) in a name).
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
