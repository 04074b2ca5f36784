"""Reads for the officer workspace: queues, counts, search and the dossier page.

Each function runs a fixed number of queries whatever the number of rows (pinned in tests).
"""

import functools
import json
import re
from dataclasses import dataclass
from uuid import UUID, uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, Unit
from motcua.catalogue.models import Procedure
from motcua.core.dates import DATE_TIME, aware, local_text
from motcua.core.db import RowReader
from motcua.core.text import search_terms
from motcua.dossiers import access
from motcua.dossiers.models import (
    OPEN_STATUSES,
    Dossier,
    Status,
    choice_label,
)
from motcua.workdays import services as workdays
from motcua.workflow.models import Task, Workflow

QUEUES = ("new", "todo", "due_soon", "overdue", "waiting", "tasks", "all")
ACTIVE = (Status.PROCESSING, Status.WITHDRAWAL_REQUESTED, Status.PROCESSED)
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
# Every status some queue shows: the inbox reads only these rows of the officer's units
# (an index range on current_unit, status), never the unit's finished history.
QUEUED = (Status.SUBMITTED, *ACTIVE, *WAITING)
CODE_PATTERN = re.compile(r"^[0-9A-Za-z.]+-\d{2,6}(-\d{1,4})?$")


# Columns are named with their table: the page's query joins two more tables.
D = '"dossiers_dossier".'


def _pairs(user, roles=None) -> tuple[str, list]:
    """SQL: the dossier is with one of the officer's (unit, role) pairs (of `roles`)."""
    found = [
        (m.unit_id, m.role) for m in access.memberships(user) if roles is None or m.role in roles
    ]
    if not found:
        return "1 = 0", []
    sql = " OR ".join([f'({D}"current_unit_id" = %s AND {D}"current_role" = %s)'] * len(found))
    return f"({sql})", [value for pair in found for value in pair]


def _in(statuses) -> tuple[str, list]:
    return ", ".join(["%s"] * len(statuses)), [int(s) for s in statuses]


def _queue_where(user, name: str, now) -> tuple[str, list]:
    """The condition of queue `name` (unknown names are "todo") as SQL on the dossier table,
    with its parameters: the one definition of the queues, for the page and for queue().

    Besides "all", it also says that the dossier is in one of the officer's units with a queued status,
    which lets the database read the inbox index (dossier_inbox_due) and nothing else. The
    statuses are parameters: PostgreSQL then plans each run with the values (a custom plan)
    rather than settle on a prepared statement's generic plan, which misjudged the
    redundant conditions, counted one row and sorted whole queues (7 ms for the desk's
    1,088 new dossiers, 276 ms for a specialist's 7,600).
    """
    if name == "all":  # every dossier the officer may see, wherever it is now
        visible, params = access.visible_where(user)
        return f'{visible} AND {D}"status" <> %s', [*params, int(Status.DRAFT)]
    at = connection.ops.adapt_datetimefield_value
    pairs, pair_params = _pairs(user)
    desk, desk_params = _pairs(user, roles={Role.DESK})
    active, active_params = _in(ACTIVE)
    waiting_in, waiting_params = _in(WAITING)
    todo = f'({D}"status" IN ({active}) AND {pairs})'
    todo_params = [*active_params, *pair_params]
    new = f'({D}"status" = %s AND {desk})'
    new_params = [int(Status.SUBMITTED), *desk_params]
    if name == "new":
        where, params = new, new_params
    elif name == "due_soon":
        soon = workdays.add_working_days(now, 1)
        where = f'({todo} OR {new}) AND {D}"due_at" >= %s AND {D}"due_at" <= %s'
        params = [*todo_params, *new_params, at(now), at(soon)]
    elif name == "overdue":
        waiting = f'({D}"status" IN ({waiting_in}) AND {pairs})'
        where = f'({todo} OR {waiting}) AND {D}"due_at" < %s AND {D}"status" <> %s'
        params = [*todo_params, *waiting_params, *pair_params, at(now), int(Status.PROCESSED)]
    elif name == "waiting":
        where = f'({D}"status" IN ({waiting_in}) AND {pairs})'
        params = [*waiting_params, *pair_params]
    else:
        where, params = todo, todo_params
    unit_ids = sorted({m.unit_id for m in access.memberships(user)}) or [None]
    units = ", ".join(["%s"] * len(unit_ids))
    queued, queued_params = _in(QUEUED)
    where = f'{D}"current_unit_id" IN ({units}) AND {D}"status" IN ({queued}) AND ({where})'
    return where, [*unit_ids, *queued_params, *params]


