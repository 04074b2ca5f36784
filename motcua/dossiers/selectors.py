"""Reads of dossiers, always scoped to the person asking."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from motcua.core.dates import local_iso, local_text
from motcua.dossiers import acting, reads
from motcua.dossiers.models import (
    OPEN_STATUSES,
    Attachment,
    Dossier,
    DossierEvent,
    DossierMessage,
    Status,
    choice_label,
)
from motcua.dossiers.timeline import kind_of

# Statuses in which the applicant has something to do (badge in "My dossiers").
MUST_ACT = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)


def dossiers_of(user, *, principal_id: int | None = None):
    """ "My dossiers": the person's own and those of the principals they act for or follow
    (acting.dossiers_for), or one principal's, newest first, with what the list shows in one
    query."""
    return (
        acting.dossiers_for(user, principal_id=principal_id)
        .select_related("procedure", "applicant")
        .annotate(
            attachment_count=Count("attachments"),
            # The unit wrote something the applicant has not read yet (decision 0044).
            unread_messages=Exists(
                DossierMessage.objects.filter(
                    dossier=OuterRef("pk"), from_applicant=False, read_at__isnull=True
                )
            ),
        )
        .order_by("-updated_at", "-id")
    )


def dossier_of(user, dossier_uuid, *, act: bool = False) -> Dossier:
    """The dossier if the person may see it (with `act`: act on it), or 404 (403 for a
    follower asked to act): another person's dossier is indistinguishable from none. The
    standing it is seen under is on `dossier.standing`."""
    dossier = get_object_or_404(
        Dossier.objects.select_related(
            "procedure", "procedure__sector", "receiving_agency", "current_unit", "applicant"
        ),
        uuid=dossier_uuid,
    )
    dossier.standing = acting.check(user, dossier, act=act)
    return dossier


def _event_label(action: str, to_status) -> str:
    # The kinds say what each event is called for the applicant and the public (the officer
    # labels of the state machine speak of internal steps).
    label = kind_of(action).public_label
    if label is None:
        return choice_label(Status, to_status) if to_status is not None else ""
    return str(label)  # resolved once here, not at each use in the template


def _shown_note(action: str, note: str, label, *, public: bool) -> str:
    # The public never sees the applicant's own words; a note repeating the label is noise.
    if (public and kind_of(action).applicant_note) or note.rstrip(".") == label:
        return ""
    return note


def _labelled(events, *, public=False) -> list[DossierEvent]:
    events = list(events)
    for event in events:
        event.label = _event_label(event.action, event.to_status)
        event.shown_note = _shown_note(event.action, event.note, event.label, public=public)
        event.at_iso, event.at_text = local_iso(event.at), local_text(event.at)
    return events


@dataclass
class TrackedEvent:
    label: str
    shown_note: str
    unit_name: str
    at_iso: str
    at_text: str


@dataclass
class TrackedDossier:
    """What public tracking (tra cứu hồ sơ) shows of a dossier: no personal data.

    The two secrets it is matched on travel with it; the page never shows them.
    """

    code: str
    status: int
    submitted_at: datetime | None
    due_at: datetime | None
    procedure_name: str
    agency_name: str
    unit_name: str
    applicant_phone: str
    applicant_id_number: str
    timeline: list[TrackedEvent] = field(default_factory=list)

    def get_status_display(self) -> str:
        return choice_label(Status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def tracked_dossier(code: str) -> TrackedDossier | None:
    """The submitted dossier with this code and its public timeline, in one query."""
    rows = reads.tracking_rows(code)
    if not rows:
        return None
    first = rows[0]
    dossier = TrackedDossier(
        code=code,
        status=first["status"],
        submitted_at=first["submitted_at"],
        due_at=first["due_at"],
        applicant_phone=first["applicant_phone"],
        applicant_id_number=first["applicant_id_number"],
        procedure_name=first["procedure_name"],
        agency_name=first["agency_name"],
        unit_name=first["unit_name"] or "",
    )
    tz = timezone.get_current_timezone()
    for row in rows:
        action = row["event_action"]
        if action is None:  # no public event
            continue
        label = _event_label(action, row["event_to_status"])
        shown_note = _shown_note(action, row["event_note"], label, public=True)
        at = row["event_at"]
        dossier.timeline.append(
            TrackedEvent(
                label, shown_note, row["event_unit_name"], local_iso(at, tz), local_text(at, tz=tz)
            )
        )
    return dossier


@dataclass
class SupplementItem:
    component_name: str
    reason: str
    # The procedure's component of that name, when there is one: the applicant uploads to it.
    component: object = None
    new_files: list = field(default_factory=list)


@dataclass
class SupplementRequest:
    """What the officer asked for (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)."""

    at: datetime
    items: list[SupplementItem]
    note: str
    contact: str
    unit_name: str
    # Files uploaded since the request: the only ones the applicant may still remove.
    new_files: list[Attachment]
    # Those uploaded to a component no item names (chosen by the applicant).
    other_files: list[Attachment] = field(default_factory=list)
    # The procedure's components, offered for an item that names none of them.
    components: list = field(default_factory=list)


@dataclass
class ApplicantPage:
    """Everything the applicant's page of a submitted dossier shows, read in a fixed number
    of queries whatever the number of events, documents and files."""

    dossier: Dossier
    timeline: list[DossierEvent]
    documents: list
    attachments: list[Attachment]
    supplement: SupplementRequest | None = None
    payment_amount: int | None = None
    # The date the clock restarted from zero after a supplement (D61 art.19(4)), if it did.
    restarted_at: datetime | None = None
    can_withdraw: bool = False


def _last(events, action):
    return next((e for e in reversed(events) if e.action == action), None)


def _latest_event(dossier, action) -> DossierEvent | None:
    return (
        DossierEvent.objects.filter(dossier=dossier, action=action)
        .only("at", "action", "note", "unit_name", "data")
        .order_by("-at", "-id")
        .first()
    )


def has_supplement_files(dossier) -> bool:
    """Whether anything was uploaded since the latest supplement request."""
    event = _latest_event(dossier, "request_supplement")
    since = event.at if event else dossier.submitted_at
    return dossier.attachments.filter(uploaded_at__gte=since).exists()


def public_timeline(dossier: Dossier) -> list[DossierEvent]:
    """The dossier's timeline as its applicant sees it (and an integrator, through the API):
    public events only, each with its `label`, `shown_note`, `at_iso` and `at_text`."""
    return _labelled(
        DossierEvent.objects.filter(dossier=dossier, is_public=True)
        .only("at", "action", "to_status", "note", "unit_name", "data")
        .order_by("at", "id"),
        # Once purged (decision 0058), the applicant's own words on the timeline are hidden.
        public=dossier.purged_at is not None,
    )


def applicant_page(dossier: Dossier, *, can_withdraw: bool) -> ApplicantPage:
    """`can_withdraw`: whether the state machine lets the applicant ask to withdraw now."""
    timeline = public_timeline(dossier)
    documents = list(
        dossier.documents.filter(addressed_to_applicant=True)
        .only("id", "dossier_id", "kind", "number", "issued_at")
        .order_by("issued_at", "id")
    )
    attachments = list(dossier.attachments.select_related("component"))
    page = ApplicantPage(
        dossier=dossier,
        timeline=timeline,
        documents=documents,
        attachments=attachments,
        can_withdraw=can_withdraw,
    )
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        event = _last(timeline, "request_supplement") or _latest_event(
            dossier, "request_supplement"
        )
        if event is not None:
            page.supplement = _supplement(dossier, event, attachments)
    elif dossier.status == Status.AWAITING_PAYMENT:
        event = _last(timeline, "request_payment") or _latest_event(dossier, "request_payment")
        if event is not None:
            page.payment_amount = (event.data or {}).get("amount")
    returned = _last(timeline, "submit_supplement")
    if returned is not None and returned.to_status == Status.PROCESSING:
        page.restarted_at = returned.at
    return page


def _supplement(dossier, event, attachments) -> SupplementRequest:
    data = event.data or {}
    components = list(dossier.procedure.components.all())
    by_name = {c.name.strip().casefold(): c for c in components}
    new_files = [a for a in attachments if a.uploaded_at >= event.at]
    items = []
    for raw in data.get("items") or []:
        name = str(raw.get("component", "")).strip()
        component = by_name.get(name.casefold())
        items.append(
            SupplementItem(
                component_name=name,
                reason=str(raw.get("reason", "")).strip(),
                component=component,
                new_files=[a for a in new_files if component and a.component_id == component.pk],
            )
        )
    matched = {item.component.pk for item in items if item.component is not None}
    return SupplementRequest(
        at=event.at,
        items=items,
        other_files=[a for a in new_files if a.component_id not in matched],
        note=str(data.get("note", "")).strip(),
        contact=str(data.get("contact", "")).strip(),
        unit_name=event.unit_name,
        new_files=new_files,
        components=components,
    )
