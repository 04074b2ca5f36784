"""The officer's search: by code, applicant name, ID number, phone or licence plate."""

import re

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.core.text import search_terms
from motcua.dossiers import access
from motcua.dossiers.models import Dossier, Status
from motcua.workflow import reads
from motcua.workflow.reads import dossier_column as col
from motcua.workflow.rows import ListRow, list_rows

CODE_PATTERN = re.compile(r"^[0-9A-Za-z.]+-\d{2,6}(-\d{1,4})?$")
SEARCH_ORDER = ("-submitted_at", "-id")


def _search_where(user, text: str) -> tuple[str, list] | None:
    """The condition of a search (None: nothing to search for), as SQL on the dossier table:
    visible to the officer, not a draft, and the code (whole, or its start), or every word
    of the folded name, ID number, phone and plates (search_text)."""
    text = (text or "").strip()
    if not text:
        return None
    visible, params = access.visible_where(user)
    where = f"{visible} AND {col('status')} <> {int(Status.DRAFT)}"
    like = connection.ops.prep_for_like_query
    if CODE_PATTERN.match(text):
        code = text.upper()
        if code.count("-") == 2:
            return f"{where} AND {col('code')} = %s", [*params, code]
        operator = connection.operators["startswith"]
        return f"{where} AND {col('code')} {operator}", [*params, like(code) + "%"]
    # The trigram index is partial (non-empty text): say so, or PostgreSQL cannot use it.
    where += f" AND {col('search_text')} <> ''"
    operator = connection.operators["contains"]
    terms = search_terms(text)
    where += "".join(f" AND {col('search_text')} {operator}" for _term in terms)
    return where, [*params, *(f"%{like(term)}%" for term in terms)]


def search(user, text: str):
    """Find visible dossiers by code, applicant name, ID number, phone or licence plate."""
    found = _search_where(user, text)
    if found is None:
        return Dossier.objects.none()
    condition = RawSQL(*found, output_field=BooleanField())  # noqa: S611 - our text
    return Dossier.objects.filter(condition).order_by(*SEARCH_ORDER)


def search_rows(
    user, text: str, *, start: int, size: int, now=None, procedure_id=None, status=None
) -> tuple[list[ListRow], bool]:
    """One page of search(user, text) as rows, and whether another page follows: in SQL,
    as queues.queue_rows."""
    found = _search_where(user, text)
    if found is None:
        return [], False
    where, params = found
    now = now or timezone.now()
    records = reads.page_records(
        where,
        params,
        SEARCH_ORDER,
        start=start,
        size=size,
        procedure_id=procedure_id,
        status=status,
    )
    return list_rows(records, size, now)
