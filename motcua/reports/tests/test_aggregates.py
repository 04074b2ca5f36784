"""The figures read from the daily and monthly aggregates equal the same figures computed
directly from the facts (decision 0060), on random-ish fact sets: every period kind, periods
cutting months, scopes by agency (with sub-agencies), sector, procedure, code and channel.

The reference below is the facts-based computation (DOMAIN.md section 10 as decision 0057
states it), in plain Python over the facts: kept here, not in the code.
"""

import math
import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from motcua.factories import AgencyFactory
from motcua.reports import aggregates
from motcua.reports import indicators as ind
from motcua.reports.facts import agency_path
from motcua.reports.models import (
    DailyAggregate,
    DailyHistogram,
    DossierFact,
    MonthlyAggregate,
    MonthlyHistogram,
)

pytestmark = pytest.mark.django_db

RESOLVED = ("processed", "returned", "stopped")
PROCEDURES = ((1, "A", 1), (2, "A", 1), (3, "B", 2))  # (id, code, sector): A has two versions


# --- the reference, from the facts ------------------------------------------------------


def in_scope(f, scope):
    return (
        (scope.agency_id is None or f"/{scope.agency_id}/" in f.agency_path)
        and (scope.sector_id is None or f.sector_id == scope.sector_id)
        and (scope.procedure_id is None or f.procedure_id == scope.procedure_id)
        and (not scope.procedure_code or f.procedure_code == scope.procedure_code)
        and (not scope.channel or f.channel == scope.channel)
    )


def between(moment, start, end):
    return moment is not None and start <= moment < end


def row_counts(facts, period):
    s, e = period.starts_at, period.ends_at
    facts = [f for f in facts if f.received_at is not None and f.received_at < e]

    def resolved(f, cls):
        return f.ending in RESOLVED and between(f.ended_at, s, e) and f.timeliness == cls

    def open_at(f, moment):
        return f.received_at < moment and (f.ended_at is None or f.ended_at >= moment)

    def overdue(f):
        return open_at(f, e) and f.legal_due_at is not None and f.legal_due_at < e

    return {
        "received_online": sum(
            between(f.received_at, s, e) and f.channel == "online" for f in facts
        ),
        "received_counter": sum(
            between(f.received_at, s, e) and f.channel != "online" for f in facts
        ),
        "carried_over": sum(open_at(f, s) for f in facts),
        "resolved_early": sum(resolved(f, "early") for f in facts),
        "resolved_on_time": sum(resolved(f, "on_time") for f in facts),
        "resolved_late": sum(resolved(f, "late") for f in facts),
        "in_progress_within": sum(open_at(f, e) and not overdue(f) for f in facts),
        "in_progress_overdue": sum(overdue(f) for f in facts),
    }


