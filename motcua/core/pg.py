"""PostgreSQL-only schema pieces, applied from migrations with `run_on_postgresql`."""

from django.db import migrations

FOLD_FUNCTION = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- unaccent() is only STABLE; this wrapper names the dictionary so it can be IMMUTABLE and
-- be used in indexes. đ/Đ are folded explicitly, as in motcua.core.text.fold.
CREATE OR REPLACE FUNCTION motcua_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, translate($1, 'đĐ', 'dD'))) $$;
CREATE OR REPLACE FUNCTION motcua_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
    END $$;
"""


def append_only_trigger(table: str) -> tuple[str, str]:
    create = (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION motcua_refuse_change();"
    )
    drop = f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
    return create, drop


def run_on_postgresql(forward_sql: str, reverse_sql: str = "") -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql, params=None)

    def reverse(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql" and reverse_sql:
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, reverse)
