"""The officer's inbox queues: one table, read both as SQL (the page) and in Python (the
counts), and the reads of a queue's page."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.dossiers import access
from motcua.dossiers.models import Dossier, Status
from motcua.workdays import services as workdays
from motcua.workflow import reads
from motcua.workflow.models import Task
from motcua.workflow.reads import dossier_column as col
from motcua.workflow.rows import ListRow, list_rows

ACTIVE = (Status.PROCESSING, Status.WITHDRAWAL_REQUESTED, Status.PROCESSED)
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
# Every status some queue shows: the inbox reads only these rows of the officer's units
# (an index range on current_unit, status), never the unit's finished history.
QUEUED = (Status.SUBMITTED, *ACTIVE, *WAITING)


@dataclass(frozen=True)
class Holding:
    """Dossiers in one of `statuses` with one of the officer's (unit, role) pairs; with
    `desk_only`, with one of their desk-role pairs."""

    statuses: tuple[int, ...]
    desk_only: bool = False

    def matches(self, status, pair, pairs, desk_pairs) -> bool:
        return status in self.statuses and pair in (desk_pairs if self.desk_only else pairs)


NEW = Holding((Status.SUBMITTED,), desk_only=True)
TODO = Holding(ACTIVE)
HELD = Holding(WAITING)


@dataclass(frozen=True)
class Queue:
    """The dossiers held in any of `holdings`, less `excluded` statuses; of those, with a
    `clock`: those "overdue" (due before now) or "due_soon" (due by the next working day)."""

    holdings: tuple[Holding, ...]
    clock: str | None = None
    excluded: tuple[int, ...] = ()


QUEUES = {
    "new": Queue((NEW,)),
    "todo": Queue((TODO,)),
    "due_soon": Queue((TODO, NEW), clock="due_soon"),
    "overdue": Queue((TODO, HELD), clock="overdue", excluded=(Status.PROCESSED,)),
    "waiting": Queue((HELD,)),
}


def classify(counts: dict[str, int], record, pairs, desk_pairs) -> None:
    """Add one counted group (reads.CountRecord of a unit, role and status) to `counts`,
    in every queue it belongs to: the Python reading of QUEUES."""
    pair = (record.unit_id, record.role)
    if pair not in pairs:
        return
    for name, queue in QUEUES.items():
        if record.status in queue.excluded or not any(
            h.matches(record.status, pair, pairs, desk_pairs) for h in queue.holdings
        ):
            continue
        if queue.clock is None:
            counts[name] += record.total
        elif queue.clock == "overdue":
            counts[name] += record.overdue
        else:
            counts[name] += record.due_soon


def _pairs_sql(pairs) -> tuple[str, list]:
    """SQL: the dossier is with one of these (unit, role) pairs."""
    if not pairs:
        return "1 = 0", []
    one = f"({col('current_unit')} = %s AND {col('current_role')} = %s)"
    return f"({' OR '.join([one] * len(pairs))})", [value for pair in pairs for value in pair]


def _in(statuses) -> tuple[str, list]:
    return ", ".join(["%s"] * len(statuses)), [int(s) for s in statuses]


def _holding_sql(holding: Holding, pairs, desk_pairs) -> tuple[str, list]:
    held, held_params = _pairs_sql(desk_pairs if holding.desk_only else pairs)
    if len(holding.statuses) == 1:
        return f"({col('status')} = %s AND {held})", [int(holding.statuses[0]), *held_params]
    marks, params = _in(holding.statuses)
    return f"({col('status')} IN ({marks}) AND {held})", [*params, *held_params]


def condition(user, name: str, now) -> tuple[str, list]:
    """The condition of queue `name` (unknown names are "todo") as SQL on the dossier table,
    with its parameters: the SQL reading of QUEUES, for the page and for queue().

    Besides "all", it also says that the dossier is in one of the officer's units with a
    queued status, which lets the database read the inbox index (dossier_inbox_due) and
    nothing else. The statuses are parameters: PostgreSQL then plans each run with the
    values (a custom plan) rather than settle on a prepared statement's generic plan, which
    misjudged the redundant conditions, counted one row and sorted whole queues.
    """
    if name == "all":  # every dossier the officer may see, wherever it is now
        visible, params = access.visible_where(user)
        return f"{visible} AND {col('status')} <> %s", [*params, int(Status.DRAFT)]
    queue = QUEUES.get(name, QUEUES["todo"])
    pairs = sorted(access.role_pairs(user))
    desk_pairs = sorted(access.role_pairs(user, desk_only=True))
    held = [_holding_sql(h, pairs, desk_pairs) for h in queue.holdings]
    where = " OR ".join(sql for sql, _ in held)
    params = [value for _, holding_params in held for value in holding_params]
    if len(held) > 1:
        where = f"({where})"
    at = connection.ops.adapt_datetimefield_value
    if queue.clock == "due_soon":
        where += f" AND {col('due_at')} >= %s AND {col('due_at')} <= %s"
        params += [at(now), at(workdays.add_working_days(now, 1))]
    elif queue.clock == "overdue":
        where += f" AND {col('due_at')} < %s"
        params.append(at(now))
    for status in queue.excluded:
        where += f" AND {col('status')} <> %s"
        params.append(int(status))
    unit_ids = access.unit_ids(user) or [None]
    units = ", ".join(["%s"] * len(unit_ids))
    queued, queued_params = _in(QUEUED)
    where = f"{col('current_unit')} IN ({units}) AND {col('status')} IN ({queued}) AND ({where})"
    return where, [*unit_ids, *queued_params, *params]


# The orders the inbox offers: due_at then id is read straight from dossier_inbox_due, no
# sort of the whole queue. The "new" queue has no due dates yet: by submission.
ORDERS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
}


def ordering(name: str, order: str) -> tuple[str, str]:
    if name == "new" and order == "due":
        return ORDERS["submitted"]
    return ORDERS.get(order, ORDERS["due"])


def queue(user, name: str, *, now=None, procedure_id=None, status=None, order="due"):
    """The dossiers of one queue, ordered by due date (soonest first) by default.

    A QuerySet, for counting; the inbox reads its page with queue_rows, on the same
    condition.
    """
    now = now or timezone.now()
    where, params = condition(user, name, now)
    qs = Dossier.objects.filter(RawSQL(where, params, output_field=BooleanField()))  # noqa: S611 - our text
    if procedure_id:
        qs = qs.filter(procedure_id=procedure_id)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by(*ordering(name, order))


def queue_rows(
    user,
    name: str,
    *,
    start: int,
    size: int,
    now=None,
    procedure_id=None,
    status=None,
    order="due",
) -> tuple[list[ListRow], bool]:
    """One page of queue `name` as rows, and whether another page follows: queue() and
    list_rows in one SQL statement (reads.page_records)."""
    now = now or timezone.now()
    where, params = condition(user, name, now)
    records = reads.page_records(
        where,
        params,
        ordering(name, order),
        start=start,
        size=size,
        procedure_id=procedure_id,
        status=status,
    )
    return list_rows(records, size, now)


def open_tasks_for(user) -> QuerySet[Task]:
    return (
        Task.objects.filter(unit_id__in=access.unit_ids(user), state=Task.State.OPEN)
        .select_related("dossier", "dossier__procedure", "unit", "created_by")
        .order_by("due_at", "id")
    )


def filter_procedures(agency_ids) -> list[tuple[int, str, str]]:
    """(id, code, name) of the procedures of these agencies, for the inbox's filter."""
    agency_ids = sorted(agency_ids)
    if not agency_ids:
        return []
    return [(p.id, p.code, p.name) for p in reads.procedure_records(agency_ids)]
