"""Hash chains over the append-only tables (decision 0035).

A model that subclasses `core.models.HashChained` is chained: every row it inserts carries
`chain_key` (which chain), `chain_seq` (its position, from 1), `chain_prev` (the hash of the
row before it) and `chain_hash` = SHA-256 of the previous hash, the model's label and the
row's canonical content. Changing a row breaks its own hash; deleting, inserting or reordering
rows breaks the links; `verify` walks the chains and says where.

Rows are linked when they are inserted, under the lock of their chain's head (a row of
`core.ChainHead`), so two transactions never link to the same predecessor. A model with
`chain_by` keeps one chain per value of that field (a dossier's events: the workflow already
holds the dossier); the others spread over `chain_lanes` chains, and a writer takes whichever
lane no other transaction holds (SKIP LOCKED), so no request waits behind another's
transaction unless every lane is taken.
"""

import base64
import datetime
import functools
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from uuid import UUID

from django.apps import apps
from django.db import connection, connections, migrations, models, transaction
from django.db.models.functions import Collate
from django.utils import timezone

from motcua.core.db import table
from motcua.core.models import ChainHead, HashChained

CHAIN_FIELDS = ("chain_key", "chain_seq", "chain_prev", "chain_hash")
# Past this many broken links in one table, the rest are reported without looking for where
# the row's predecessor went (each look is a scan of the table).
_EXPLAINED_BREAKS = 100


def chained_models() -> list[type[models.Model]]:
    """Every installed model whose rows are chained, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, HashChained)]
    return sorted(found, key=lambda m: m._meta.label_lower)


# --- The content of a row -----------------------------------------------------------------------


def _content_fields(model) -> list:
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.name not in CHAIN_FIELDS
    ]


def _plain(field, value):
    """`value` as the JSON value it hashes as: the same before the INSERT and when read back."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.loads(json.dumps(value, cls=field.encoder))
    value = field.get_prep_value(value)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntegerChoices member hashes as its number
    if isinstance(value, float):
        return value
    return str(value)


def _empty(value) -> bool:
    return value is None or value is False or value == "" or value == {} or value == []


def canonical(obj, model=None) -> bytes:
    """The row's content as canonical JSON: sorted keys, UTC ISO datetimes, no spaces.

    Empty values (None, "", False, {} and []) are left out, so a field added later that is
    empty on the old rows does not change their hashes; any change of a value still does.
    `model` is for a migration's historical model, whose rows are not of the real class.
    """
    content = {}
    for field in _content_fields(model or type(obj)):
        value = _plain(field, field.value_from_object(obj))
        if not _empty(value):
            content[field.column] = value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(label: str, prev: str, content: bytes) -> str:
    return hashlib.sha256(f"{prev}\n{label}\n".encode() + content).hexdigest()


# --- Linking a new row ----------------------------------------------------------------------------


# The chains' heads are read and moved in plain SQL: the ORM's building of these statements
# cost more than running them (bench/audit_chain.py).
# The table's name from the model (core.db.table); its columns are ChainHead's field names.
_HEAD = table(ChainHead)
_CLAIM_KEY = (
    f"INSERT INTO {_HEAD} (model, key, seq, hash) VALUES (%s, %s, 0, '') "  # noqa: S608
    f"ON CONFLICT (model, key) DO UPDATE SET seq = {_HEAD}.seq RETURNING id, key, seq, hash"
)
_MAKE_LANE = (
    f"INSERT INTO {_HEAD} (model, key, seq, hash) VALUES (%s, %s, 0, '') "  # noqa: S608
    "ON CONFLICT (model, key) DO NOTHING"
)
_CLAIM_LANE = f"SELECT id, key, seq, hash FROM {_HEAD} WHERE model = %s ORDER BY key LIMIT 1"  # noqa: S608
_COUNT_LANES = f"SELECT count(*) FROM {_HEAD} WHERE model = %s"  # noqa: S608
_WAIT_FOR_LANE = f"SELECT id, key, seq, hash FROM {_HEAD} WHERE model = %s AND key = %s"  # noqa: S608
_MOVE_ON = f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = %s"  # noqa: S608


