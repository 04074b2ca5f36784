"""Dossier codes (mã hồ sơ): <receiving agency id>-<YYMMDD>-<NNNN> (Circular 01/2018 art. 19)."""

import re
from datetime import date

from django.db import connection

from motcua.dossiers.models import DossierCodeSequence

# One statement that creates the day's counter or bumps it, returning the new value. The row
# stays locked until the caller's transaction ends, so parallel submissions queue on it and a
# rolled-back submission gives its number back: codes are unique and gapless per agency and day.
_NEXT_SQL = (
    "INSERT INTO {table} (agency_id, day, last_value) VALUES (%s, %s, 1) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last_value = {table}.last_value + 1 "
    "RETURNING last_value"
)
# <agency id>-<YYMMDD>-<NNNN>: the agency's identifier is all before the date.
_CODE = re.compile(r"(.+)-\d{6}-\d{4,}")


def format_code(agency_identifier: str, day: date, number: int) -> str:
    return f"{agency_identifier}-{day:%y%m%d}-{number:04d}"


def allocate_code(agency, day: date, *, sequence=DossierCodeSequence) -> str:
    """The next code for `agency` on `day` in `sequence` (a model with agency, day and
    last_value: dossiers', or another series such as petitions'); call inside the
    transaction that stores it."""
    sql = _NEXT_SQL.format(table=sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, day])
        (number,) = cursor.fetchone()
    return format_code(agency.identifier, day, number)


def agency_identifier_of(code: str) -> str | None:
    """The receiving agency's identifier a code starts with, or None for no code."""
    match = _CODE.fullmatch(code.strip().upper())
    return match.group(1) if match else None