@functools.cache
def _counts_sql(units: int) -> str:
    q = connection.ops.quote_name
    # Every name quoted: unquoted, current_role is PostgreSQL's CURRENT_ROLE.
    unit, role, status, due = (
        q(c) for c in ("current_unit_id", "current_role", "status", "due_at")
    )
    in_units = ", ".join(["%s"] * units)
    # The statuses are written into the text, not passed: PostgreSQL can then prove the
    # partial inbox index applies, also to a prepared statement's generic plan.
    queued = ", ".join(str(int(s)) for s in QUEUED)
    return (
        f"SELECT {unit}, {role}, {status}, COUNT(*), "  # noqa: S608 (names are ours)
        f"COUNT(*) FILTER (WHERE {due} < %s), "
        f"COUNT(*) FILTER (WHERE {due} >= %s AND {due} <= %s) "
        f"FROM {q(Dossier._meta.db_table)} "
        f"WHERE {unit} IN ({in_units}) AND {status} IN ({queued}) "
        f"GROUP BY {unit}, {role}, {status} "
        "UNION ALL "
        f"SELECT {q('unit_id')}, NULL, NULL, COUNT(*), 0, 0 FROM {q(Task._meta.db_table)} "
        f"WHERE {q('unit_id')} IN ({in_units}) AND {q('state')} = %s GROUP BY {q('unit_id')}"
    )


# --- Inbox counts, kept per unit in the shared cache ------------------------------------
#
# Counting a busy unit's queues reads its whole part of the inbox index (8,700 entries for
# the benchmark's busy unit: 2.8 ms of PostgreSQL on every inbox page). Each unit's grouped
# counts are therefore kept in the cache under the unit's generation, a random value that
# every change to a dossier or task of the unit replaces (bump_units, from the models' post_save
# and post_delete): a change shows at the next page. What moves with the clock alone
# (overdue, due soon) is recounted at least every INBOX_COUNTS_SECONDS.

_GENERATION = "inbox:gen:{}"
_COUNTS = "inbox:counts:{}:{}"


def _generations(unit_ids) -> dict[int, str]:
    keys = {_GENERATION.format(u): u for u in unit_ids}
    result = {keys[k]: v for k, v in cache.get_many(keys).items()}
    for key, unit_id in keys.items():
        if unit_id not in result:  # a unit not seen yet, or evicted
            cache.add(key, uuid4().hex, timeout=None)
            result[unit_id] = cache.get(key)
    return result


def bump_units(unit_ids) -> None:
    """The counts of these units changed: later reads count them again.

    Each unit gets a new generation, a value never used before (one SET for all the
    units), now and again after COMMIT: a page read in between may count the old rows under
    the first new value, and the second drops that.
    """
    keys = [_GENERATION.format(u) for u in set(unit_ids) if u is not None]
    if not keys:
        return

    def bump():
        cache.set_many(dict.fromkeys(keys, uuid4().hex), timeout=None)

    bump()
    transaction.on_commit(bump)


