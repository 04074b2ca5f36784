"""The dossiers' hand-written SQL: public tracking, the busiest public page.

The ORM's version of this one read (a FilteredRelation join over four tables) took about
seven times as long as this SQL in-process (decision 18), on a page whose whole request is
a few milliseconds. Table and column names come from the models' `_meta`; rows are read by
name.
"""

import functools

from motcua.accounts.models import Unit
from motcua.catalogue.models import Agency, Procedure
from motcua.core.dates import aware
from motcua.core.db import column, fetch_dicts, table
from motcua.dossiers.models import Dossier, DossierEvent, Status


@functools.cache
def _tracking_sql() -> str:
    d, e = (lambda f: column(Dossier, f, "d")), (lambda f: column(DossierEvent, f, "e"))
    columns = ", ".join(
        [
            f"{d('status')} AS status",
            f"{d('submitted_at')} AS submitted_at",
            f"{d('due_at')} AS due_at",
            f"{d('applicant_phone')} AS applicant_phone",
            f"{d('applicant_id_number')} AS applicant_id_number",
            f"{column(Procedure, 'name', 'p')} AS procedure_name",
            f"{column(Agency, 'name', 'a')} AS agency_name",
            f"{column(Unit, 'name', 'u')} AS unit_name",
            f"{e('at')} AS event_at",
            f"{e('action')} AS event_action",
            f"{e('to_status')} AS event_to_status",
            f"{e('note')} AS event_note",
            f"{e('unit_name')} AS event_unit_name",
        ]
    )
    # One round trip: the dossier with its public events, one row per event (a LEFT JOIN, so
    # a dossier without public events still comes back). The code is a parameter.
    return (
        f"SELECT {columns} FROM {table(Dossier)} d "  # noqa: S608 - names from _meta
        f"INNER JOIN {table(Procedure)} p ON {column(Procedure, 'id', 'p')} = {d('procedure')} "
        f"INNER JOIN {table(Agency)} a ON {column(Agency, 'id', 'a')} = {d('receiving_agency')} "
        f"LEFT JOIN {table(Unit)} u ON {column(Unit, 'id', 'u')} = {d('current_unit')} "
        f"LEFT JOIN {table(DossierEvent)} e ON {e('dossier')} = {d('id')} AND {e('is_public')} "
        f"WHERE {d('code')} = %s AND {d('status')} <> %s ORDER BY {e('at')}, {e('id')}"
    )


def tracking_rows(code: str) -> list[dict]:
    """The submitted dossier with this code, one row per public event (see _tracking_sql)."""
    rows = fetch_dicts(_tracking_sql(), [code, Status.DRAFT])
    for row in rows:
        for name in ("submitted_at", "due_at", "event_at"):
            row[name] = aware(row[name])
    return rows
