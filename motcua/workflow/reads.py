"""The officer pages' hand-written SQL (decision 18): the queue and search pages, the
procedures of the inbox's filter, and the dossier page's reads.

Django spent more time building and compiling the ORM's version of these reads than the
database took to run them. Table and column names come from the models' `_meta`; rows are
read by name.
"""

import functools
from collections import namedtuple
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Expression
from django.db.models.expressions import RawSQL

from motcua.accounts.models import Unit, User
from motcua.catalogue.models import Agency, Component, Procedure
from motcua.core.dates import aware
from motcua.core.db import column, table
from motcua.documents.models import IssuedDocument
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierEvent,
    DossierMessage,
    DossierMessageAttachment,
)
from motcua.payments.models import Charge
from motcua.results.models import ResultDocument
from motcua.workflow.models import Comment, Task


def dossier_column(field: str) -> str:
    """A dossier column named with its table: the page's query joins two more tables."""
    return column(Dossier, field)


def join(model, field: str, alias: str, on: str | None = None) -> str:
    """The join the ORM makes along `model`'s foreign key `field` (LEFT when it may be null)
    to its model named `alias`; `on`: `model`'s alias, if not its table."""
    key = model._meta.get_field(field)
    target = key.related_model
    kind = "LEFT JOIN" if key.null else "INNER JOIN"
    return (
        f"{kind} {table(target)} {alias} "
        f"ON {column(target, key.target_field.name, alias)} = {column(model, field, on)}"
    )


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
    "PageRecord",
    [*_DOSSIER_FIELDS, "procedure_code", "procedure_name", "unit_name", "unread_messages"],
)


def _unread_from_applicant() -> str:
    """Whether the applicant wrote something the unit has not read (decision 0044): a probe
    of the partial index of unread messages per row."""
    return (
        f"EXISTS (SELECT 1 FROM {table(DossierMessage)} m "  # noqa: S608 - names from the models
        f"WHERE {column(DossierMessage, 'dossier', 'm')} = {dossier_column('id')} "
        f"AND {column(DossierMessage, 'from_applicant', 'm')} "
        f"AND {column(DossierMessage, 'read_at', 'm')} IS NULL)"
    )


