"""The rows of the officer's lists, every value ready to print."""

from dataclasses import dataclass
from uuid import UUID

from django.urls import reverse
from django.utils import timezone

from motcua.core.dates import DATE_TIME, local_text
from motcua.dossiers.models import OPEN_STATUSES, Dossier, Status, choice_label
from motcua.workdays import services as workdays


@dataclass
class Row:
    dossier: Dossier
    remaining: str
    overdue: bool
    due_soon: bool


def dossier_rows(dossiers, now=None) -> list[Row]:
    """Dossiers with the remaining time said in words (no queries: the calendar is cached)."""
    now = now or timezone.now()
    timed = [d for d in dossiers if d.due_at and d.is_open]
    deadlines = dict(
        zip(map(id, timed), workdays.deadlines([d.due_at for d in timed], now), strict=True)
    )
    result = []
    for d in dossiers:
        deadline = deadlines.get(id(d))
        if deadline is None:
            result.append(Row(d, "", False, False))
        else:
            result.append(Row(d, deadline.remaining, deadline.overdue, deadline.due_soon))
    return result


_UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@dataclass(slots=True)
class ListRow:
    """One inbox or search row, every value ready to print."""

    pk: int
    url: str
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    channel: str
    submitted: str
    due: str
    remaining: str
    overdue: bool
    due_soon: bool
    status: int
    status_label: str
    extended: bool
    open_tasks: int
    unit_name: str
    unread_messages: bool = False  # the applicant wrote and the unit has not read it yet


def _uuid_text(value) -> str:
    return str(value if isinstance(value, UUID) else UUID(value))  # SQLite keeps it as hex


def list_rows(records, size: int, now) -> tuple[list[ListRow], bool]:
    """reads.PageRecords (one more than a page, if there is more) as ListRows."""
    more = len(records) > size
    records = records[:size]
    url = reverse("workflow:dossier", args=[_UUID_PLACEHOLDER])
    timed = [r.due_at for r in records if r.due_at and r.status in OPEN_STATUSES]
    deadlines = iter(workdays.deadlines(timed, now))
    tz = timezone.get_current_timezone()
    # Each status and channel label translated once per page.
    statuses: dict[int, str] = {}
    channels: dict[str, str] = {}
    result = []
    for r in records:
        deadline = next(deadlines) if r.due_at and r.status in OPEN_STATUSES else None
        if r.status not in statuses:
            statuses[r.status] = choice_label(Status, r.status)
        if r.channel not in channels:
            channels[r.channel] = choice_label(Dossier.Channel, r.channel)
        result.append(
            ListRow(
                pk=r.id,
                url=url.replace(_UUID_PLACEHOLDER, _uuid_text(r.uuid)),
                code=r.code or "",
                procedure_code=r.procedure_code,
                procedure_name=r.procedure_name,
                applicant_name=r.applicant_name,
                channel=channels[r.channel],
                submitted=local_text(r.submitted_at, DATE_TIME, tz),
                due=local_text(r.due_at, DATE_TIME, tz),
                remaining=deadline.remaining if deadline else "",
                overdue=deadline.overdue if deadline else False,
                due_soon=deadline.due_soon if deadline else False,
                status=r.status,
                status_label=statuses[r.status],
                extended=bool(r.extension_count),
                open_tasks=r.open_tasks,
                unit_name=r.unit_name or "",
                unread_messages=bool(r.unread_messages),
            )
        )
    return result, more