def _unit_counts(unit_ids, now) -> dict[int, list[tuple]]:
    """(role, status, total, overdue, due soon) rows per unit, from the cache or counted."""
    timeout = settings.INBOX_COUNTS_SECONDS
    generations = _generations(unit_ids) if timeout else {}
    keys = {_COUNTS.format(u, generations[u]): u for u in unit_ids} if timeout else {}
    found = cache.get_many(keys) if keys else {}
    epoch = now.timestamp()
    result = {}
    for key, (counted_at, unit_rows) in found.items():
        if 0 <= epoch - counted_at < timeout:  # counted for this moment (tests move the clock)
            result[keys[key]] = unit_rows
    missing = [u for u in unit_ids if u not in result]
    if not missing:
        return result
    soon = workdays.add_working_days(now, 1)
    at = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _counts_sql(len(missing)),
            [at(now), at(now), at(soon), *missing, *missing, Task.State.OPEN],
        )
        rows = cursor.fetchall()
    for unit_id in missing:
        result[unit_id] = []
    for unit_id, role, status, total, late, due_soon in rows:
        result[unit_id].append((role, status, total, late, due_soon))
    if timeout:
        cache.set_many(
            {_COUNTS.format(u, generations[u]): (epoch, result[u]) for u in missing},
            timeout=timeout,
        )
    return result


def inbox_counts(user, now=None) -> dict[str, int]:
    """How many dossiers wait in each queue, and the open tasks.

    The same queues as _queue_where, added up from each unit's small grouped read (per
    role and status, with the overdue and due-soon parts): the database reads only the
    inbox index, and only for units whose counts are not in the cache. Written as SQL:
    building the equivalent ORM query cost more Python than running it.
    """
    now = now or timezone.now()
    memberships = access.memberships(user)
    pairs = {(m.unit_id, m.role) for m in memberships}
    desk_pairs = {(m.unit_id, m.role) for m in memberships if m.role == Role.DESK}
    counts = dict.fromkeys(("new", "todo", "due_soon", "overdue", "waiting", "tasks"), 0)
    unit_ids = sorted({u for u, _ in pairs})
    if not unit_ids:
        return counts
    for unit_id, unit_rows in _unit_counts(unit_ids, now).items():
        for role, status, total, late, due_soon in unit_rows:
            if role is None:  # the unit's open tasks
                counts["tasks"] += total
                continue
            if (unit_id, role) not in pairs:
                continue
            new = status == Status.SUBMITTED and (unit_id, role) in desk_pairs
            todo = status in ACTIVE
            waiting = status in WAITING
            counts["new"] += total if new else 0
            counts["todo"] += total if todo else 0
            counts["waiting"] += total if waiting else 0
            counts["due_soon"] += due_soon if (todo or new) else 0
            counts["overdue"] += late if (todo or waiting) and status != Status.PROCESSED else 0
    return counts


# The columns whose change moves a dossier between queues.
_QUEUE_FIELDS = frozenset({"status", "current_unit", "current_role", "due_at"})


def dossier_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save / post_delete receiver for Dossier: the units it left and entered."""
    if update_fields is not None and not _QUEUE_FIELDS.intersection(update_fields):
        return  # a draft saved, a timestamp: no queue moved
    seen = instance.__dict__.get("_queued_unit_id")
    instance._queued_unit_id = instance.current_unit_id
    bump_units((seen, instance.current_unit_id))


def task_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Task: its unit's open tasks."""
    bump_units((instance.unit_id,))


def filter_procedures(agency_ids) -> list[tuple[int, str, str]]:
    """(id, code, name) of the procedures of these agencies, for the inbox's filter."""
    agency_ids = sorted(agency_ids)
    if not agency_ids:
        return []
    marks = ", ".join(["%s"] * len(agency_ids))
    with connection.cursor() as cursor:
        # In SQL: the inbox reads this on every page, and the ORM took 0.4 ms to build it.
        cursor.execute(
            'SELECT "id", "code", "name" FROM "catalogue_procedure" '  # noqa: S608 - placeholders
            f'WHERE "agency_id" IN ({marks}) OR "receiving_agency_id" IN ({marks}) '
            'ORDER BY "code", "effective_from" DESC',
            [*agency_ids, *agency_ids],
        )
        return cursor.fetchall()


# The orders the inbox offers: due_at then id is read straight from dossier_inbox_due, no
# sort of the whole queue. The "new" queue has no due dates yet: by submission.
ORDERS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
}


def _ordering(name: str, order: str) -> tuple[str, str]:
    if name == "new" and order == "due":
        return ORDERS["submitted"]
    return ORDERS.get(order, ORDERS["due"])


