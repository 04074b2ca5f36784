"""The audit's hash chains: a clean chain verifies; every change, deletion, insertion and
reordering made behind the application's back is found, with its table, row and date."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from motcua.core import chain
from motcua.core.audit import record_audit
from motcua.core.models import AuditEntry, ChainHead
from motcua.core.tests.helpers import raw
from motcua.dossiers.models import DossierEvent, Status
from motcua.dossiers.timeline import record_event
from motcua.factories import make_submitted_dossier

pytestmark = pytest.mark.django_db


def problems_of(model) -> list[str]:
    return [str(p) for p in chain.verify(model)[1]]


def audit_rows(n: int) -> list[AuditEntry]:
    return [
        record_audit(action="login", target=f"user:{i}", attempt=i, detail={"b": 1, "a": [i]})
        for i in range(n)
    ]


@pytest.fixture
def events(org, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    for note in ("một", "hai", "ba", "bốn"):
        record_event(
            dossier=dossier, action="comment", actor=org.desk_officer, from_status=1, note=note
        )
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("chain_seq"))


class Editor:
    """What a migration's RunPython gets, inside the test's transaction."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def where(row) -> str:
    return f"row {row.pk} ({timezone.localtime(row.at):%Y-%m-%d %H:%M:%S})"


def test_audit_entries_link_each_to_the_one_before():
    first, second, third = audit_rows(3)
    assert (first.chain_seq, second.chain_seq, third.chain_seq) == (1, 2, 3)
    assert first.chain_prev == "" and second.chain_prev == first.chain_hash
    assert third.chain_prev == second.chain_hash and first.chain_key == third.chain_key
    assert problems_of(AuditEntry) == []


def test_each_dossier_has_its_own_chain(events, procedure, citizen):
    other = make_submitted_dossier(procedure, citizen, plate="75A-999.99")
    mine = {e.chain_key for e in events}
    assert mine == {str(events[0].dossier_id)}
    theirs = DossierEvent.objects.get(dossier=other)
    assert theirs.chain_key == str(other.pk) and theirs.chain_seq == 1
    assert [e.chain_seq for e in events] == list(range(1, len(events) + 1))
    assert problems_of(DossierEvent) == []


