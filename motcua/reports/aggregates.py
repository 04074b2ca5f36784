"""Daily and monthly aggregates of the facts, recounted, never incremented (decision 0060).

A row of `DailyAggregate` holds, for one local day and one group (agency with its path,
sector, procedure, channel), what happened that day: dossiers received, ended (closed,
resolved by class, processing days, electronic results...), and dossiers that became overdue
or stopped being overdue. `MonthlyAggregate` is the sum of a month's daily rows. The
histograms count the resolved dossiers by whole working days (for "90 % within N days").

The one definition of what a fact contributes to which day is `daily_rows` (and
`histogram_rows`): a query over facts, used alike to recount one (procedure, day) after a
fact changed, to rebuild everything (`manage.py rebuild_facts --aggregates-only`) and by the
benchmark loader (INSERT ... SELECT of the same SQL).
"""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Ceil, Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone

from motcua.reports.models import (
    DailyAggregate,
    DailyHistogram,
    DossierFact,
    MonthlyAggregate,
    MonthlyHistogram,
)

GROUP = ("agency_id", "agency_path", "sector_id", "procedure_id", "procedure_code", "channel")
RESOLVED = ("processed", "returned", "stopped")
COUNTS = (
    "received",
    "fee_charged",
    "paid_online",
    "reused",
    "closed",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "days_sum",
    "days_count",
    "electronic_result",
    "digitised_electronic",
    "negative",
    "became_overdue",
    "overdue_closed",
)
# What a fact's aggregates depend on: a change elsewhere (refreshed_at, status...) recounts
# nothing.
STATE = (
    *GROUP,
    "received_at",
    "ended_at",
    "legal_due_at",
    "ending",
    "timeliness",
    "processing_days",
    "fee_charged",
    "paid_online",
    "reused_data",
    "electronic_result",
    "digitised",
    "rated_negative",
    "complained",
)


def _zero():
    return Value(0, output_field=IntegerField())


def _part(qs: QuerySet, day_field, **counts) -> QuerySet:
    """One contribution of the facts: grouped by (day, group), every count column present
    (0 where this part adds nothing), in COUNTS order."""
    # Aliases apart from the fields' names ("fee_charged" is both a flag and a count).
    columns = {f"n_{name}": counts.get(name, _zero()) for name in COUNTS}
    return (
        qs.annotate(day=TruncDate(day_field))
        .values("day", *GROUP)
        .annotate(**columns)
        .values("day", *GROUP, *columns)
        .order_by()
    )