def queue(user, name: str, *, now=None, procedure_id=None, status=None, order="due"):
    """The dossiers of one queue, ordered by due date (soonest first) by default.

    A QuerySet, for counting; the inbox reads its page with queue_rows, on the same
    condition.
    """
    now = now or timezone.now()
    where, params = _queue_where(user, name, now)
    condition = RawSQL(where, params, output_field=BooleanField())  # noqa: S611 - our text
    qs = Dossier.objects.filter(condition)
    if procedure_id:
        qs = qs.filter(procedure_id=procedure_id)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by(*_ordering(name, order))


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
) -> tuple[list["ListRow"], bool]:
    """One page of queue `name` as rows, and whether another page follows.

    queue() and list_rows in one SQL statement: Django took 1.5 ms to build and compile the
    ORM's version of it, eight times what the database took to run it.
    """
    now = now or timezone.now()
    where, params = _queue_where(user, name, now)
    ordering = _ordering(name, order)
    return _page_rows(where, params, ordering, start, size, now, procedure_id, status)


def _page_rows(where, params, ordering, start, size, now, procedure_id, status):
    """Rows of the dossiers matching `where`, in `ordering`, from `start`: one statement."""
    now = now or timezone.now()
    params = list(params)
    if procedure_id:
        where += f' AND {D}"procedure_id" = %s'
        params.append(procedure_id)
    if status is not None:
        where += f' AND {D}"status" = %s'
        params.append(status)
    order_by = ", ".join(
        f'{D}"{c[1:]}" DESC' if c.startswith("-") else f'{D}"{c}"' for c in ordering
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_ROWS_SELECT} WHERE {where} ORDER BY {order_by} LIMIT %s OFFSET %s",  # noqa: S608 - our text, parameters
            [*params, size + 1, start],
        )
        records = [
            (
                pk,
                _uuid_text(uuid),
                code,
                status_,
                channel,
                applicant,
                aware(submitted),
                aware(due),
                *rest,
            )
            for pk, uuid, code, status_, channel, applicant, submitted, due, *rest in cursor.fetchall()
        ]
    return _list_rows(records, size, now)


def _search_where(user, text: str) -> tuple[str, list] | None:
    """The condition of a search (None: nothing to search for), as SQL on the dossier table:
    visible to the officer, not a draft, and the code (whole, or its start), or every word
    of the folded name, ID number, phone and plates (search_text)."""
    text = (text or "").strip()
    if not text:
        return None
    visible, params = access.visible_where(user)
    where = f'{visible} AND {D}"status" <> {int(Status.DRAFT)}'
    like = connection.ops.prep_for_like_query
    if CODE_PATTERN.match(text):
        code = text.upper()
        if code.count("-") == 2:
            return f'{where} AND {D}"code" = %s', [*params, code]
        operator = connection.operators["startswith"]
        return f'{where} AND {D}"code" {operator}', [*params, like(code) + "%"]
    # The trigram index is partial (non-empty text): say so, or PostgreSQL cannot use it.
    where += f" AND {D}\"search_text\" <> ''"
    operator = connection.operators["contains"]
    terms = search_terms(text)
    where += "".join(f' AND {D}"search_text" {operator}' for _term in terms)
    return where, [*params, *(f"%{like(term)}%" for term in terms)]


SEARCH_ORDER = ("-submitted_at", "-id")


def search(user, text: str):
    """Find visible dossiers by code, applicant name, ID number, phone or licence plate."""
    found = _search_where(user, text)
    if found is None:
        return Dossier.objects.none()
    condition = RawSQL(*found, output_field=BooleanField())  # noqa: S611 - our text
    return Dossier.objects.filter(condition).order_by(*SEARCH_ORDER)


def search_rows(
    user, text: str, *, start: int, size: int, now=None, procedure_id=None, status=None
) -> tuple[list["ListRow"], bool]:
    """One page of search(user, text) as rows, and whether another page follows: in SQL,
    as queue_rows."""
    found = _search_where(user, text)
    if found is None:
        return [], False
    return _page_rows(*found, SEARCH_ORDER, start, size, now, procedure_id, status)


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