def test_the_hash_reads_back_the_same_from_the_database():
    """What is hashed before the INSERT is what a later read gives: dates in UTC, JSON with
    sorted keys, choices as numbers, empty values left out."""
    entry = record_audit(
        action="x", amount=str(Decimal("1.50")), when="2026-12-07", nested={"z": 1, "a": None}
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert chain.canonical(stored) == chain.canonical(entry)
    content = json.loads(chain.canonical(stored))
    assert (
        content["at"].endswith("+00:00") and "actor_id" not in content and "target" not in content
    )
    assert list(content["data"]) == sorted(content["data"])


def test_verify_audit_is_quiet_and_succeeds_on_a_clean_audit(events, capsys):
    audit_rows(2)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert out.startswith("Audit verified:")
    assert f"core_auditentry {AuditEntry.objects.count()} rows" in out
    assert f"dossiers_dossierevent {DossierEvent.objects.count()} rows" in out


def test_a_changed_field_is_found_where_it_is():
    rows = audit_rows(4)
    raw(
        "UPDATE core_auditentry SET target = %s WHERE id = %s",
        ["user:999", rows[1].pk],
        table="core_auditentry",
    )
    found = problems_of(AuditEntry)
    assert found == [f"core_auditentry {where(rows[1])}: content changed since it was written"]


def test_a_changed_event_note_is_found(events):
    raw(
        "UPDATE dossiers_dossierevent SET note = %s WHERE id = %s",
        ["đã sửa", events[2].pk],
        table="dossiers_dossierevent",
    )
    assert problems_of(DossierEvent) == [
        f"dossiers_dossierevent {where(events[2])}: content changed since it was written"
    ]


def test_a_changed_date_is_found():
    rows = audit_rows(3)
    raw(
        "UPDATE core_auditentry SET at = %s WHERE id = %s",
        [rows[0].at - datetime.timedelta(days=3), rows[0].pk],
        table="core_auditentry",
    )
    (problem,) = chain.verify(AuditEntry)[1]
    assert problem.row_id == rows[0].pk and "content changed" in problem.message


def test_a_deleted_row_is_found_after_its_place(events):
    raw(
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
        [events[2].pk],
        table="dossiers_dossierevent",
    )
    key = events[0].chain_key
    assert problems_of(DossierEvent) == [
        f"dossiers_dossierevent {where(events[3])}: 1 row(s) missing before it (deleted), "
        f"positions 3-3 of chain {key}"
    ]


def test_a_deleted_last_row_is_found_by_the_chain_head():
    rows = audit_rows(3)
    raw("DELETE FROM core_auditentry WHERE id = %s", [rows[2].pk], table="core_auditentry")
    (problem,) = problems_of(AuditEntry)
    assert problem.startswith(f"core_auditentry {where(rows[1])}: the chain")
    assert "the last 1 row(s) after this one are missing (deleted)" in problem


def test_a_whole_deleted_chain_is_found(events):
    raw(
        "DELETE FROM dossiers_dossierevent WHERE dossier_id = %s",
        [events[0].dossier_id],
        table="dossiers_dossierevent",
    )
    (problem,) = problems_of(DossierEvent)
    assert f"chain {events[0].chain_key}: all its {len(events)} row(s) are missing" in problem


def test_a_forged_row_is_found_where_it_was_slipped_in():
    rows = audit_rows(3)
    # The intruder copies a real row's chain place and computes a hash that fits it.
    forged = AuditEntry(action="login", target="user:forged", at=rows[1].at, data={})
    forged.chain_key, forged.chain_seq, forged.chain_prev = rows[1].chain_key, 2, rows[0].chain_hash
    forged.chain_hash = chain.row_hash(
        "core.auditentry", forged.chain_prev, chain.canonical(forged)
    )
    raw(
        "INSERT INTO core_auditentry (at, action, target, data, chain_key, chain_seq, chain_prev, "
        "chain_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            forged.at,
            forged.action,
            forged.target,
            "{}",
            forged.chain_key,
            2,
            forged.chain_prev,
            forged.chain_hash,
        ],
        table="core_auditentry",
    )
    forged_id = AuditEntry.objects.get(target="user:forged").pk
    (problem,) = chain.verify(AuditEntry)[1]
    assert problem.row_id == forged_id and problem.table == "core_auditentry"
    assert f"a second row at position 2 of chain {rows[0].chain_key}" in problem.message
    assert problem.message.endswith("inserted")


def test_a_row_forged_at_the_end_of_a_chain_is_found():
    """Even with a hash that fits, a row added behind the chain's head is found."""
    rows = audit_rows(2)
    forged = AuditEntry(action="login", target="user:forged", at=timezone.now(), data={})
    forged.chain_key, forged.chain_seq, forged.chain_prev = rows[1].chain_key, 3, rows[1].chain_hash
    forged.chain_hash = chain.row_hash(
        "core.auditentry", forged.chain_prev, chain.canonical(forged)
    )
    raw(
        "INSERT INTO core_auditentry (at, action, target, data, chain_key, chain_seq, "
        "chain_prev, chain_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            forged.at,
            "login",
            "user:forged",
            "{}",
            forged.chain_key,
            3,
            forged.chain_prev,
            forged.chain_hash,
        ],
        table="core_auditentry",
    )
    forged_row = AuditEntry.objects.get(target="user:forged")
    assert problems_of(AuditEntry) == [
        f"core_auditentry {where(forged_row)}: the chain {rows[1].chain_key} ended at position 2: "
        "the rows after it were inserted outside the application"
    ]


