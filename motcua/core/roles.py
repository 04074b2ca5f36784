"""The application's own PostgreSQL role: what it may do to each table (docs/production.md,
"Database roles"; decision 0035).

Migrations run as the owner of the tables; the application connects as a role that owns
nothing, so it cannot TRUNCATE, ALTER or DROP a table, nor disable its triggers. On the
append-only tables (every model built on core.models.AppendOnlyModel) it may only INSERT and
SELECT; on the others it has the usual SELECT, INSERT, UPDATE and DELETE.
"""

from django.apps import apps
from django.db import connections, transaction

from motcua.core.models import AppendOnlyModel

# Tables the application reads and never writes.
READ_ONLY = frozenset({"django_migrations"})


class RoleError(Exception):
    """The role does not exist, or could act as the owner."""


def append_only_tables() -> set[str]:
    return {m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)}


def grant_app_role(role: str, *, using: str = "default") -> dict[str, list[str]]:
    """Give `role` exactly the application's privileges on every table and sequence of the
    current schema, revoking anything else; run as the owner after each `migrate`."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleError("Database roles exist only on PostgreSQL.")
    name = connection.ops.quote_name
    append_only = append_only_tables()
    granted: dict[str, list[str]] = {"append-only": [], "read-write": [], "read-only": []}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise RoleError(f"There is no role {role!r}: CREATE ROLE {role} LOGIN PASSWORD '…'.")
        if found[0]:
            raise RoleError(f"{role} is a superuser: it may do anything.")
        cursor.execute(
            "SELECT current_schema(), current_user, pg_get_userbyid(n.nspowner) "
            "FROM pg_namespace n WHERE n.nspname = current_schema()"
        )
        schema, owner, schema_owner = cursor.fetchone()
        for who in {owner, schema_owner}:
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, who])
            if cursor.fetchone()[0]:
                raise RoleError(
                    f"{role} is {who} or a member of it: it could alter and drop the tables."
                )
        cursor.execute(
            "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname",
            [schema],
        )
        relations = cursor.fetchall()
        for relation, _kind, relation_owner in relations:
            if relation_owner == role:
                raise RoleError(f"{role} owns {relation}: ALTER TABLE {relation} OWNER TO {owner}.")
        cursor.execute(f"GRANT USAGE ON SCHEMA {name(schema)} TO {name(role)}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA {name(schema)} FROM {name(role)}")
        for relation, kind, _owner in relations:
            if kind == "S":
                cursor.execute(f"REVOKE ALL ON SEQUENCE {name(relation)} FROM {name(role)}")
                cursor.execute(f"GRANT USAGE, SELECT ON SEQUENCE {name(relation)} TO {name(role)}")
                continue
            if relation in append_only:
                privileges, group = "SELECT, INSERT", "append-only"
            elif relation in READ_ONLY:
                privileges, group = "SELECT", "read-only"
            else:
                privileges, group = "SELECT, INSERT, UPDATE, DELETE", "read-write"
            cursor.execute(f"REVOKE ALL ON TABLE {name(relation)} FROM {name(role)}")
            cursor.execute(f"GRANT {privileges} ON TABLE {name(relation)} TO {name(role)}")
            granted[group].append(relation)
    return granted