def _claim_head(model, obj, cursor) -> tuple[int, str, int, str]:
    """The head of the chain `obj` joins, locked until the end of the transaction.

    A keyed chain's head is made or locked by one upsert. Lanes: the first that no other
    transaction holds (SKIP LOCKED passes over those, not over this transaction's own)."""
    label = model._meta.label_lower
    if model.chain_by:
        value = model._meta.get_field(model.chain_by).value_from_object(obj)
        if value is None:  # one chain for every row without it would serialise them all
            raise ValueError(f"{label}.{model.chain_by} is empty: it keys the row's chain.")
        key = str(value)
        cursor.execute(_CLAIM_KEY, [label, key])
        return cursor.fetchone()
    features = cursor.db.features
    lock = " FOR UPDATE SKIP LOCKED" if features.has_select_for_update_skip_locked else ""
    for _attempt in range(2):
        cursor.execute(_CLAIM_LANE + lock, [label])
        head = cursor.fetchone()
        if head is not None:
            return head
        cursor.execute(_COUNT_LANES, [label])
        if cursor.fetchone()[0] >= model.chain_lanes:
            break
        for lane in range(model.chain_lanes):  # the first writer of the model makes its lanes
            cursor.execute(_MAKE_LANE, [label, str(lane)])
    # Every lane is busy: wait for one, the same one for this process.
    lock = " FOR UPDATE" if features.has_select_for_update else ""
    cursor.execute(_WAIT_FOR_LANE + lock, [label, str(os.getpid() % model.chain_lanes)])
    return cursor.fetchone()


def link(obj, fields, using: str) -> None:
    """Fill `obj`'s chain fields just before its INSERT, in the caller's transaction.

    The fields' pre_save runs here (auto_now_add, defaults), so the hash covers the values
    the INSERT writes; the caller inserts with raw=True so they are not computed again.
    """
    model = type(obj)
    for field in fields:
        setattr(obj, field.attname, field.pre_save(obj, add=True))
    with connections[using].cursor() as cursor:
        head_id, key, seq, prev = _claim_head(model, obj, cursor)
        obj.chain_key, obj.chain_seq, obj.chain_prev = key, seq + 1, prev
        obj.chain_hash = row_hash(model._meta.label_lower, prev, canonical(obj))
        cursor.execute(_MOVE_ON, [obj.chain_seq, obj.chain_hash, head_id])


def chained_insert(obj, insert, fields, using: str):
    """Link `obj` and run `insert` (the model's INSERT) in one transaction."""
    with transaction.atomic(using=using, savepoint=False):
        link(obj, fields, using)
        return insert()


