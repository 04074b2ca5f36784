"""Reads for the officer workspace: queues, counts, search and the dossier page.

Each function runs a fixed number of queries whatever the number of rows (pinned in tests).
"""

import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.core.text import search_terms
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Status
from motcua.workdays import services as workdays
from motcua.workflow import access
from motcua.workflow.models import Comment, Task

QUEUES = ("new", "todo", "due_soon", "overdue", "waiting", "tasks", "all")
ACTIVE = (Status.PROCESSING, Status.WITHDRAWAL_REQUESTED, Status.PROCESSED)
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
# Every status some queue shows: the inbox reads only these rows of the officer's units
# (an index range on current_unit, status), never the unit's finished history.
QUEUED = (Status.SUBMITTED, *ACTIVE, *WAITING)
CODE_PATTERN = re.compile(r"^[0-9A-Za-z.]+-\d{2,6}(-\d{1,4})?$")

LIST_FIELDS = (
    "id",
    "uuid",
    "code",
    "status",
    "channel",
    "applicant_name",
    "submitted_at",
    "due_at",
    "step_due_at",
    "open_tasks",
    "extension_count",
    "procedure__code",
    "procedure__name",
    "current_unit__name",
)


def _pairs(user, roles=None) -> Q:
    q = Q(pk__in=[])
    for m in access.memberships(user):
        if roles is None or m.role in roles:
            q |= Q(current_unit_id=m.unit_id, current_role=m.role)
    return q


def _queue_filters(user, now):
    desk_pairs = _pairs(user, roles={Role.DESK})
    pairs = _pairs(user)
    soon = workdays.add_working_days(now, 1)
    todo = Q(status__in=ACTIVE) & pairs
    return {
        "new": Q(status=Status.SUBMITTED) & desk_pairs,
        "todo": todo,
        "due_soon": (todo | Q(status=Status.SUBMITTED) & desk_pairs)
        & Q(due_at__gte=now, due_at__lte=soon),
        "overdue": (todo | Q(status__in=WAITING) & pairs)
        & Q(due_at__lt=now)
        & ~Q(status=Status.PROCESSED),
        "waiting": Q(status__in=WAITING) & pairs,
    }


def inbox_counts(user, now=None) -> dict[str, int]:
    """How many dossiers wait in each queue: two queries.

    The same queues as _queue_filters, counted from one small grouped read (per unit, role
    and status, with the overdue and due-soon parts) and added up here: the database reads
    only the inbox index, and the query stays cheap to build whatever the officer's units.
    """
    now = now or timezone.now()
    soon = workdays.add_working_days(now, 1)
    memberships = access.memberships(user)
    pairs = {(m.unit_id, m.role) for m in memberships}
    desk_pairs = {(m.unit_id, m.role) for m in memberships if m.role == Role.DESK}
    rows = (
        Dossier.objects.filter(current_unit_id__in={u for u, _ in pairs}, status__in=QUEUED)
        .values_list("current_unit_id", "current_role", "status")
        .annotate(
            total=Count("status"),
            late=Count("status", filter=Q(due_at__lt=now)),
            soon=Count("status", filter=Q(due_at__gte=now, due_at__lte=soon)),
        )
        .order_by()
    )
    counts = dict.fromkeys(("new", "todo", "due_soon", "overdue", "waiting"), 0)
    for unit_id, role, status, total, late, due_soon in rows:
        new = status == Status.SUBMITTED and (unit_id, role) in desk_pairs
        if (unit_id, role) not in pairs:
            continue
        todo = status in ACTIVE
        waiting = status in WAITING
        counts["new"] += total if new else 0
        counts["todo"] += total if todo else 0
        counts["waiting"] += total if waiting else 0
        counts["due_soon"] += due_soon if (todo or new) else 0
        counts["overdue"] += late if (todo or waiting) and status != Status.PROCESSED else 0
    unit_ids = {u for u, _ in pairs}
    counts["tasks"] = Task.objects.filter(unit_id__in=unit_ids, state=Task.State.OPEN).count()
    return counts


