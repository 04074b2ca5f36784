"""Once-only: an applicant gives an earlier signed result of theirs as a component of a new
dossier instead of uploading it again (decision 0083).

The dossier keeps a byte-for-byte copy of the signed PDF as an ordinary attachment, marked
with its origin (dossiers.Attachment.reused_result_id and origin): the copy's SHA-256 is the
result's, so its signature verifies and /verify/ recognises it, and it stays in the dossier
whatever later happens to the original.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue.models import Component
from motcua.core.audit import record_audit
from motcua.core.dates import VIETNAM
from motcua.dossiers import acting
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Attachment, Dossier
from motcua.results.models import ResultDocument
from motcua.signing.models import Revocation


class ReuseRefused(Exception):
    """The result cannot be given for this component; the message says why, in Vietnamese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def valid_until(result: ResultDocument) -> date | None:
    """The last day the result is valid, when its face says so (each badge's "valid_until";
    a result with several is valid until the earliest), else None: valid without limit."""
    face = result.data or {}
    texts = [face.get("valid_until")] + [b.get("valid_until") for b in face.get("badges", [])]
    days = []
    for text in texts:
        try:
            days.append(datetime.strptime(str(text), "%d/%m/%Y").date())
        except (TypeError, ValueError):
            continue
    return min(days) if days else None


def _theirs(applicant, *, seen_by=None):
    """The applicant's results whose files are still kept; with `seen_by`, only those of
    dossiers that person may see (an agent: within their letter's procedures)."""
    results = ResultDocument.objects.filter(
        dossier__applicant=applicant, dossier__purged_at__isnull=True
    ).select_related("agency", "dossier__procedure")
    if seen_by is not None:
        results = results.filter(dossier__in=acting.dossiers_for(seen_by).values("pk"))
    return results


def _revoked_ids(results) -> set[int]:
    return set(
        Revocation.objects.filter(document__result__in=results).values_list(
            "document__result_id", flat=True
        )
    )


def reusable_results(
    *, applicant, component: Component, seen_by=None, on: date | None = None
) -> list:
    """The applicant's signed results `component` accepts: of an accepted procedure, not
    revoked, not expired on `on` (today), of dossiers `seen_by` (the person acting) may see.
    Newest first."""
    if not component.reusable_results:
        return []
    today = on or timezone.localdate()
    results = _theirs(applicant, seen_by=seen_by)
    if "*" not in component.reusable_results:
        results = results.filter(dossier__procedure__code__in=component.reusable_results)
    results = list(results.order_by("-issued_at", "-id")[:50])
    revoked = _revoked_ids(results)
    return [
        r
        for r in results
        if r.pk not in revoked and ((until := valid_until(r)) is None or until >= today)
    ]


def origin_of(result: ResultDocument) -> dict:
    return {
        "number": result.number,
        "title": result.title,
        "agency": result.agency.name,
        "issued_on": timezone.localtime(result.issued_at, VIETNAM).strftime("%d/%m/%Y"),
    }


def _filename(result: ResultDocument) -> str:
    return f"ket-qua-{re.sub(r'[^A-Za-z0-9]+', '-', result.number).strip('-') or result.pk}.pdf"


def reuse_result(
    *, dossier: Dossier, component: Component, result_id, applicant, request=None
) -> Attachment:
    """Attach a copy of a result `result_id` of the dossier's applicant of record to
    `component` of the draft (or of a supplement); `applicant` is the person acting, who must
    be allowed to act on it (dossiers.acting). Raises ResultDocument.DoesNotExist when the
    result is not the applicant's (a 404: another person's result is indistinguishable from
    none) and ReuseRefused otherwise."""
    if (
        acting.applicant_may(applicant, dossier, act=True) is None
        or component.procedure_id != dossier.procedure_id
    ):
        raise ResultDocument.DoesNotExist
    try:
        result = _theirs(dossier.applicant, seen_by=applicant).get(pk=int(result_id))
    except (TypeError, ValueError):
        raise ResultDocument.DoesNotExist from None
    if not component.accepts_result_of(result.dossier.procedure.code):
        raise ReuseRefused(
            _("Thành phần “%(c)s” không nhận %(title)s.")
            % {"c": component.name, "title": result.title}
        )
    if _revoked_ids([result]):
        raise ReuseRefused(_("Kết quả số %(n)s đã bị thu hồi.") % {"n": result.number})
    until = valid_until(result)
    if until is not None and until < timezone.localdate():
        raise ReuseRefused(
            _("Kết quả số %(n)s đã hết hiệu lực từ ngày %(d)s.")
            % {"n": result.number, "d": until.strftime("%d/%m/%Y")}
        )
    try:
        with result.pdf.open("rb") as pdf:
            data = pdf.read()
    except OSError:  # the stored file is missing or unreadable: never a crash for the caller
        raise ReuseRefused(_("Không đọc được bản kết quả đã ký; vui lòng tải tệp lên.")) from None
    upload = SimpleUploadedFile(_filename(result), data, content_type="application/pdf")
    with transaction.atomic():
        if Attachment.objects.filter(
            dossier=dossier, component=component, reused_result_id=result.pk
        ).exists():
            raise ReuseRefused(
                _("Kết quả số %(n)s đã có trong thành phần này.") % {"n": result.number}
            )
        try:
            attachment = dossier_services.attachment_add(
                dossier=dossier, component=component, upload=upload, applicant=applicant
            )
        except ValidationError as exc:
            raise ReuseRefused(" ".join(exc.messages)) from exc
        if attachment.sha256 != result.sha256:
            # The stored result is not what was signed: never hand it on.
            raise ReuseRefused(_("Không đọc được bản kết quả đã ký; vui lòng tải tệp lên."))
        attachment.reused_result_id = result.pk
        attachment.origin = origin_of(result)
        attachment.save(update_fields=["reused_result_id", "origin"])
        record_audit(
            action="attachment.reuse_result",
            actor=applicant,
            target=f"dossier:{dossier.pk}",
            request=request,
            result_id=result.pk,
            number=result.number,
            component_id=component.pk,
        )
    return attachment
