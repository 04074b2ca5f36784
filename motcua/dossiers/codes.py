"""Dossier codes (mã hồ sơ): <receiving agency id>-<YYMMDD>-<NNNN> (Circular 01/2018 art. 19)."""

from datetime import date

from django.db import connection

from motcua.dossiers.models import DossierCodeSequence

_TABLE = DossierCodeSequence._meta.db_table
# One statement that creates the day's counter or bumps it, returning the new value. The row
# stays locked until the caller's transaction ends, so parallel submissions queue on it and a
# rolled-back submission gives its number back: codes are unique and gapless per agency and day.
_NEXT_SQL = (
    f"INSERT INTO {_TABLE} (agency_id, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 (table name is ours)
    f"ON CONFLICT (agency_id, day) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)


def format_code(agency_identifier: str, day: date, number: int) -> str:
    return f"{agency_identifier}-{day:%y%m%d}-{number:04d}"


def allocate_code(agency, day: date) -> str:
    """The next code for `agency` on `day`; call inside the transaction that stores it."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [agency.pk, day])
        (number,) = cursor.fetchone()
    return format_code(agency.identifier, day, number)