def reference(facts, period, scope):
    s, e = period.starts_at, period.ends_at
    mine = [f for f in facts if in_scope(f, scope)]
    totals = ind._finish(row_counts(mine, period))
    groups = sorted({(f.sector_id, f.procedure_code) for f in mine if f.received_at is not None})
    table = []
    for sector_id, code in groups:
        group = [f for f in mine if (f.sector_id, f.procedure_code) == (sector_id, code)]
        row = ind._finish(
            {"sector_id": sector_id, "procedure_code": code, **row_counts(group, period)}
        )
        if row["to_handle"] or row["resolved"] or row["in_progress"]:
            table.append(row)
    received = [f for f in mine if between(f.received_at, s, e)]
    all_channels = [
        f
        for f in facts
        if in_scope(f, ind.Scope(**{**scope.__dict__, "channel": ""}))
        and between(f.received_at, s, e)
    ]
    resolved = [f for f in mine if f.ending in RESOLVED and between(f.ended_at, s, e)]
    days = sorted(f.processing_days for f in resolved if f.processing_days is not None)
    within = None
    if days:
        rank = max(-(-len(days) * 90 // 100), 1)
        within = math.ceil(days[rank - 1])  # 20.5 days is not "within 20 days"
    average = None
    if days:
        average = (sum(days) / len(days)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    negative = sum(bool(f.rated_negative or f.complained) for f in resolved)
    satisfaction = None
    if totals["to_handle"]:
        satisfaction = max(
            Decimal(100)
            - (
                ind.ratio(totals["late"], totals["to_handle"])
                + ind.ratio(negative, totals["to_handle"])
            ),
            Decimal(0),
        )
    return {
        "totals": {k: totals[k] for k in (*ind.COLUMNS, "to_handle", "late_ratio")},
        "table": table,
        "average": average,
        "within": within,
        "online": (sum(f.channel == "online" for f in all_channels), len(all_channels)),
        "payments": (
            sum(f.fee_charged and f.paid_online for f in received),
            sum(f.fee_charged for f in received),
        ),
        "electronic": (sum(f.electronic_result for f in resolved), len(resolved)),
        "digitisation": (
            sum(bool(f.electronic_result and f.digitised) for f in resolved),
            len(resolved),
        ),
        "reuse": (sum(f.reused_data for f in received), len(received)),
        "satisfaction": satisfaction,
    }


def from_aggregates(period, scope):
    totals = ind.period_totals(period=period, scope=scope)
    online = ind.online_dossiers(period=period, scope=scope)
    payments = ind.online_payments(period=period, scope=scope)
    electronic = ind.electronic_results(period=period, scope=scope)
    digitisation = ind.digitisation(period=period, scope=scope)
    reuse = ind.reuse(period=period, scope=scope)
    return {
        "totals": {k: totals[k] for k in (*ind.COLUMNS, "to_handle", "late_ratio")},
        "table": [
            {k: v for k, v in row.items() if k != "negative"}
            for row in ind.period_table(period=period, scope=scope)
        ],
        "average": ind.average_processing_days(period=period, scope=scope),
        "within": ind.within_days(period=period, scope=scope),
        "online": (online.numerator, online.denominator),
        "payments": (payments.numerator, payments.denominator),
        "electronic": (electronic.numerator, electronic.denominator),
        "digitisation": (digitisation.numerator, digitisation.denominator),
        "reuse": (reuse.numerator, reuse.denominator),
        "satisfaction": ind.satisfaction(period=period, scope=scope).rate,
    }


# --- random facts ---------------------------------------------------------------------------


def moment(rng, first=date(2025, 9, 1), days=150):
    """A local time in the five months from September 2025, midnights and late evenings
    included (the day boundaries are where a formula goes wrong)."""
    day = first + timedelta(days=rng.randrange(days))
    hour, minute = rng.choice([(0, 0), (23, 59), (8, 30), (14, 0), (rng.randrange(24), 7)])
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def random_fact(rng, pk, paths):
    procedure_id, code, sector_id = rng.choice(PROCEDURES)
    path = rng.choice(paths)
    submitted = moment(rng)
    received = None if rng.random() < 0.12 else submitted + timedelta(hours=rng.randrange(0, 60))
    due = None
    if received is not None and rng.random() < 0.85:
        due = received + timedelta(hours=rng.randrange(-30, 24 * 25))
    ended, ending, timeliness, days = None, "", "", None
    if rng.random() < 0.7:
        ended = (received or submitted) + timedelta(hours=rng.choice([0, 1, 5, 30, 200, 600]))
        ending = (
            rng.choice(["processed", "returned", "stopped", "withdrawn", "refused"])
            if received
            else rng.choice(["refused", "stopped", "withdrawn"])
        )
        if ending in RESOLVED and received is not None:
            timeliness = rng.choice(["early", "on_time", "late"])
            days = Decimal(rng.randrange(0, 2500)) / 100
    return DossierFact(
        dossier_id=pk,
        status=4,
        agency_id=int(path.strip("/").split("/")[-1]),
        agency_path=path,
        sector_id=sector_id,
        procedure_id=procedure_id,
        procedure_code=code,
        channel=rng.choice(["online", "online", "counter", "post"]),
        submitted_at=submitted,
        received_at=received,
        legal_due_at=due,
        ended_at=ended,
        ending=ending,
        timeliness=timeliness,
        processing_days=days,
        fee_charged=rng.random() < 0.5,
        paid_online=rng.random() < 0.5,
        reused_data=rng.random() < 0.3,
        electronic_result=rng.random() < 0.6,
        digitised=rng.choice([None, True, False]),
        rated_negative=rng.choice([None, True, False]),
        complained=rng.random() < 0.1,
    )


@pytest.fixture
def tree(db):
    parent = AgencyFactory()
    child = AgencyFactory(parent=parent)
    other = AgencyFactory()
    return parent, child, other


PERIODS = [
    ind.month(year=2025, month=11),
    ind.month(year=2026, month=1),
    ind.quarter(year=2025, quarter=4),
    ind.year(year=2025),
    ind.year(year=2026),
    ind.Period(date(2025, 10, 15), date(2025, 12, 10)),  # cuts two months, one whole between
    ind.Period(date(2025, 11, 3), date(2025, 11, 17)),  # inside one month
    ind.Period(date(2025, 9, 1), date(2026, 1, 31)),  # whole months only
    ind.Period(date(2025, 12, 31), date(2026, 1, 1)),  # across a year end
]


def scopes(parent, child, other):
    return [
        ind.Scope(),
        ind.Scope(agency_id=parent.pk),
        ind.Scope(agency_id=child.pk),
        ind.Scope(agency_id=other.pk, channel="online"),
        ind.Scope(sector_id=1),
        ind.Scope(procedure_id=2),
        ind.Scope(procedure_code="A", channel="counter"),
        ind.Scope(agency_id=999),  # an agency gone from the catalogue: found by "/999/"
    ]


def aggregate_tables():
    models = (DailyAggregate, MonthlyAggregate, DailyHistogram, MonthlyHistogram)
    return {
        model.__name__: sorted(
            tuple(str(v) for k, v in row.items() if k != "id") for row in model.objects.values()
        )
        for model in models
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_figures_from_the_aggregates_equal_the_figures_from_the_facts(tree, seed):
    parent, child, other = tree
    rng = random.Random(seed)
    paths = [agency_path(a.pk) for a in tree] + ["/999/"]
    assert paths[1] == f"/{parent.pk}/{child.pk}/"
    for pk in range(1, 181):
        random_fact(rng, pk, paths).save()  # each save recounts its days
    facts = list(DossierFact.objects.all())
    for period in PERIODS:
        for scope in scopes(*tree):
            assert from_aggregates(period, scope) == reference(facts, period, scope), (
                period,
                scope,
            )

    # Kept by recounts after each save = rebuilt from scratch.
    kept = aggregate_tables()
    assert kept["DailyAggregate"] and kept["MonthlyHistogram"]
    aggregates.rebuild()
    assert aggregate_tables() == kept


def test_a_fact_that_moves_leaves_its_old_days_and_an_update_is_recounted_on_request(tree):
    parent, child, _other = tree
    rng = random.Random(7)
    paths = [agency_path(parent.pk), agency_path(child.pk)]
    for pk in range(1, 61):
        random_fact(rng, pk, paths).save()
    november = ind.month(year=2025, month=11)
    scope = ind.Scope(agency_id=parent.pk)

    # One dossier received in November, ended in December, then re-dated: ended in November,
    # another procedure and agency: its old days are recounted as well as its new ones.
    fact = DossierFact.objects.get(pk=1)
    fact.received_at = timezone.make_aware(datetime(2025, 11, 3, 9))
    fact.ended_at = timezone.make_aware(datetime(2025, 12, 2, 9))
    fact.ending, fact.timeliness, fact.legal_due_at = "returned", "late", fact.received_at
    fact.save()
    fact.ended_at = timezone.make_aware(datetime(2025, 11, 20, 9))
    fact.procedure_id, fact.procedure_code, fact.sector_id = 3, "B", 2
    fact.agency_path, fact.agency_id = paths[1], child.pk
    fact.save()
    facts = list(DossierFact.objects.all())
    assert from_aggregates(november, scope) == reference(facts, november, scope)

    # A queryset update (the complaints flag) changes nothing until its groups are recounted.
    resolved = [f.pk for f in facts if f.ending in RESOLVED and f.ended_at.month == 11]
    before = ind.satisfaction(period=november, scope=scope).counts["negative"]
    DossierFact.objects.filter(pk__in=resolved).update(complained=True)
    aggregates.touch_facts(dossier_ids=resolved)
    after = ind.satisfaction(period=november, scope=scope).counts["negative"]
    assert after == len(resolved) > before
    facts = list(DossierFact.objects.all())
    assert from_aggregates(november, scope) == reference(facts, november, scope)


def test_recounting_twice_changes_nothing(tree):
    parent, _child, _other = tree
    rng = random.Random(3)
    for pk in range(1, 41):
        random_fact(rng, pk, [agency_path(parent.pk)]).save()
    kept = aggregate_tables()
    for fact in DossierFact.objects.all():
        aggregates.touch_groups({}, aggregates.aggregate_state(fact))  # as an outbox retry
    assert aggregate_tables() == kept


def test_a_year_reads_monthly_rows_not_days(tree, django_assert_max_num_queries):
    parent, _child, _other = tree
    rng = random.Random(4)
    for pk in range(1, 41):
        random_fact(rng, pk, [agency_path(parent.pk)]).save()
    year = ind.year(year=2025)
    with django_assert_max_num_queries(3):  # the agency's path, months, days
        ind.period_table(period=year, scope=ind.Scope(agency_id=parent.pk))
    # A whole year's flows come from twelve monthly rows per group: no daily row is read.
    months, days, _first = ind._segments(year)
    assert months == [(date(2025, 1, 1), date(2026, 1, 1))] and days == []


@pytest.mark.django_db(transaction=True)
def test_two_dossiers_of_one_group_changed_at_once_are_both_counted():
    """On PostgreSQL, two transactions each change a fact of the same procedure and day; the
    second's recount waits for the first to commit (advisory lock), so it counts both.
    Without the lock it would count only its own fact and overwrite the first's row."""
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    import threading

    day = timezone.make_aware(datetime(2025, 11, 12, 9))

    def fact(pk):
        return DossierFact(
            dossier_id=pk,
            status=2,
            agency_id=5,
            agency_path="/5/",
            sector_id=1,
            procedure_id=1,
            procedure_code="A",
            channel="online",
            submitted_at=day,
            received_at=day,
        )

    first_saved = threading.Event()

    def first():
        with transaction.atomic():
            fact(1).save()
            first_saved.set()
            threading.Event().wait(0.5)  # still uncommitted while the second recounts
        connections.close_all()

    def second():
        first_saved.wait(5)
        with transaction.atomic():
            fact(2).save()
        connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row = DailyAggregate.objects.get(procedure_id=1, day=date(2025, 11, 12))
    assert row.received == 2
    assert MonthlyAggregate.objects.get(procedure_id=1, month=date(2025, 11, 1)).received == 2