def insert_alone(obj, *, relaxed: bool = False) -> bool:
    """INSERT `obj`, a row of a lane-chained model, linked into a free lane, in ONE statement
    on PostgreSQL outside any transaction (the statement is its own transaction); False,
    with nothing written, when that cannot be done here (another database, a transaction
    open, no free lane yet): then save() it as usual.

    The row's hash is computed by PostgreSQL's sha256() over the same bytes row_hash hashes
    (the previous hash and the label, then the canonical content made here), so the lane's
    head is read, moved and the row written in one round trip. `relaxed` commits without
    waiting for the write-ahead log to reach the disk: a crash of the database server may
    lose the last fraction of a second of such rows, whole, with their heads.
    """
    model = type(obj)
    if connection.vendor != "postgresql" or connection.in_atomic_block or model.chain_by:
        return False
    sql, fields = _insert_alone_sql(model, relaxed)
    for field in fields:
        setattr(obj, field.attname, field.pre_save(obj, add=True))
    values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    params = [model._meta.label_lower, *values, model._meta.label_lower, canonical(obj)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # every lane busy, or none made yet
        return False
    obj.pk, obj.chain_key, obj.chain_seq, obj.chain_prev, obj.chain_hash = row
    obj._state.adding, obj._state.db = False, connection.alias
    return True


@functools.cache
def _insert_alone_sql(model, relaxed: bool) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    fields = tuple(f for f in _content_fields(model))
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(f"CAST(%s AS {f.db_type(connection)}) AS c{i}" for i, f in enumerate(fields))
    chain_columns = ", ".join(quote(model._meta.get_field(name).column) for name in CHAIN_FIELDS)
    relax = "SELECT set_config('synchronous_commit', 'off', true)" if relaxed else "SELECT 1"
    sql = (  # names from the models, values as placeholders
        f"WITH relaxed AS ({relax}), "  # noqa: S608
        f"head AS (SELECT id, key, seq, hash FROM {_HEAD} WHERE model = %s "
        "ORDER BY key LIMIT 1 FOR UPDATE SKIP LOCKED), "
        f"new_row AS (SELECT {values}), "
        "link AS (SELECT head.id, head.key, head.seq + 1 AS seq, head.hash AS prev, "
        "encode(sha256(convert_to(head.hash || E'\\n' || %s || E'\\n', 'UTF8') || %s::bytea), "
        "'hex') AS hash FROM head, relaxed), "
        f"moved AS (UPDATE {_HEAD} SET seq = link.seq, hash = link.hash FROM link "
        f"WHERE {_HEAD}.id = link.id) "
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}, {chain_columns}) "
        "SELECT new_row.*, link.key, link.seq, link.prev, link.hash FROM new_row, link "
        f"RETURNING {quote(model._meta.pk.column)}, {chain_columns}"
    )
    return sql, fields


# --- Verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a chain: where (table, row, date) and what."""

    table: str
    row_id: object
    at: datetime.datetime | datetime.date | None
    message: str

    def __str__(self):
        if isinstance(self.at, datetime.datetime):
            when = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S")
        else:
            when = self.at.isoformat() if self.at else "-"
        row = f"row {self.row_id}" if self.row_id is not None else "-"
        return f"{self.table} {row} ({when}): {self.message}"


@dataclass
class ChainReport:
    table: str
    rows: int = 0
    chains: int = 0


def _row_time(model, row):
    return getattr(row, model.chain_time, None)


def _explain_break(model, row, position: dict) -> str:
    """Why `row` does not link to the row before it: what its predecessor became."""
    if row.chain_prev in position:
        return (
            f"out of order: it follows the row at position {position[row.chain_prev]} "
            f"but stands at position {row.chain_seq}"
        )
    elsewhere = (
        model.objects.filter(chain_key=row.chain_key, chain_hash=row.chain_prev)
        .values_list("chain_seq", flat=True)
        .first()
    )
    if elsewhere is not None:
        return (
            f"out of order: it follows the row at position {elsewhere} "
            f"but stands at position {row.chain_seq}"
        )
    return "its predecessor is missing (deleted), or this row was inserted"