# What an inbox or search row shows, read as plain values: building 25 model instances
# (with their procedure and unit) cost more than the query, and the template then resolved
# each field through them.
_ROWS_SELECT = (
    'SELECT "dossiers_dossier"."id", "dossiers_dossier"."uuid", "dossiers_dossier"."code", '
    '"dossiers_dossier"."status", "dossiers_dossier"."channel", '
    '"dossiers_dossier"."applicant_name", "dossiers_dossier"."submitted_at", '
    '"dossiers_dossier"."due_at", "dossiers_dossier"."open_tasks", '
    '"dossiers_dossier"."extension_count", p."code", p."name", u."name" '
    'FROM "dossiers_dossier" '
    'INNER JOIN "catalogue_procedure" p ON p."id" = "dossiers_dossier"."procedure_id" '
    'LEFT JOIN "accounts_unit" u ON u."id" = "dossiers_dossier"."current_unit_id"'
)


def _uuid_text(value) -> str:
    return str(value if isinstance(value, UUID) else UUID(value))  # SQLite keeps it as hex


def _list_rows(records, size: int, now) -> tuple[list[ListRow], bool]:
    """_ROWS_SELECT's rows (one more than a page, if there is more) as ListRows."""
    more = len(records) > size
    records = records[:size]
    url = reverse("workflow:dossier", args=[_UUID_PLACEHOLDER])
    timed = [r[7] for r in records if r[7] and r[3] in OPEN_STATUSES]
    deadlines = iter(workdays.deadlines(timed, now))
    tz = timezone.get_current_timezone()
    # Each status and channel label translated once per page.
    statuses: dict[int, str] = {}
    channels: dict[str, str] = {}
    result = []
    for record in records:
        pk, uuid, code, status, channel, applicant, submitted, due = record[:8]
        tasks, extensions, procedure_code, procedure_name, unit_name = record[8:]
        deadline = next(deadlines) if due and status in OPEN_STATUSES else None
        if status not in statuses:
            statuses[status] = choice_label(Status, status)
        if channel not in channels:
            channels[channel] = choice_label(Dossier.Channel, channel)
        result.append(
            ListRow(
                pk=pk,
                url=url.replace(_UUID_PLACEHOLDER, str(uuid)),
                code=code or "",
                procedure_code=procedure_code,
                procedure_name=procedure_name,
                applicant_name=applicant,
                channel=channels[channel],
                submitted=local_text(submitted, DATE_TIME, tz),
                due=local_text(due, DATE_TIME, tz),
                remaining=deadline.remaining if deadline else "",
                overdue=deadline.overdue if deadline else False,
                due_soon=deadline.due_soon if deadline else False,
                status=status,
                status_label=statuses[status],
                extended=bool(extensions),
                open_tasks=tasks,
                unit_name=unit_name or "",
            )
        )
    return result, more


_DOSSIER_ROW = RowReader(Dossier)
_PROCEDURE_ROW = RowReader(Procedure)
_UNIT_ROW = RowReader(Unit)


@functools.cache
def _officer_dossier_sql() -> str:
    from motcua.payments.models import Charge
    from motcua.results.models import ResultDocument

    q = connection.ops.quote_name
    table = {m: q(m._meta.db_table) for m in (Procedure, Unit, Charge, ResultDocument)}
    d = q(Dossier._meta.db_table)  # named in full: access.visible_where's condition uses it
    return (
        f"SELECT {_DOSSIER_ROW.columns(d)}, {_PROCEDURE_ROW.columns('p')}, "  # noqa: S608 - names from the models
        f"{_UNIT_ROW.columns('u')}, "
        f'EXISTS (SELECT 1 FROM {table[Charge]} c WHERE c."dossier_id" = {d}."id"), '
        f'EXISTS (SELECT 1 FROM {table[ResultDocument]} r WHERE r."dossier_id" = {d}."id") '
        f"FROM {d} "
        f'INNER JOIN {table[Procedure]} p ON p."id" = {d}."procedure_id" '
        f'LEFT JOIN {table[Unit]} u ON u."id" = {d}."current_unit_id" '
        f'WHERE {d}."uuid" = %s AND '
    )


