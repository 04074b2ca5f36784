"""What the statutory documents say, read from a dossier (DOMAIN.md section 7).

The builders return plain dicts for the templates in templates/documents/. Documents are
always issued in Vietnamese, so labels are resolved in Vietnamese here.
"""

import re
from collections import Counter
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from motcua.accounts.models import Unit
from motcua.core.qr import qr_data_uri
from motcua.documents.models import TrackingBookEntry
from motcua.dossiers import acting, once_only
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.timeline import handover_kinds

EARLY, ON_TIME, LATE = "Trước hạn", "Đúng hạn", "Quá hạn"

_PLACE = re.compile(r"(?:thành phố|tỉnh|tp\.?)\s+(?P<place>[^,]+?)\s*$", re.IGNORECASE)


def place_name(agency) -> str:
    """The place written before the date ("Huế, ngày ..."): the province or city of the
    agency, from the end of its address or else from its own or a parent agency's name."""
    candidates = []
    if agency.address:
        candidates.append(agency.address.rsplit(",", 1)[-1])
    node, depth = agency, 0
    while node is not None and depth < 5:
        candidates.append(node.name)
        node, depth = node.parent, depth + 1
    for text in candidates:
        match = _PLACE.search(text.strip())
        if match:
            return match["place"]
    return ""


def agency_context(agency) -> dict:
    parent = agency.parent
    return {
        "name": agency.name,
        "parent_name": parent.name if parent else "",
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
        "place": place_name(agency),
    }


def tracking_entry(dossier: Dossier):
    return TrackingBookEntry.objects.filter(dossier=dossier).select_related("unit").first()


def desk_unit(dossier: Dossier, entry=None) -> Unit | None:
    """The one-stop desk that received the dossier: its tracking-book unit, else the
    receiving agency's (first active) desk."""
    if entry is not None:
        return entry.unit
    return (
        Unit.objects.filter(
            agency_id=dossier.receiving_agency_id, kind=Unit.Kind.DESK, is_active=True
        )
        .order_by("id")
        .first()
    )