@contextmanager
def snapshot():
    """One read-only transaction that sees the rows and the heads as of one moment, so that
    rows committed while the chains are walked are not taken for insertions."""
    fresh = not connection.in_atomic_block  # else the caller's transaction decides
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def verify(model, *, chunk_size: int = 2000) -> tuple[ChainReport, list[Problem]]:
    """Walk every chain of `model` and report each broken row with its place (inside
    `snapshot()` while the application writes)."""
    label = model._meta.label_lower
    table = model._meta.db_table
    report = ChainReport(table=table)
    problems: list[Problem] = []
    heads = {h.key: h for h in ChainHead.objects.filter(model=label).exclude(seq=0).order_by("key")}
    breaks = 0
    rows = model.objects.order_by("chain_key", "chain_seq", "pk").iterator(chunk_size=chunk_size)
    for key, chain in groupby(rows, key=lambda r: r.chain_key):
        if key == "":
            for row in chain:
                report.rows += 1
                problems.append(
                    Problem(table, row.pk, _row_time(model, row), "not in any chain (inserted)")
                )
            continue
        report.chains += 1
        prev_hash, prev_seq, last = "", 0, None
        position: dict[str, int] = {}
        for row in chain:
            report.rows += 1
            at = _row_time(model, row)
            if row_hash(label, row.chain_prev, canonical(row)) != row.chain_hash:
                problems.append(Problem(table, row.pk, at, "content changed since it was written"))
            if last is not None and row.chain_seq == last.chain_seq:
                problems.append(
                    Problem(
                        table,
                        row.pk,
                        at,
                        f"a second row at position {row.chain_seq} of chain {key} "
                        f"(row {last.pk} holds it): inserted",
                    )
                )
                continue
            if row.chain_prev != prev_hash:
                if row.chain_seq > prev_seq + 1 and row.chain_prev not in position:
                    missing = row.chain_seq - prev_seq - 1
                    message = (
                        f"{missing} row(s) missing before it (deleted), "
                        f"positions {prev_seq + 1}-{row.chain_seq - 1} of chain {key}"
                    )
                elif breaks < _EXPLAINED_BREAKS:
                    message = _explain_break(model, row, position)
                else:
                    message = "does not link to the row before it"
                breaks += 1
                problems.append(Problem(table, row.pk, at, message))
            elif row.chain_seq != prev_seq + 1:
                problems.append(
                    Problem(table, row.pk, at, f"position {row.chain_seq} after {prev_seq}")
                )
            position[row.chain_hash] = row.chain_seq
            prev_hash, prev_seq, last = row.chain_hash, row.chain_seq, row
        head = heads.pop(key, None)
        if head is None:
            problems.append(
                Problem(
                    table,
                    last.pk,
                    _row_time(model, last),
                    f"chain {key} has no head: its rows were inserted outside the application",
                )
            )
        elif head.seq < prev_seq:
            problems.append(
                Problem(
                    table,
                    last.pk,
                    _row_time(model, last),
                    f"the chain {key} ended at position {head.seq}: the rows after it were "
                    "inserted outside the application",
                )
            )
        elif head.seq > prev_seq:
            problems.append(
                Problem(
                    table,
                    last.pk,
                    _row_time(model, last),
                    f"the chain {key} ended at position {head.seq}: the last "
                    f"{head.seq - prev_seq} row(s) after this one are missing (deleted)",
                )
            )
        elif head.hash != prev_hash:
            problems.append(
                Problem(table, last.pk, _row_time(model, last), "the chain's head differs")
            )
    for key, head in heads.items():
        problems.append(
            Problem(table, None, None, f"chain {key}: all its {head.seq} row(s) are missing")
        )
    return report, problems


# --- Daily states, for the signed digests ---------------------------------------------------------


def _by_key():
    """The chains' keys in byte order, whatever the database's collation: a digest signed on
    one server verifies on a restored copy with another locale."""
    if connection.vendor == "postgresql":
        return Collate("chain_key", "C")
    return "chain_key"  # SQLite compares bytes


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of `day` in the site's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(1), datetime.time.min)
    )
    return start, end


def _head_line(key: str, seq: int, row_hash_: str) -> bytes:
    """One chain's last row of a day, as the digest hashes it (day_state and day_states)."""
    return f"{key} {seq} {row_hash_}\n".encode()