def officer_dossier(user, dossier_uuid) -> Dossier | None:
    """The dossier page's dossier if the officer may see it, else None (shown as 404).

    With its procedure and current unit, the workflow version from this process's copy, and
    whether anything was ever charged (`has_charges`) or issued as a result (`has_results`),
    so that the page's payment and result panels skip reads that cannot find anything. One
    SQL statement with access.visible_where's condition: Django spent about 2 ms building the
    ORM's query, the database 0.2 ms running it.
    """
    visible, params = access.visible_where(user)
    if not params:
        return None
    uuid = Dossier._meta.get_field("uuid").get_db_prep_value(dossier_uuid, connection)
    with connection.cursor() as cursor:
        cursor.execute(_officer_dossier_sql() + visible, [uuid, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    dossier, at = _DOSSIER_ROW.read(row)
    procedure, at = _PROCEDURE_ROW.read(row, at)
    unit, at = _UNIT_ROW.read(row, at)
    Dossier.procedure.field.set_cached_value(dossier, procedure)
    Dossier.current_unit.field.set_cached_value(dossier, unit)
    dossier.has_charges, dossier.has_results = bool(row[at]), bool(row[at + 1])
    if dossier.workflow_id is not None:
        dossier.workflow = workflow_version(dossier.workflow_id)
    return dossier


# Workflow versions are never changed once saved (a change is a new version), so each
# process keeps the ones it has read. Saving or deleting a row drops its copy here (ids are
# only ever reused when a transaction is rolled back, as tests do).
_workflows: dict[int, dict] = {}


def workflow_version(workflow_id: int) -> Workflow:
    """The workflow version `workflow_id`, read once per process; a new instance each call
    (its definition is shared: read it, never change it)."""
    fields = _workflows.get(workflow_id)
    if fields is None:
        fields = Workflow.objects.filter(pk=workflow_id).values().get()
        _workflows[workflow_id] = fields
    concrete = Workflow._meta.concrete_fields
    return Workflow.from_db(
        connection.alias, [f.attname for f in concrete], [fields[f.attname] for f in concrete]
    )


def forget_workflow(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Workflow."""
    _workflows.pop(instance.pk, None)


@dataclass(slots=True)
class TaskLine:
    """A task (liên thông, consultation) as the dossier page shows it."""

    pk: int
    kind_label: str
    unit_id: int
    unit_name: str
    agency_name: str
    request: str
    due_at: object
    state: str
    state_label: str
    answer: str
    created_at: object
    created_by_name: str
    answered_at: object
    answered_by_name: str


# The dossier page's reads, in SQL rather than the ORM: building each of these small
# queries cost Django about 0.5 ms, five times what running it did. Identifiers are
# double-quoted, which PostgreSQL and SQLite both read as names ("action" and "data" are
# keywords to one of them); the tests run them on both.
PAGE_SQL = {
    "people": 'SELECT "id", "address", "full_name" FROM "accounts_user" WHERE "id" IN (%s, %s)',
    "attachments": (
        'SELECT a."id", a."component_id", c."name", a."original_name", a."size", '
        'a."uploaded_at" FROM "dossiers_attachment" a '
        'INNER JOIN "catalogue_component" c ON c."id" = a."component_id" '
        'WHERE a."dossier_id" = %s ORDER BY a."component_id", a."uploaded_at", a."id"'
    ),
    "events": (
        'SELECT e."at", e."action", e."from_status", e."to_status", e."note", e."unit_name", '
        'e."is_public", e."from_unit_name", e."to_unit_name", e."step_due_at", e."data", '
        'e."actor_id", u."full_name" FROM "dossiers_dossierevent" e '
        'LEFT JOIN "accounts_user" u ON u."id" = e."actor_id" '
        'WHERE e."dossier_id" = %s ORDER BY e."at", e."id"'
    ),
    "comments": (
        'SELECT u."full_name", c."at", c."text" FROM "workflow_comment" c '
        'INNER JOIN "accounts_user" u ON u."id" = c."author_id" '
        'WHERE c."dossier_id" = %s ORDER BY c."at", c."id"'
    ),
    "tasks": (
        'SELECT t."id", t."kind", t."unit_id", n."name", g."name", t."request", t."due_at", '
        't."state", t."answer", t."created_at", b."full_name", t."answered_at", r."full_name" '
        'FROM "workflow_task" t INNER JOIN "accounts_unit" n ON n."id" = t."unit_id" '
        'INNER JOIN "catalogue_agency" g ON g."id" = n."agency_id" '
        'INNER JOIN "accounts_user" b ON b."id" = t."created_by_id" '
        'LEFT JOIN "accounts_user" r ON r."id" = t."answered_by_id" '
        'WHERE t."dossier_id" = %s ORDER BY t."due_at", t."id"'
    ),
    "documents": (
        'SELECT "id", "kind", "number", "issued_at" FROM "documents_issueddocument" '
        'WHERE "dossier_id" = %s ORDER BY "issued_at", "id"'
    ),
}


def dossier_page_data(dossier: Dossier) -> dict:
    """Everything the dossier page shows besides the dossier itself, a query each.

    Plain values: the page only prints them, and the events' actors, the comments' authors
    and the documents' bodies used to come as whole rows.
    """
    from motcua.documents.models import IssuedDocument

    with connection.cursor() as cursor:

        def read(name, *params):
            cursor.execute(PAGE_SQL[name], params)
            return cursor.fetchall()

        people = {
            pk: (address, name)
            for pk, address, name in read(
                "people", dossier.applicant_id, dossier.registered_by_id or dossier.applicant_id
            )
        }
        pk = dossier.pk
        attachments, events, comments, tasks, documents = (
            read(name, pk) for name in ("attachments", "events", "comments", "tasks", "documents")
        )
    return {
        "applicant_address": people.get(dossier.applicant_id, ("", ""))[0],
        # None when no officer registered it (online); an officer without a name still shows.
        "registered_by": people[dossier.registered_by_id][1]
        if dossier.registered_by_id in people
        else None,
        "attachments": [
            {
                "pk": a_pk,
                "component_id": component_id,
                "component_name": component_name,
                "original_name": original_name,
                "size": size,
                "uploaded_at": aware(uploaded_at),
            }
            for a_pk, component_id, component_name, original_name, size, uploaded_at in attachments
        ],
        "events": [
            {
                "at": aware(at),
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "unit_name": unit_name,
                "is_public": bool(is_public),
                "from_unit_name": from_unit_name,
                "to_unit_name": to_unit_name,
                "step_due_at": aware(step_due_at),
                "data": json.loads(data) if isinstance(data, str) else data,
                "actor_id": actor_id,
                "actor_name": actor_name,
            }
            for (
                at,
                action,
                from_status,
                to_status,
                note,
                unit_name,
                is_public,
                from_unit_name,
                to_unit_name,
                step_due_at,
                data,
                actor_id,
                actor_name,
            ) in events
        ],
        "comments": [
            {"author_name": author, "at": aware(at), "text": text} for author, at, text in comments
        ],
        "tasks": [
            TaskLine(
                pk=row[0],
                kind_label=choice_label(Task.Kind, row[1]),
                unit_id=row[2],
                unit_name=row[3],
                agency_name=row[4],
                request=row[5],
                due_at=aware(row[6]),
                state=row[7],
                state_label=choice_label(Task.State, row[7]),
                answer=row[8],
                created_at=aware(row[9]),
                created_by_name=row[10],
                answered_at=aware(row[11]),
                answered_by_name=row[12] or "",
            )
            for row in tasks
        ],
        "documents": [
            {
                "pk": d_pk,
                "kind_label": choice_label(IssuedDocument.Kind, kind),
                "number": number,
                "issued_at": aware(issued_at),
            }
            for d_pk, kind, number, issued_at in documents
        ],
    }