@functools.cache
def _page_select() -> str:
    columns = [dossier_column(f) for f in _DOSSIER_FIELDS] + [
        column(Procedure, "code", "p"),
        column(Procedure, "name", "p"),
        column(Unit, "name", "u"),
        _unread_from_applicant(),
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


# --- Rows read by name, converted as the ORM converts them ------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """A value a hand-written SELECT reads: its name in the rows, its SQL, and the expression
    (a field's column, or SQL with an output field) whose converters the ORM would apply."""

    name: str
    sql: str
    expression: Expression


def field_column(model, field: str, alias: str | None = None, *, name: str = "") -> Column:
    """`model`'s `field` (an attname for a foreign key's id), read as `name` or `field`."""
    found = model._meta.get_field(field)
    return Column(
        name or field, column(model, field, alias), found.get_col(alias or model._meta.db_table)
    )


def model_columns(model, alias: str | None = None, prefix: str = "") -> list[Column]:
    """Every concrete field of `model`, each read as `prefix` + its attname (see `instance`)."""
    return [
        field_column(model, f.attname, alias, name=prefix + f.attname)
        for f in model._meta.concrete_fields
    ]


class Select:
    """A hand-written SELECT's columns (`sql`), and its rows read as dicts by column name,
    each value converted as the ORM converts it (SQLCompiler.get_converters: the backend's
    converters, then the field's from_db_value), so that both databases' rows read alike."""

    def __init__(self, *columns: Column):
        self.sql = ", ".join(c.sql for c in columns)
        self._columns = columns
        self._names = tuple(c.name for c in columns)
        self._converters: dict[str, list[tuple[int, list, Expression]]] = {}

    def _converters_for(self, conn) -> list[tuple[int, list, Expression]]:
        found = self._converters.get(conn.alias)
        if found is None:
            found = []
            for i, c in enumerate(self._columns):
                funcs = conn.ops.get_db_converters(c.expression)
                funcs += c.expression.get_db_converters(conn)
                if funcs:
                    found.append((i, funcs, c.expression))
            self._converters[conn.alias] = found
        return found

    def rows(self, cursor) -> list[dict]:
        """The rows `cursor` fetched for this SELECT."""
        converters, names, rows = self._converters_for(connection), self._names, []
        for row in cursor.fetchall():
            values = list(row)
            for i, funcs, expression in converters:
                value = values[i]
                for func in funcs:
                    value = func(value, expression, connection)
                values[i] = value
            rows.append(dict(zip(names, values, strict=True)))
        return rows


@functools.cache
def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def instance(model, row: dict, prefix: str = ""):
    """The `model` instance that model_columns(model, alias, `prefix`) read in `row`, made
    as the ORM makes it (from_db); None when a LEFT JOIN found none."""
    if row[prefix + model._meta.pk.attname] is None:
        return None
    attnames = _attnames(model)
    return model.from_db(connection.alias, attnames, [row[prefix + a] for a in attnames])


def _exists(name: str, model) -> Column:
    """Whether `model` has a row for the dossier (read as True or False, as Exists is)."""
    sql = (
        f"EXISTS (SELECT 1 FROM {table(model)} x "  # noqa: S608 - names from the models
        f"WHERE {column(model, 'dossier', 'x')} = {dossier_column('id')})"
    )
    return Column(name, sql, RawSQL(sql, (), output_field=BooleanField()))  # noqa: S611 - our text


# --- The dossier page ------------------------------------------------------------------


@functools.cache
def _visible_dossier() -> tuple[Select, str]:
    select = Select(
        # The dossier's table named in full: access.visible_where's condition names it so.
        *model_columns(Dossier),
        *model_columns(Procedure, "p", "procedure."),
        *model_columns(Unit, "u", "current_unit."),
        _exists("has_charges", Charge),
        _exists("has_results", ResultDocument),
    )
    return select, (
        f"SELECT {select.sql} FROM {table(Dossier)} "  # noqa: S608 - names from the models
        f"{join(Dossier, 'procedure', 'p')} {join(Dossier, 'current_unit', 'u')} "
        f"WHERE {dossier_column('uuid')} = %s AND "
    )


def visible_dossier(dossier_uuid, *, where: str, params: list) -> Dossier | None:
    """The dossier `dossier_uuid` if it meets `where` (SQL on the dossier table, as
    access.visible_where gives it), with its procedure and current unit, and whether it was
    ever charged (`has_charges`) or issued a result (`has_results`): one statement."""
    select, sql = _visible_dossier()
    uuid = Dossier._meta.get_field("uuid").get_db_prep_value(dossier_uuid, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql + where, [uuid, *params])
        found = select.rows(cursor)
    if not found:
        return None
    row = found[0]
    dossier = instance(Dossier, row)
    Dossier.procedure.field.set_cached_value(dossier, instance(Procedure, row, "procedure."))
    Dossier.current_unit.field.set_cached_value(dossier, instance(Unit, row, "current_unit."))
    dossier.has_charges, dossier.has_results = row["has_charges"], row["has_results"]
    return dossier


def _of_dossier(model, alias: str, columns, *, joins=(), order: tuple[str, ...]):
    """A Select of `columns` from `model` (named `alias`) and its `joins` for one dossier,
    in `order` (`model`'s fields), and its statement."""
    select = Select(*columns)
    order_by = ", ".join(column(model, f, alias) for f in order)
    return select, (
        f"SELECT {select.sql} FROM {table(model)} {alias} {' '.join(joins)} "  # noqa: S608 - names from the models
        f"WHERE {column(model, 'dossier', alias)} = %s ORDER BY {order_by}"
    )


def _fields(model, alias: str | None, *names: str) -> list[Column]:
    return [field_column(model, name, alias) for name in names]


@functools.cache
def _people() -> tuple[Select, str]:
    people = Select(*_fields(User, None, "id", "address", "full_name"))
    return people, (
        f"SELECT {people.sql} FROM {table(User)} "  # noqa: S608 - names from the models
        f"WHERE {column(User, 'id')} IN (%s, %s)"
    )


@functools.cache
def _dossier_reads() -> dict[str, tuple[Select, str]]:
    """The page's reads of the dossier's rows, as the ORM's values() read them."""
    return {
        "attachments": _of_dossier(
            Attachment,
            "a",
            [
                field_column(Attachment, "id", "a", name="pk"),
                *_fields(Attachment, "a", "component_id", "original_name", "size", "uploaded_at"),
                *_fields(Attachment, "a", "reused_result_id", "origin"),
                field_column(Component, "name", "c", name="component_name"),
            ],
            joins=[join(Attachment, "component", "c", "a")],
            order=("component", "uploaded_at", "id"),
        ),
        "events": _of_dossier(
            DossierEvent,
            "e",
            [
                *_fields(
                    DossierEvent,
                    "e",
                    "at",
                    "action",
                    "from_status",
                    "to_status",
                    "note",
                    "unit_name",
                    "is_public",
                    "from_unit_name",
                    "to_unit_name",
                    "step_due_at",
                    "data",
                    "actor_id",
                ),
                field_column(User, "full_name", "u", name="actor_name"),
            ],
            joins=[join(DossierEvent, "actor", "u", "e")],
            order=("at", "id"),
        ),
        "comments": _of_dossier(
            Comment,
            "c",
            [
                *_fields(Comment, "c", "at", "text"),
                field_column(User, "full_name", "u", name="author_name"),
            ],
            joins=[join(Comment, "author", "u", "c")],
            order=("at", "id"),
        ),
        # The conversation with the applicant (decision 0044): a row per file, or one for a
        # message without any.
        "messages": _of_dossier(
            DossierMessage,
            "m",
            [
                field_column(DossierMessage, "id", "m", name="pk"),
                *_fields(
                    DossierMessage,
                    "m",
                    "from_applicant",
                    "unit_name",
                    "text",
                    "created_at",
                    "read_at",
                ),
                field_column(User, "full_name", "u", name="author_name"),
                field_column(DossierMessageAttachment, "id", "f", name="file_pk"),
                field_column(DossierMessageAttachment, "original_name", "f", name="file_name"),
                field_column(DossierMessageAttachment, "size", "f", name="file_size"),
            ],
            joins=[
                join(DossierMessage, "author", "u", "m"),
                f"LEFT JOIN {table(DossierMessageAttachment)} f ON "
                f"{column(DossierMessageAttachment, 'message', 'f')} = "
                f"{column(DossierMessage, 'id', 'm')}",
            ],
            order=("created_at", "id"),
        ),
        "tasks": _of_dossier(
            Task,
            "t",
            [
                field_column(Task, "id", "t", name="pk"),
                *_fields(
                    Task,
                    "t",
                    "kind",
                    "unit_id",
                    "request",
                    "due_at",
                    "state",
                    "answer",
                    "created_at",
                    "answered_at",
                ),
                field_column(Unit, "name", "n", name="unit_name"),
                field_column(Agency, "name", "g", name="agency_name"),
                field_column(User, "full_name", "b", name="created_by_name"),
                field_column(User, "full_name", "r", name="answered_by_name"),
            ],
            joins=[
                join(Task, "unit", "n", "t"),
                join(Unit, "agency", "g", "n"),
                join(Task, "created_by", "b", "t"),
                join(Task, "answered_by", "r", "t"),
            ],
            order=("due_at", "id"),
        ),
        "documents": _of_dossier(
            IssuedDocument,
            "d",
            [
                field_column(IssuedDocument, "id", "d", name="pk"),
                *_fields(IssuedDocument, "d", "kind", "number", "issued_at"),
            ],
            order=("issued_at", "id"),
        ),
    }


def dossier_page_rows(
    *, dossier_id: int, applicant_id: int, registered_by_id: int | None
) -> dict[str, list[dict]]:
    """What the dossier page shows besides the dossier, one statement each, rows by name:
    "people" (the applicant and the officer who registered it: id, address, full_name),
    and the dossier's "attachments", "events", "comments", "messages", "tasks" and
    "documents"."""
    people, people_sql = _people()
    with connection.cursor() as cursor:
        cursor.execute(people_sql, [applicant_id, registered_by_id or applicant_id])
        found = {"people": people.rows(cursor)}
        for name, (select, sql) in _dossier_reads().items():
            cursor.execute(sql, [dossier_id])
            found[name] = select.rows(cursor)
    return found