def test_a_row_inserted_outside_any_chain_is_found():
    audit_rows(2)
    raw(
        "INSERT INTO core_auditentry (at, action, target, data) VALUES (%s, %s, %s, %s)",
        [timezone.now(), "login", "user:ghost", "{}"],
        table="core_auditentry",
    )
    ghost = AuditEntry.objects.get(target="user:ghost")
    assert problems_of(AuditEntry) == [
        f"core_auditentry {where(ghost)}: not in any chain (inserted)"
    ]


def test_two_swapped_rows_are_found_out_of_order(events):
    a, b = events[1], events[2]
    raw(
        "UPDATE dossiers_dossierevent SET chain_seq = CASE id WHEN %s THEN %s ELSE %s END "
        "WHERE id IN (%s, %s)",
        [a.pk, b.chain_seq, a.chain_seq, a.pk, b.pk],
        table="dossiers_dossierevent",
    )
    found = chain.verify(DossierEvent)[1]
    # The two rows, and the one after them, whose predecessor no longer stands before it.
    assert [p.row_id for p in found] == [b.pk, a.pk, events[3].pk]
    assert all(p.message.startswith("out of order") for p in found)
    assert (
        found[0].message
        == "out of order: it follows the row at position 3 but stands at position 2"
    )


def test_verify_audit_fails_and_says_where(capsys):
    rows = audit_rows(3)
    raw(
        "UPDATE core_auditentry SET action = %s WHERE id = %s",
        ["logout", rows[0].pk],
        table="core_auditentry",
    )
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit")
    assert f"core_auditentry {where(rows[0])}: content changed" in capsys.readouterr().err


def test_rows_written_before_the_chain_are_sealed_by_the_migration(events):
    """`seal_existing` chains rows that have no chain yet, in their order of writing."""
    from django.apps import apps

    dossier_id = events[0].dossier_id
    raw(
        "UPDATE dossiers_dossierevent "
        "SET chain_key = '', chain_seq = 0, chain_prev = '', chain_hash = '' "
        "WHERE dossier_id = %s",
        [dossier_id],
        table="dossiers_dossierevent",
    )
    ChainHead.objects.filter(model="dossiers.dossierevent").delete()
    assert len(problems_of(DossierEvent)) == len(events)
    operation = chain.seal_existing("dossiers", "DossierEvent", chain_by="dossier")
    operation.code(apps, Editor())
    assert problems_of(DossierEvent) == []
    assert (
        DossierEvent.objects.filter(dossier_id=dossier_id).order_by("chain_seq").first().action
        == "submitted"
    )


def test_status_choices_hash_as_numbers(events, org):
    event = record_event(
        dossier=events[0].dossier,
        action="comment",
        from_status=Status.SUBMITTED,
        to_status=Status.ACCEPTED,
    )
    assert json.loads(chain.canonical(event))["to_status"] == 2
    assert problems_of(DossierEvent) == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_every_chain_whole(org, procedure, citizen):
    """Writers in parallel transactions, of events of one dossier (without the dossier's lock,
    as the revocation of a result writes) and of audit entries: no two rows take one place."""
    import threading

    from django.db import connections, transaction

    dossier = make_submitted_dossier(procedure, citizen)
    barrier = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            barrier.wait(10)
            for i in range(10):
                with transaction.atomic():
                    record_event(dossier=dossier, action="comment", from_status=1, note=f"{n}.{i}")
                    record_audit(action="login", target=f"user:{n}.{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = sorted(DossierEvent.objects.filter(dossier=dossier).values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 42))  # the submission's event and 40
    assert problems_of(DossierEvent) == [] and problems_of(AuditEntry) == []


def test_rows_created_in_bulk_are_chained_too():
    AuditEntry.objects.bulk_create(
        [AuditEntry(action="import", target=f"row:{n}") for n in range(3)]
    )
    rows = AuditEntry.objects.filter(action="import").order_by("chain_seq")
    assert [r.chain_seq for r in rows] == [1, 2, 3] and problems_of(AuditEntry) == []
