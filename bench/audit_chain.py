#!/usr/bin/env python
"""What linking a row into the audit's hash chains costs (decision 0035).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_audit \
        .venv/bin/python bench/audit_chain.py [--rows 1000]

Needs a migrated PostgreSQL database of one's own, and its owner (the bench lifts the
append-only triggers to clean up). Writes --rows audit entries and --rows events of one dossier
(locking it first, as the workflow does), each in its own transaction, with the chain (the
application's way) and without it (the base manager's bulk_create skips the chain: the same
INSERT alone), in alternating rounds so that the machine's load falls on both alike; prints
the mean cost per row (wall time, and this process's CPU time) and the difference. Then
deletes its rows and puts the chains' heads back.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from motcua.core.models import AuditEntry, ChainHead  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402

MARK = "bench-chain"


def timed(write, rows: int) -> tuple[float, float]:
    """Mean milliseconds of `write()`, each in its own transaction as in a request: the wall
    time, and this process's CPU time (which the machine's other load does not inflate)."""
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(rows):
        with transaction.atomic():
            write(n)
    return (
        (time.perf_counter() - started) * 1000 / rows,
        (time.process_time() - cpu) * 1000 / rows,
    )


def clean_up():
    """Delete the bench's rows and move each chain's head back to its last row."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model, where in ((AuditEntry, "action"), (DossierEvent, "note")):
            table = model._meta.db_table
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            cursor.execute(f"DELETE FROM {table} WHERE {where} = %s", [MARK])
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            label = model._meta.label_lower
            for head in ChainHead.objects.filter(model=label):
                last = model.objects.filter(chain_key=head.key).order_by("-chain_seq").first()
                ChainHead.objects.filter(pk=head.pk).update(
                    seq=last.chain_seq if last else 0, hash=last.chain_hash if last else ""
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    dossier = Dossier.objects.order_by("pk").first()
    if dossier is None:
        sys.exit("No dossier: load some (bench/load_dossiers.py) or submit one.")

    def audit_chained(n):
        AuditEntry.objects.create(action=MARK, target=f"user:{n}", data={"n": n})

    def audit_plain(n):
        AuditEntry._base_manager.bulk_create(
            [AuditEntry(action=MARK, target=f"user:{n}", data={"n": n})]
        )

    def event(n):
        return DossierEvent(
            dossier=dossier, action="comment", from_status=4, to_status=4, note=MARK
        )

    def event_chained(n):
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        event(n).save()

    def event_plain(n):
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        DossierEvent._base_manager.bulk_create([event(n)])

    writes = {
        "audit entry, plain": audit_plain,
        "audit entry, chained": audit_chained,
        "dossier event, plain": event_plain,
        "dossier event, chained": event_chained,
    }
    totals = {name: [0.0, 0.0] for name in writes}
    per_round = max(1, args.rows // args.rounds)
    try:
        for write in writes.values():
            timed(write, 50)  # warm-up
        for _round in range(args.rounds):
            for name, write in writes.items():
                wall, cpu = timed(write, per_round)
                totals[name][0] += wall / args.rounds
                totals[name][1] += cpu / args.rounds
    finally:
        clean_up()
    print(f"{connection.vendor}, {per_round * args.rounds} rows each, mean per row (ms):")
    print(f"  {'':24} {'wall':>8} {'our CPU':>8}")
    for name, (wall, cpu) in totals.items():
        print(f"  {name:24} {wall:8.3f} {cpu:8.3f}")
    for what in ("audit entry", "dossier event"):
        chained, plain = totals[f"{what}, chained"], totals[f"{what}, plain"]
        print(
            f"  chain cost, {what:13} {chained[0] - plain[0]:+8.3f} {chained[1] - plain[1]:+8.3f}"
        )


if __name__ == "__main__":
    main()