def queue(user, name: str, *, now=None, procedure_id=None, status=None, order="due"):
    """The dossiers of one queue, ordered by due date (soonest first) by default."""
    now = now or timezone.now()
    if name == "all":
        qs = access.visible_dossiers(user).exclude(status=Status.DRAFT)
    else:
        filters = _queue_filters(user, now)
        unit_ids = [m.unit_id for m in access.memberships(user)]
        qs = Dossier.objects.filter(
            filters.get(name, filters["todo"]), current_unit_id__in=unit_ids, status__in=QUEUED
        )
    if procedure_id:
        qs = qs.filter(procedure_id=procedure_id)
    if status is not None:
        qs = qs.filter(status=status)
    ordering = {
        # due_at then id: read straight from dossier_inbox_due, no sort of the whole queue.
        "due": ["due_at", "id"],
        "-due": ["-due_at", "-id"],
        "submitted": ["submitted_at", "id"],
        "-submitted": ["-submitted_at", "-id"],
    }.get(order, ["due_at", "id"])
    if name == "new":
        ordering = ["submitted_at", "id"] if order == "due" else ordering
    return qs.select_related("procedure", "current_unit").only(*LIST_FIELDS).order_by(*ordering)


def search(user, text: str):
    """Find visible dossiers by code, applicant name, ID number, phone or licence plate."""
    text = (text or "").strip()
    qs = access.visible_dossiers(user).exclude(status=Status.DRAFT)
    if not text:
        return qs.none()
    if CODE_PATTERN.match(text):
        code = text.upper()
        qs = qs.filter(code=code) if code.count("-") == 2 else qs.filter(code__startswith=code)
    else:
        # The trigram index is partial (non-empty text): say so, or PostgreSQL cannot use it.
        qs = qs.exclude(search_text="")
        for term in search_terms(text):
            qs = qs.filter(search_text__contains=term)
    return (
        qs.select_related("procedure", "current_unit")
        .only(*LIST_FIELDS)
        .order_by("-submitted_at", "-id")
    )


def open_tasks_for(user):
    unit_ids = [m.unit_id for m in access.memberships(user)]
    return (
        Task.objects.filter(unit_id__in=unit_ids, state=Task.State.OPEN)
        .select_related("dossier", "dossier__procedure", "unit", "created_by")
        .order_by("due_at", "id")
    )


@dataclass
class Row:
    dossier: Dossier
    remaining: str
    overdue: bool
    due_soon: bool


def rows(dossiers, now=None) -> list[Row]:
    """List rows with the remaining time said in words (no queries: the calendar is cached)."""
    now = now or timezone.now()
    result = []
    for d in dossiers:
        if d.due_at and d.is_open:
            remaining = workdays.describe_remaining(d.due_at, now)
            result.append(Row(d, remaining, d.due_at < now, workdays.is_due_soon(d.due_at, now)))
        else:
            result.append(Row(d, "", False, False))
    return result


def officer_dossier(user, dossier_uuid) -> Dossier | None:
    """The dossier page's dossier if the officer may see it, else None (shown as 404)."""
    dossier = (
        access.visible_dossiers(user)
        # Four joins, the rest as small separate reads: PostgreSQL spent 15 ms planning the
        # eight-table join on 1M dossiers, against under 3 ms for this one plus three lookups.
        .select_related("procedure", "receiving_agency", "current_unit", "workflow")
        .prefetch_related("procedure__sector", "applicant", "registered_by")
        .filter(uuid=dossier_uuid)
        .first()
    )
    return dossier


def dossier_page_data(dossier: Dossier) -> dict:
    """Everything the dossier page shows besides the dossier itself, a query each."""
    return {
        "attachments": list(
            Attachment.objects.filter(dossier=dossier).select_related("component", "uploaded_by")
        ),
        "events": list(
            DossierEvent.objects.filter(dossier=dossier)
            .select_related("actor")
            .order_by("at", "id")
        ),
        "comments": list(Comment.objects.filter(dossier=dossier).select_related("author")),
        "tasks": list(
            Task.objects.filter(dossier=dossier).select_related(
                "unit", "unit__agency", "created_by", "answered_by"
            )
        ),
        "documents": list(
            dossier.documents.select_related("issued_by").order_by("issued_at", "id")
        ),
    }