def daily_rows(facts: QuerySet, day_range: tuple[datetime, datetime] | None = None):
    """(sql, params) of a SELECT of (day, *GROUP, *COUNTS) from `facts`, one row per day and
    group; only the days inside `day_range` (local midnights) when given."""

    def within(field):
        if day_range is None:
            return Q()
        return Q(**{f"{field}__gte": day_range[0], f"{field}__lt": day_range[1]})

    received = Q(received_at__isnull=False)
    resolved = Q(ending__in=RESOLVED)
    # Received dossiers become overdue on the day of max(received, legal due) and stop being
    # overdue on the day they end, when that is a later day.
    overdue_from = Greatest("received_at", "legal_due_at")
    # max(received, due) within the days, said so that the indexes on (procedure, received)
    # and (procedure, due) serve it.
    overdue_within = Q()
    if day_range is not None:
        a, b = day_range
        overdue_within = Q(received_at__gte=a, received_at__lt=b, legal_due_at__lt=b) | Q(
            legal_due_at__gte=a, legal_due_at__lt=b, received_at__lt=b
        )
    parts = [
        _part(
            facts.filter(received, within("received_at")),
            "received_at",
            received=Count("pk"),
            fee_charged=Count("pk", filter=Q(fee_charged=True)),
            paid_online=Count("pk", filter=Q(fee_charged=True, paid_online=True)),
            reused=Count("pk", filter=Q(reused_data=True)),
        ),
        _part(
            facts.filter(ended_at__isnull=False)
            .filter(within("ended_at"))
            .annotate(
                overdue_day=TruncDate(overdue_from, output_field=DateField()),
                end_day=TruncDate("ended_at"),
            ),
            "ended_at",
            closed=Count("pk", filter=received),
            resolved=Count("pk", filter=resolved),
            resolved_early=Count("pk", filter=resolved & received & Q(timeliness="early")),
            resolved_on_time=Count("pk", filter=resolved & received & Q(timeliness="on_time")),
            resolved_late=Count("pk", filter=resolved & received & Q(timeliness="late")),
            days_sum=Coalesce(
                Sum("processing_days", filter=resolved),
                Value(0),
                output_field=DossierFact._meta.get_field("processing_days"),
            ),
            days_count=Count("processing_days", filter=resolved),
            electronic_result=Count("pk", filter=resolved & Q(electronic_result=True)),
            digitised_electronic=Count(
                "pk", filter=resolved & Q(electronic_result=True, digitised=True)
            ),
            negative=Count("pk", filter=resolved & (Q(rated_negative=True) | Q(complained=True))),
            overdue_closed=Count(
                "pk",
                filter=received & Q(legal_due_at__isnull=False, overdue_day__lt=F("end_day")),
            ),
        ),
        _part(
            facts.filter(received, legal_due_at__isnull=False)
            .annotate(
                overdue_day=TruncDate(overdue_from, output_field=DateField()),
                end_day=TruncDate("ended_at"),
            )
            .filter(Q(ended_at__isnull=True) | Q(end_day__gt=F("overdue_day")))
            .filter(overdue_within),
            overdue_from,
            became_overdue=Count("pk"),
        ),
    ]
    sqls, params = [], []
    for part in parts:
        sql, p = part.query.sql_with_params()
        sqls.append(sql)
        params.extend(p)
    names = ("day", *GROUP)
    outer = ", ".join(names)
    sums = ", ".join(f"SUM(n_{name})" for name in COUNTS)
    union = " UNION ALL ".join(sqls)
    sql = f"SELECT {outer}, {sums} FROM ({union}) AS parts GROUP BY {outer}"  # noqa: S608
    return sql, params


def histogram_rows(facts: QuerySet, day_range: tuple[datetime, datetime] | None = None):
    """(sql, params) of a SELECT of (day, *GROUP, days, count): resolved dossiers with a
    processing time by the day they ended and their working days rounded up."""
    qs = facts.filter(ending__in=RESOLVED, processing_days__isnull=False)
    if day_range is not None:
        qs = qs.filter(ended_at__gte=day_range[0], ended_at__lt=day_range[1])
    qs = (
        qs.annotate(
            day=TruncDate("ended_at"),
            whole=Cast(Ceil("processing_days"), IntegerField()),
        )
        .values("day", *GROUP, "whole")
        .annotate(n=Count("pk"))
        .values("day", *GROUP, "whole", "n")
        .order_by()
    )
    return qs.query.sql_with_params()


def _insert(model, columns, select: tuple[str, list]) -> None:
    sql, params = select
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)  # noqa: S608


def _month_rows(qs: QuerySet, counts: tuple[str, ...]):
    qs = (
        qs.annotate(first=TruncMonth("day", output_field=DateField()))
        .values("first", *GROUP)
        .annotate(**{f"s_{name}": Sum(name) for name in counts})  # aliases apart, as above
        .values("first", *GROUP, *(f"s_{name}" for name in counts))
        .order_by()
    )
    return qs.query.sql_with_params()


def _month_histogram_rows(qs: QuerySet):
    qs = (
        qs.annotate(first=TruncMonth("day", output_field=DateField()))
        .values("first", *GROUP, "days")
        .annotate(n=Sum("count"))
        .values("first", *GROUP, "days", "n")
        .order_by()
    )
    return qs.query.sql_with_params()


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def recount_day(*, procedure_id: int, day: date) -> None:
    """The daily rows and histogram of one procedure on one day, from the facts."""
    facts = DossierFact.objects.filter(procedure_id=procedure_id)
    bounds = (midnight(day), midnight(day + timedelta(days=1)))
    DailyAggregate.objects.filter(procedure_id=procedure_id, day=day).delete()
    DailyHistogram.objects.filter(procedure_id=procedure_id, day=day).delete()
    _insert(DailyAggregate, ("day", *GROUP, *COUNTS), daily_rows(facts, bounds))
    _insert(DailyHistogram, ("day", *GROUP, "days", "count"), histogram_rows(facts, bounds))


