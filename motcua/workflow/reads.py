"""The officer pages' hand-written SQL: the queue and search pages (decision 18), and the
procedures of the inbox's filter.

Django spent 1.5 ms building and compiling the ORM's version of these reads, eight times
what the database took to run them. Table and column names come from the models' `_meta`;
rows are read by name.
"""

import functools
from collections import namedtuple

from django.db import connection

from motcua.accounts.models import Unit
from motcua.catalogue.models import Procedure
from motcua.core.dates import aware
from motcua.dossiers.models import Dossier
from motcua.workflow.models import Task


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str, alias: str | None = None) -> str:
    """`field`'s column, quoted, named with `alias` or the model's table."""
    name = connection.ops.quote_name(model._meta.get_field(field).column)
    return f"{alias or table(model)}.{name}"


def dossier_column(field: str) -> str:
    """A dossier column named with its table: the page's query joins two more tables."""
    return column(Dossier, field)


# What an inbox or search row shows, read as plain values: building 25 model instances
# (with their procedure and unit) cost more than the query, and the template then resolved
# each field through them.
_DOSSIER_FIELDS = (
    "id",
    "uuid",
    "code",
    "status",
    "channel",
    "applicant_name",
    "submitted_at",
    "due_at",
    "open_tasks",
    "extension_count",
)
PageRecord = namedtuple(
    "PageRecord", [*_DOSSIER_FIELDS, "procedure_code", "procedure_name", "unit_name"]
)


@functools.cache
def _page_select() -> str:
    columns = [dossier_column(f) for f in _DOSSIER_FIELDS] + [
        column(Procedure, "code", "p"),
        column(Procedure, "name", "p"),
        column(Unit, "name", "u"),
    ]
    return (
        f"SELECT {', '.join(columns)} FROM {table(Dossier)} "  # noqa: S608 - names from the models
        f"INNER JOIN {table(Procedure)} p "
        f"ON {column(Procedure, 'id', 'p')} = {dossier_column('procedure')} "
        f"LEFT JOIN {table(Unit)} u ON {column(Unit, 'id', 'u')} = {dossier_column('current_unit')}"
    )


def page_records(
    where: str, params, ordering, *, start: int, size: int, procedure_id=None, status=None
) -> list[PageRecord]:
    """The dossiers matching `where` (SQL on the dossier table), in `ordering` (field names,
    "-" for descending), from `start`: at most size + 1 of them, in one statement."""
    params = list(params)
    if procedure_id:
        where += f" AND {dossier_column('procedure')} = %s"
        params.append(procedure_id)
    if status is not None:
        where += f" AND {dossier_column('status')} = %s"
        params.append(status)
    order_by = ", ".join(
        f"{dossier_column(f[1:])} DESC" if f.startswith("-") else dossier_column(f)
        for f in ordering
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_page_select()} WHERE {where} ORDER BY {order_by} LIMIT %s OFFSET %s",  # noqa: S608 - our text, parameters
            [*params, size + 1, start],
        )
        records = [PageRecord._make(row) for row in cursor.fetchall()]
    return [r._replace(submitted_at=aware(r.submitted_at), due_at=aware(r.due_at)) for r in records]


ProcedureRecord = namedtuple("ProcedureRecord", "id code name")


def procedure_records(agency_ids) -> list[ProcedureRecord]:
    """The procedures these agencies handle or receive, by code (the newest version first):
    the inbox's filter, read on every queue page."""
    marks = ", ".join(["%s"] * len(agency_ids))
    columns = ", ".join(column(Procedure, f) for f in ProcedureRecord._fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table(Procedure)} "  # noqa: S608 - names from the model, placeholders
            f"WHERE {column(Procedure, 'agency')} IN ({marks}) "
            f"OR {column(Procedure, 'receiving_agency')} IN ({marks}) "
            f"ORDER BY {column(Procedure, 'code')}, {column(Procedure, 'effective_from')} DESC",
            [*agency_ids, *agency_ids],
        )
        return [ProcedureRecord._make(row) for row in cursor.fetchall()]


@functools.cache
def _counts_sql(units: int, statuses: tuple[int, ...]) -> str:
    q = connection.ops.quote_name
    # Every name quoted: unquoted, current_role is PostgreSQL's CURRENT_ROLE.
    unit, role, status, due = (
        q(Dossier._meta.get_field(f).column)
        for f in ("current_unit", "current_role", "status", "due_at")
    )
    task_unit, task_state = (q(Task._meta.get_field(f).column) for f in ("unit", "state"))
    in_units = ", ".join(["%s"] * units)
    # The statuses are written into the text, not passed: PostgreSQL can then prove the
    # partial inbox index applies, also to a prepared statement's generic plan.
    queued = ", ".join(str(int(s)) for s in statuses)
    return (
        f"SELECT {unit}, {role}, {status}, COUNT(*), "  # noqa: S608 (names are ours)
        f"COUNT(*) FILTER (WHERE {due} < %s), "
        f"COUNT(*) FILTER (WHERE {due} >= %s AND {due} <= %s) "
        f"FROM {table(Dossier)} "
        f"WHERE {unit} IN ({in_units}) AND {status} IN ({queued}) "
        f"GROUP BY {unit}, {role}, {status} "
        "UNION ALL "
        f"SELECT {task_unit}, NULL, NULL, COUNT(*), 0, 0 FROM {table(Task)} "
        f"WHERE {task_unit} IN ({in_units}) AND {task_state} = %s GROUP BY {task_unit}"
    )


CountRecord = namedtuple("CountRecord", "unit_id role status total overdue due_soon")


def count_records(unit_ids, statuses, *, now, soon) -> list[CountRecord]:
    """The units' dossiers in `statuses` counted per (unit, role, status), with the overdue
    and the due-by-`soon` parts; and each unit's open tasks (role and status None)."""
    at = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _counts_sql(len(unit_ids), tuple(int(s) for s in statuses)),
            [at(now), at(now), at(soon), *unit_ids, *unit_ids, Task.State.OPEN],
        )
        return [CountRecord._make(row) for row in cursor.fetchall()]
