import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def load_settings(names, **env) -> subprocess.CompletedProcess:
    """Import motcua.settings in a fresh interpreter, as a server starting with `env` would
    (not under pytest, so not as a test run); prints the settings `names` as JSON."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))}
    clean |= {"SECRET_KEY": "a-production-secret-key", "DEBUG": "false", **env}
    code = (
        "import json, motcua.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))"
    )
    return subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def raw(sql: str, params=(), *, table: str) -> None:
    """Run `sql` as an intruder would: on PostgreSQL the append-only trigger is lifted first
    (the test's user owns the tables, as the attacker of the old single-role set-up did)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER with checks pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