def recount_month(*, procedure_id: int, first: date) -> None:
    """The monthly rows of one procedure: sums of its daily rows in that month."""
    following = (first + timedelta(days=32)).replace(day=1)
    MonthlyAggregate.objects.filter(procedure_id=procedure_id, month=first).delete()
    MonthlyHistogram.objects.filter(procedure_id=procedure_id, month=first).delete()
    daily = DailyAggregate.objects.filter(
        procedure_id=procedure_id, day__gte=first, day__lt=following
    )
    _insert(MonthlyAggregate, ("month", *GROUP, *COUNTS), _month_rows(daily, COUNTS))
    hist = DailyHistogram.objects.filter(
        procedure_id=procedure_id, day__gte=first, day__lt=following
    )
    _insert(MonthlyHistogram, ("month", *GROUP, "days", "count"), _month_histogram_rows(hist))


def aggregate_state(fact) -> dict | None:
    """What a fact's aggregates depend on (None for no fact)."""
    if fact is None:
        return None
    return {name: getattr(fact, name) for name in STATE}


def _days(state: dict | None) -> set[tuple[int, date]]:
    if not state:
        return set()
    days = set()
    for name in ("received_at", "ended_at", "legal_due_at"):
        if state[name] is not None:
            days.add((state["procedure_id"], timezone.localdate(state[name])))
    return days


def _lock(keys: list[tuple[int, date]]) -> None:
    """Serialise recounts of one procedure's month on PostgreSQL (held to the commit): the
    recount that runs last then sees every fact committed before it. SQLite writes one
    transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for procedure_id, first in keys:
            digest = hashlib.blake2b(f"reports:{procedure_id}:{first}".encode(), digest_size=8)
            key = int.from_bytes(digest.digest(), "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


_paused: ContextVar[bool] = ContextVar("reports_aggregates_paused", default=False)


@contextmanager
def paused():
    """No recount inside (a bulk rebuild of the facts, followed by `rebuild()`)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def touch_groups(before: dict | None, after: dict | None) -> None:
    """Recount the aggregates a fact's change affects: the days (and months) of its old and
    new values, for its old and new procedure. Call it after changing facts other than by
    `DossierFact.save()` (which calls it), e.g. after a queryset `.update()`:
    `touch_groups(aggregate_state(old), aggregate_state(new))`. Idempotent."""
    if before == after or _paused.get():
        return
    days = sorted(_days(before) | _days(after))
    months = sorted({(procedure_id, day.replace(day=1)) for procedure_id, day in days})
    with transaction.atomic():
        _lock(months)
        for procedure_id, day in days:
            recount_day(procedure_id=procedure_id, day=day)
        for procedure_id, first in months:
            recount_month(procedure_id=procedure_id, first=first)


def touch_facts(*, dossier_ids) -> None:
    """Recount the groups of these facts as they are now (after a queryset `.update()` of a
    flag that does not move a fact between days, such as `complained` or the rating)."""
    for fact in DossierFact.objects.filter(pk__in=list(dossier_ids)):
        touch_groups({}, aggregate_state(fact))


def rebuild(*, facts: QuerySet | None = None) -> dict:
    """Every aggregate from the facts, in a few INSERT ... SELECT; returns row counts."""
    facts = DossierFact.objects.all() if facts is None else facts
    with transaction.atomic():
        for model in (MonthlyHistogram, MonthlyAggregate, DailyHistogram, DailyAggregate):
            model.objects.all()._raw_delete(model.objects.db)
        _insert(DailyAggregate, ("day", *GROUP, *COUNTS), daily_rows(facts))
        _insert(DailyHistogram, ("day", *GROUP, "days", "count"), histogram_rows(facts))
        _insert(
            MonthlyAggregate,
            ("month", *GROUP, *COUNTS),
            _month_rows(DailyAggregate.objects.all(), COUNTS),
        )
        _insert(
            MonthlyHistogram,
            ("month", *GROUP, "days", "count"),
            _month_histogram_rows(DailyHistogram.objects.all()),
        )
    return {
        model.__name__: model.objects.count()
        for model in (DailyAggregate, DailyHistogram, MonthlyAggregate, MonthlyHistogram)
    }
