#!/usr/bin/env python
"""The proactive reminder job over 1,000,000 results (issue 17): finds what falls due in
under a minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/proactive_due.py [--count 1000000] [--holders 20000] [--reset]

Run after `manage.py migrate`. Writes, with INSERT ... SELECT generate_series (no PDF, no
form: the job reads neither), `count` badge results of one bench dossier and one due item
each (proactive_dueitem: procedure 2.002288, "valid_until", one plate per result), their
valid-until dates spread evenly over seven years from today, held by `holders` bench accounts
(e-mail @bench.motcua.invalid), and one active rule with offsets [30, 10] working days. Then
VACUUM ANALYZE and, for two days in a row:

  * the query alone: the items whose reminder day has come and that were not reminded yet
    (proactive.job.due_items), with its plan: the planner chooses between a range of the
    partial index due_item_window and a walk of the active holders through due_item_holder
    (the latter on the 1,000,000-item load since the active-account check);
  * the whole job, proactive.job.send_reminders: the Reminder rows, their occasions and the
    ProactiveReminderDue events, one transaction per holder. The events stay in the outbox
    (delivery is not timed: the preparation and the notifications run after, elsewhere).

The first day is the worst case: nothing was reminded before, so every item of the
30-working-day window is reminded at once. The second day is the daily case: the items whose
reminder day is that day. --reset deletes the bench rows first.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DOMAIN = "bench.motcua.invalid"
RULE_NAME = "Bench: phù hiệu sắp hết hạn"
SEVEN_YEARS_DAYS = 7 * 365 + 2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="results (and due items)")
    parser.add_argument("--holders", type=int, default=20_000, help="bench accounts")
    parser.add_argument("--reset", action="store_true", help="remove an earlier bench load first")
    return parser.parse_args()


def setup_django():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (postgres://...).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("SECRET_KEY", "bench-loader-serves-nothing")
    os.environ["DATABASE_POOL_MAX"] = "0"
    import django

    django.setup()


def reset():
    from django.db import connection, transaction

    from motcua.proactive.models import ReminderRule

    with connection.cursor() as cursor:
        # Only the bench rule's events: other reminders' events in the outbox stay.
        cursor.execute(
            "DELETE FROM core_outboxevent WHERE name = 'proactive.reminder_due' "
            "AND (payload->>'rule_id')::bigint IN "
            "(SELECT id FROM proactive_reminderrule WHERE name = %s)",
            [RULE_NAME],
        )
        cursor.execute(
            "DELETE FROM proactive_reminderitem WHERE rule_id IN "
            "(SELECT id FROM proactive_reminderrule WHERE name = %s)",
            [RULE_NAME],
        )
        cursor.execute(
            "DELETE FROM proactive_reminder WHERE rule_id IN "
            "(SELECT id FROM proactive_reminderrule WHERE name = %s)",
            [RULE_NAME],
        )
        cursor.execute("DELETE FROM proactive_dueitem WHERE subject LIKE 'BENCH-%%'")
    with transaction.atomic(), connection.cursor() as cursor:
        # Results are append-only (a trigger refuses DELETE); replication role "replica"
        # skips it, for this transaction only.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM results_resultdocument WHERE number LIKE 'BENCH-%%'")
    ReminderRule.objects.filter(name=RULE_NAME).delete()


def accounts(holders: int) -> list[int]:
    """The ids of `holders` bench accounts, made when missing (not necessarily consecutive:
    other accounts may have been made between, or some deleted)."""
    from motcua.accounts.models import User

    existing = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}", kind="organisation")
    missing = holders - existing.count()
    if missing > 0:
        start = existing.count()
        User.objects.bulk_create(
            [
                User(
                    email=f"proactive{start + i}@{BENCH_DOMAIN}",
                    full_name=f"Công ty Vận tải Bench {start + i}",
                    kind="organisation",
                    password="!motcua-bench",
                )
                for i in range(missing)
            ],
            batch_size=1000,  # 23 columns: under PostgreSQL's 65,535 bound parameters
        )
    return list(existing.order_by("pk").values_list("pk", flat=True)[:holders])


def bench_dossier():
    """One dossier the bench results hang on (the job never reads it)."""
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier
    from motcua.factories import AgencyFactory, ProcedureFactory

    applicant = User.objects.filter(email=f"proactive0@{BENCH_DOMAIN}").first()
    dossier = Dossier.objects.filter(applicant=applicant).first()
    if dossier is None:
        agency = AgencyFactory(name="Sở Xây dựng (bench)", identifier="000.00.99.B99")
        procedure = ProcedureFactory(code="9.999288", agency=agency, receiving_agency=agency)
        dossier = Dossier.objects.create(
            procedure=procedure,
            applicant=applicant,
            receiving_agency=agency,
            applicant_name=applicant.full_name,
        )
    return dossier


def load(count: int, holders: list[int]) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    dossier = bench_dossier()
    today = timezone.localdate()
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO results_resultdocument
                (dossier_id, agency_id, kind, title, number, issued_at, issued_by_id, data,
                 pdf, sha256, signer)
            SELECT %(dossier)s, %(agency)s, 'badge', 'Phù hiệu xe ô tô kinh doanh vận tải',
                   'BENCH-' || g, now(), %(applicant)s, '{}'::jsonb, 'results/bench.pdf',
                   repeat('0', 64), 'bench'
            FROM generate_series(1, %(count)s) AS g
            """,
            {
                "dossier": dossier.pk,
                "agency": dossier.receiving_agency_id,
                "applicant": dossier.applicant_id,
                "count": count,
            },
        )
        # One item per result: plate BENCH-n, due on a date spread over seven years (a
        # multiplicative hash spreads consecutive results), held by one of the accounts in
        # turn (an index into their ids: 1-based arrays).
        cursor.execute(
            """
            INSERT INTO proactive_dueitem
                (result_id, holder_id, procedure_code, due, date_field, subject, label,
                 due_on, state)
            SELECT r.id, (%(holders)s::bigint[])[1 + n %% cardinality(%(holders)s::bigint[])],
                   '2.002288', 'valid_until', '',
                   'BENCH-' || n, 'Phù hiệu số ' || n || '/2026/PH, xe BENCH-' || n,
                   %(today)s::date + ((n * 7919) %% %(span)s)::int, 'active'
            FROM (SELECT id, substr(number, 7)::bigint AS n FROM results_resultdocument
                  WHERE number LIKE 'BENCH-%%') AS r
            """,
            {
                "holders": holders,
                "today": today,
                "span": SEVEN_YEARS_DAYS,
            },
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE results_resultdocument")
        cursor.execute("VACUUM ANALYZE proactive_dueitem")
    return time.monotonic() - started


def rule():
    from motcua.proactive.models import Due, ReminderRule

    found, _created = ReminderRule.objects.get_or_create(
        name=RULE_NAME,
        defaults={
            "procedure_code": "2.002288",
            "due": Due.VALID_UNTIL,
            "offsets": [30, 10],
            "offer_code": "2.002288",
            "prepare": False,
            "recommend": False,
        },
    )
    return found


def plan(the_rule, day) -> str:
    from django.db import connection

    from motcua.proactive.job import due_items

    sql, params = due_items(the_rule, day).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    args = parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from motcua.core import outbox
    from motcua.proactive import job
    from motcua.proactive.models import DueItem

    if args.reset:
        reset()
    if DueItem.objects.filter(subject__startswith="BENCH-").exists():
        sys.exit("The bench rows are there already: run with --reset to load them again.")
    holders = accounts(args.holders)
    print(f"Loading {args.count:,} results and due items for {args.holders:,} holders…")
    seconds = load(args.count, holders)
    the_rule = rule()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM proactive_dueitem")
        rows = cursor.fetchone()[0]
    print(f"  loaded in {seconds:.1f} s; proactive_dueitem has {rows:,} rows")
    # Events wait in the outbox: their delivery (preparing, notifying) is not the job's time.
    outbox._dispatch = lambda event_id: None
    today = timezone.localdate()
    print(plan(the_rule, today))
    for label, day in (("first day (catch-up)", today), ("next day", today + timedelta(days=1))):
        started = time.monotonic()
        found = len(list(job.due_items(the_rule, day).values("pk", "offset")))
        query = time.monotonic() - started
        started = time.monotonic()
        counts = job.send_reminders(today=day)
        whole = time.monotonic() - started
        print(
            f"{label} {day:%d/%m/%Y}: query {found:,} items due in {query:.2f} s; "
            f"send_reminders {whole:.2f} s -> {counts}"
        )


if __name__ == "__main__":
    main()
