"""The application's own PostgreSQL role (docs/production.md, "Database roles"): after
`grant_app_role` it inserts and reads the audit, and cannot change, empty or unprotect it."""

import secrets
import threading

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from motcua.core.audit import record_audit
from motcua.core.models import AuditEntry, ChainHead

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role():
    """A throwaway LOGIN role (roles belong to the whole cluster: dropped afterwards)."""
    role = f"motcua_test_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    connection.close()  # a pooled connection would hold nothing, but be sure
    with connections["default"].cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def connect_as(role: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=role,
        autocommit=True,
    )


def refused(conn: psycopg.Connection, sql: str) -> bool:
    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_app_role_appends_and_reads_the_audit_and_nothing_more(app_role, capsys):
    record_audit(action="login", target="user:1")
    call_command("grant_app_role", role=app_role)
    assert "insert and read only on" in capsys.readouterr().out
    with connect_as(app_role) as conn:
        conn.execute(
            "INSERT INTO core_auditentry (at, action, target, data, chain_key, chain_seq, "
            "chain_prev, chain_hash) VALUES (now(), 'login', 'user:2', '{}', '', 0, '', '')"
        )
        assert conn.execute("SELECT count(*) FROM core_auditentry").fetchone()[0] == 2
        for sql in (
            "UPDATE core_auditentry SET target = 'x'",
            "DELETE FROM core_auditentry",
            "TRUNCATE core_auditentry",
            "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
            "DROP TRIGGER core_auditentry_append_only ON core_auditentry",
            "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER ALL",
            "TRUNCATE dossiers_dossierevent CASCADE",
            "DELETE FROM signing_auditdigest",
            "DROP TABLE core_auditentry",
            "UPDATE django_migrations SET app = 'x'",
            "CREATE TABLE core_intruder (id int)",
        ):
            assert refused(conn, sql), sql
        # The ordinary tables take the usual writes: the chains' heads move on.
        conn.execute("UPDATE core_chainhead SET seq = seq")
        conn.execute("INSERT INTO core_benchprobe (at, value) VALUES (now(), 'a')")
        conn.execute("UPDATE core_benchprobe SET value = 'b'")
        conn.execute("DELETE FROM core_benchprobe")
    assert AuditEntry.objects.filter(target="x").count() == 0


def test_the_owner_or_a_superuser_is_refused_as_the_app_role(app_role):
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", role="postgres")
    with pytest.raises(CommandError, match="There is no role"):
        call_command("grant_app_role", role="motcua_nobody_" + secrets.token_hex(4))


def test_writers_of_the_audit_do_not_wait_for_each_other():
    """A transaction holding a lane of the audit's chains (a long request) does not stop
    another from writing an audit row: it takes a free lane."""
    record_audit(action="first")
    held = threading.Event()
    release = threading.Event()

    def long_request():
        with connect_as(connection.settings_dict["USER"] or "postgres") as conn, conn.transaction():
            conn.execute(
                "SELECT 1 FROM core_chainhead WHERE model = 'core.auditentry' AND key = '0' "
                "FOR UPDATE"
            )
            held.set()
            release.wait(10)

    thread = threading.Thread(target=long_request)
    thread.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        started = timezone.now()
        entry = record_audit(action="second")
        assert (timezone.now() - started).total_seconds() < 1
        assert entry.chain_key != "0"
    finally:
        release.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert ChainHead.objects.get(model="core.auditentry", key=entry.chain_key).seq == 1