def day_state(model, day: datetime.date) -> dict:
    """What `day` added to `model`'s chains: its rows, and the last row each chain reached
    that day (key, position, hash), hashed in byte order of the keys."""
    start, end = day_bounds(day)
    time_field = model.chain_time
    rows = (
        model.objects.filter(**{f"{time_field}__gte": start, f"{time_field}__lt": end})
        .order_by(_by_key(), "chain_seq")
        .values_list("chain_key", "chain_seq", "chain_hash")
        .iterator(chunk_size=5000)
    )
    count, chains, heads = 0, 0, hashlib.sha256()
    for key, chain in groupby(rows, key=lambda r: r[0]):
        chain = list(chain)
        count, chains = count + len(chain), chains + 1
        _key, seq, hash_ = chain[-1]
        heads.update(_head_line(key, seq, hash_))
    return {"rows": count, "chains": chains, "heads": heads.hexdigest()}


def day_states(model, days: set[datetime.date]) -> dict[datetime.date, dict]:
    """`day_state` for each of `days`, in one pass over the table."""
    time_field = model.chain_time
    rows = (
        model.objects.order_by(_by_key(), "chain_seq")
        .values_list("chain_key", "chain_seq", "chain_hash", time_field)
        .iterator(chunk_size=5000)
    )
    counts = dict.fromkeys(days, 0)
    hashers = {day: hashlib.sha256() for day in days}
    chains = dict.fromkeys(days, 0)
    for key, chain in groupby(rows, key=lambda r: r[0]):
        last_of_day: dict[datetime.date, tuple] = {}
        for _key, seq, row_hash_, at in chain:
            day = timezone.localdate(at)
            if day in counts:
                counts[day] += 1
                last_of_day[day] = (seq, row_hash_)
        for day, (seq, row_hash_) in last_of_day.items():
            hashers[day].update(_head_line(key, seq, row_hash_))
            chains[day] += 1
    return {
        day: {"rows": counts[day], "chains": chains[day], "heads": hashers[day].hexdigest()}
        for day in days
    }


# --- Migrations -----------------------------------------------------------------------------------


def seal_existing(
    app_label: str,
    model_name: str,
    *,
    chain_by: str | None,
    lanes: int = 16,
    time_field: str = "at",
    batch: int = 2000,
):
    """A migration operation that chains the rows written before the model was chained.

    Run by the owner role with `migrate`: on PostgreSQL it lifts the append-only trigger for
    the time of the UPDATEs. Rows are linked in the order they were written (time, id), into
    chains that must not have begun yet.
    """

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        head_model = apps.get_model("core", "ChainHead")
        label = f"{app_label}.{model_name}".lower()
        connection = schema_editor.connection
        name = connection.ops.quote_name
        table = name(model._meta.db_table)
        trigger = name(f"{model._meta.db_table}_append_only")
        rows = model._base_manager
        if rows.filter(chain_seq__gt=0).exists() or head_model.objects.filter(model=label).exists():
            raise RuntimeError(f"{label} has chained rows already: seal only a new chain.")
        pending = rows.filter(chain_seq=0).order_by(time_field, "pk")
        if not pending.exists():
            return
        columns = ", ".join(f"{name(c)} = %s" for c in CHAIN_FIELDS)
        pk = name(model._meta.pk.column)
        update = f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608 - names from _meta
        if connection.vendor == "postgresql":
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER with checks pending
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        heads: dict[str, tuple[int, str]] = {}
        values = []
        with connection.cursor() as cursor:
            for index, row in enumerate(pending.iterator(chunk_size=batch)):
                if chain_by:
                    key = str(model._meta.get_field(chain_by).value_from_object(row))
                else:
                    key = str(index % lanes)
                seq, prev = heads.get(key, (0, ""))
                hash_ = row_hash(label, prev, canonical(row, model))
                values.append((key, seq + 1, prev, hash_, row.pk))
                heads[key] = (seq + 1, hash_)
                if len(values) >= batch:
                    cursor.executemany(update, values)
                    values = []
            if values:
                cursor.executemany(update, values)
        if connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        head_model.objects.bulk_create(
            [head_model(model=label, key=k, seq=s, hash=h) for k, (s, h) in heads.items()]
        )

    return migrations.RunPython(forward, migrations.RunPython.noop)
