import re

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from motcua.accounts.decorators import officer_required, verified_login_required
from motcua.accounts.models import Unit
from motcua.core.retention import file_removed
from motcua.documents import services
from motcua.documents.models import IssuedDocument, TrackingBookEntry
from motcua.documents.render import FORMS
from motcua.dossiers import access, access_log, acting
from motcua.dossiers.models import AccessRecord, Dossier

# The stored document HTML is a standalone page with its own <style>; it may load our
# fonts and data: images (the QR code), nothing else, and runs no script.
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ascii(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "ho-so"


def _private(response, filename: str | None = None):
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def _officer_may_view(user, dossier: Dossier) -> bool:
    return user.kind == user.Kind.OFFICER and access.can_view_dossier(user, dossier)


def _document_for(request, dossier_uuid, document_id) -> IssuedDocument:
    """The document if the user is its applicant (documents addressed to them) or an officer
    who may see the dossier; anyone else gets the same 404 as for a document that is not."""
    document = (
        IssuedDocument.objects.select_related("dossier")
        .filter(pk=document_id, dossier__uuid=dossier_uuid)
        .first()
    )
    if document is None:
        raise Http404
    user, dossier = request.user, document.dossier
    if document.addressed_to_applicant and acting.applicant_may(user, dossier) is not None:
        return document
    if _officer_may_view(user, dossier):
        return document
    raise Http404


def _record_document(request, document: IssuedDocument) -> None:
    """An officer's view of a document (the applicant's own are not recorded)."""
    if acting.applicant_may(request.user, document.dossier) is None:
        access_log.record_view(
            actor=request.user,
            kind=AccessRecord.Kind.DOCUMENT,
            dossier=document.dossier,
            object_id=document.pk,
            label=f"{document.get_kind_display()} {document.number}",
            request=request,
        )


@require_GET
@verified_login_required
def document_pdf(request, dossier_uuid, document_id):
    document = _document_for(request, dossier_uuid, document_id)
    if document.dossier.purged_at:
        return file_removed(request, purged_at=document.dossier.purged_at)
    filename = (
        f"{FORMS[document.kind].slug}-{_ascii(document.dossier.code or str(document.pk))}.pdf"
    )
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf")
    _record_document(request, document)
    return _private(response, filename)


@require_GET
@verified_login_required
@xframe_options_sameorigin
def document_html(request, dossier_uuid, document_id):
    document = _document_for(request, dossier_uuid, document_id)
    if document.dossier.purged_at:
        return file_removed(request, purged_at=document.dossier.purged_at)
    response = HttpResponse(document.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = DOCUMENT_CSP
    _record_document(request, document)
    return _private(response)


@require_GET
@officer_required
def control_sheet(request, dossier_uuid):
    dossier = get_object_or_404(
        Dossier.objects.select_related("procedure__agency", "receiving_agency", "applicant"),
        uuid=dossier_uuid,
    )
    if not _officer_may_view(request.user, dossier):
        raise Http404
    response = HttpResponse(services.control_sheet_pdf(dossier), content_type="application/pdf")
    access_log.record_view(
        actor=request.user, kind=AccessRecord.Kind.CONTROL_SHEET, dossier=dossier, request=request
    )
    return _private(response, f"phieu-kiem-soat-{_ascii(dossier.code or str(dossier.uuid))}.pdf")


def _desk_unit(user, unit_id: int) -> Unit:
    unit = access.member_desk_units(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def _record_tracking_book(request, unit: Unit, year: int, form: str) -> None:
    """The book lists many applicants: one record per page or export, for the desk, with no
    one dossier (decision 37)."""
    membership = next((m for m in access.memberships(request.user) if m.unit_id == unit.pk), None)
    access_log.record_view(
        actor=request.user,
        kind=AccessRecord.Kind.TRACKING_BOOK,
        label=f"{unit.name} {year} ({form})",
        membership=membership,
        purpose=AccessRecord.Purpose.HANDLING,
        request=request,
    )


@require_GET
@officer_required
def tracking_book(request):
    """The desk's tracking book (sổ theo dõi hồ sơ) for one year, with its exports."""
    units = list(access.member_desk_units(request.user))
    if not units:
        raise PermissionDenied
    try:
        unit_id = int(request.GET.get("unit", units[0].pk))
    except ValueError:
        unit_id = units[0].pk
    unit = next((u for u in units if u.pk == unit_id), None)
    if unit is None:
        raise Http404
    this_year = timezone.localdate().year
    years = sorted(
        set(TrackingBookEntry.objects.filter(unit=unit).values_list("year", flat=True).distinct())
        | {this_year},
        reverse=True,
    )
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if year not in years:
        year = this_year
    context = {
        "units": units,
        "unit": unit,
        "years": years,
        "year": year,
        "rows": services.tracking_book_rows(unit, year),
    }
    response = render(request, "documents/tracking_book_page.html", context)
    _record_tracking_book(request, unit, year, "HTML")
    return response


@require_GET
@officer_required
def tracking_book_xlsx(request, unit_id, year):
    unit = _desk_unit(request.user, unit_id)
    response = HttpResponse(services.tracking_book_xlsx(unit, year), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="so-theo-doi-{_ascii(unit.code)}-{year}.xlsx"'
    )
    _record_tracking_book(request, unit, year, "Excel")
    return _private(response)


@require_GET
@officer_required
def tracking_book_pdf(request, unit_id, year):
    unit = _desk_unit(request.user, unit_id)
    response = HttpResponse(services.tracking_book_pdf(unit, year), content_type="application/pdf")
    _record_tracking_book(request, unit, year, "PDF")
    return _private(response, f"so-theo-doi-{_ascii(unit.code)}-{year}.pdf")