def parse_moment(value) -> datetime | date | None:
    """An ISO date or datetime from a document's `data` (naive values are local time)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(moment, datetime) and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _lines(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


def components_context(dossier: Dossier) -> list[dict]:
    """The components handed in: the required ones and any with files attached."""
    files = Counter(dossier.attachments.values_list("component_id", flat=True))
    # Obtained from a register (decision 0079): listed, marked so, not counted as handed in.
    components = list(dossier.procedure.components.all())
    obtained = {}
    if any(c.obtained_from for c in components):
        obtained = {r.component_id: r.register_label for r in once_only.obtained_rows(dossier)}
    rows = []
    for component in components:
        count = files.get(component.pk, 0)
        if component.pk in obtained and not count:
            rows.append(
                {
                    "name": component.name,
                    "paper_form": f"Khai thác từ CSDL ({obtained[component.pk]})",
                    "quantity": component.quantity,
                    "files": 0,
                    "obtained": True,
                }
            )
        elif count or component.requirement == component.Requirement.REQUIRED:
            rows.append(
                {
                    "name": component.name,
                    "paper_form": str(component.get_paper_form_display()),
                    "quantity": component.quantity,
                    "files": count,
                }
            )
    return rows


def form_address(dossier: Dossier) -> str:
    """The applicant's address as the application form holds it: the first non-empty field
    the procedure's form prefills from the profile's address (operator.address on the badge
    form, owner.address on the ship form...)."""
    fields = ((dossier.procedure.form_ui or {}).get("fields")) or {}
    for path, hints in fields.items():
        source = hints.get("prefill") if isinstance(hints, dict) else None
        if isinstance(source, dict):  # a register's field, with the profile's when it fails
            source = source.get("profile")
        if source != "address" or "*" in path:
            continue
        value = dossier.form_data or {}
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def collection_place(dossier: Dossier, desk_name: str, agency) -> str:
    method = dossier.delivery_method
    if method == Dossier.Delivery.ONLINE:
        return "Trực tuyến, trên Cổng Dịch vụ công (tài khoản của người nộp hồ sơ)"
    if method == Dossier.Delivery.POST:
        return f"Qua dịch vụ bưu chính, gửi đến: {dossier.postal_address}".rstrip(": ")
    parts = [desk_name, agency.name, agency.address]
    return ", ".join(p for p in parts if p)


def dossier_context(
    dossier: Dossier,
    *,
    kind: str,
    number: str = "",
    issued_at: datetime | None = None,
    issued_by=None,
    data: dict | None = None,
) -> dict:
    """Everything forms 01–04 and the notice of stop print about `dossier`."""
    data = dict(data or {})
    with translation.override("vi"):
        agency = dossier.receiving_agency
        procedure = dossier.procedure
        applicant = dossier.applicant
        entry = tracking_entry(dossier)
        desk = desk_unit(dossier, entry)
        desk_name = desk.name if desk else "Bộ phận Một cửa"
        agency_info = agency_context(agency)
        if data.get("place"):
            agency_info["place"] = data["place"]
        processing_time = ""
        if procedure.processing_time is not None:
            processing_time = (
                f"{procedure.processing_time} {procedure.get_processing_time_unit_display()}"
            )
        context = {
            "kind": kind,
            "number": number,
            "issued_at": issued_at or timezone.now(),
            "agency": agency_info,
            "desk_name": desk_name,
            "code": dossier.code or "",
            "applicant": {
                "name": dossier.applicant_name or applicant.display_name,
                # What the applicant declared on this dossier's form first, then the
                # account's profile, then the address the result is posted to.
                "address": form_address(dossier) or applicant.address or dossier.postal_address,
                "phone": dossier.applicant_phone or applicant.phone or "",
                "email": dossier.applicant_email or applicant.email or "",
                "id_number": dossier.applicant_id_number,
            },
            # A member or an agent who acted for the applicant (decision 0077).
            "acted_for": acting.acted_for(dossier),
            "procedure": {"name": procedure.name, "code": procedure.code},
            "handling_agency": procedure.agency.name,
            "components": components_context(dossier) if kind == "receipt" else [],
            "sets": 1,
            "processing_time": processing_time,
            "received_at": dossier.accepted_at or dossier.submitted_at,
            "due_at": dossier.due_at,
            "original_due_at": dossier.original_due_at,
            "collect_at": collection_place(dossier, desk_name, agency),
            "tracking": (
                {"number": entry.number, "year": entry.year, "unit": entry.unit.name}
                if entry
                else None
            ),
            "officer": issued_by.full_name if issued_by else "",
            "data": data,
            "dossier_url": settings.SITE_URL + reverse("dossiers:detail", args=[dossier.uuid]),
            "track_url": settings.SITE_URL + reverse("dossiers:track"),
        }
    if kind == "receipt" and dossier.code:
        context["qr"] = qr_data_uri(dossier.code)
    if kind == "supplement":
        context["items"] = [
            {"component": str(i.get("component", "")), "reason": str(i.get("reason", ""))}
            for i in data.get("items") or []
        ]
        context["note"] = data.get("note", "")
        context["contact"] = data.get("contact") or context["officer"]
    elif kind == "refusal":
        context["reasons"] = _lines(data.get("reasons") or data.get("reason"))
    elif kind == "apology":
        context["reason"] = data.get("reason", "")
        context["new_due_at"] = parse_moment(data.get("new_due_at")) or dossier.due_at
        context["old_due_at"] = parse_moment(data.get("old_due_at")) or dossier.original_due_at
    elif kind == "stop":
        context["reason"] = data.get("reason", "")
    return context


def timeliness(at: datetime, due: datetime | None) -> str:
    """Early, on time or late against a deadline, by the local calendar day."""
    if due is None:
        return ""
    if at > due:
        return LATE
    if timezone.localdate(at) < timezone.localdate(due):
        return EARLY
    return ON_TIME


def control_sheet_rows(dossier: Dossier) -> list[dict]:
    """The hand-overs of the dossier, oldest first, each judged against the deadline the
    previous hand-over set for it."""
    applicant_name = dossier.applicant_name or dossier.applicant.display_name
    events = (
        DossierEvent.objects.filter(dossier=dossier)
        .filter(Q(action__in=handover_kinds()) | ~Q(from_unit_name="") | ~Q(to_unit_name=""))
        .select_related("actor")
        .order_by("at", "id")
    )
    rows: list[dict] = []
    previous_due = None
    for event in events:
        actor_name = event.actor.full_name if event.actor else ""
        # Form 05's first row is the applicant handing the dossier to the desk officer who
        # received it; the last, the desk handing the result back to the applicant.
        giver, receiver = actor_name, ""
        if event.action == "accept":
            giver_unit, receiver_unit = applicant_name, event.to_unit_name or event.unit_name
            giver, receiver = applicant_name, actor_name
        elif event.action == "return":
            giver_unit = event.from_unit_name or event.unit_name
            receiver_unit = event.to_unit_name or applicant_name
            receiver = applicant_name
        else:
            giver_unit = event.from_unit_name or event.unit_name
            receiver_unit = event.to_unit_name
        due = previous_due
        if due is None and event.action == "return":
            due = dossier.due_at
        rows.append(
            {
                "at": event.at,
                "from_unit": giver_unit,
                "to_unit": receiver_unit,
                "giver": giver,
                "receiver": receiver,
                "result": timeliness(event.at, due),
                "due": due,
                "note": (event.data or {}).get("note") or event.note,
            }
        )
        previous_due = event.step_due_at
    for row, following in zip(rows, rows[1:], strict=False):
        if not row["receiver"] and following["from_unit"] == row["to_unit"]:
            row["receiver"] = following["giver"]
    return rows


def control_sheet_context(dossier: Dossier) -> dict:
    """Form 05: the dossier's header and its hand-overs (built on demand, not stored)."""
    with translation.override("vi"):
        receipt = dossier.documents.filter(kind="receipt").order_by("issued_at", "id").first()
        return {
            "kind": "control_sheet",
            "issued_at": timezone.now(),
            "agency": agency_context(dossier.receiving_agency),
            "code": dossier.code or "",
            "applicant": {"name": dossier.applicant_name or dossier.applicant.display_name},
            "procedure": {"name": dossier.procedure.name, "code": dossier.procedure.code},
            "handling_agency": dossier.procedure.agency.name,
            "receipt_number": receipt.number if receipt else "",
            "received_at": dossier.accepted_at or dossier.submitted_at,
            "due_at": dossier.due_at,
            "status": str(dossier.get_status_display()),
            "rows": control_sheet_rows(dossier),
        }
