"""Who has seen a dossier's personal data (nhật ký truy cập): the one writer of AccessRecord,
and what the applicant is shown of it.

Every officer page or file that shows a dossier's personal data calls `record_view` once,
after its access check passed and its response is built: one INSERT, no read (the officer's
units come from access.memberships, read once per request and cached). An integrator's call
through the API does the same with `channel=API` and its system's name (`client_name`).
Decision 37 says what is recorded and what the applicant sees.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from motcua.accounts.models import Membership, Role
from motcua.core import chain
from motcua.core.client import client_ip
from motcua.core.dates import DATE_TIME, local_iso, local_text
from motcua.dossiers import access
from motcua.dossiers.models import AccessRecord, Dossier, choice_label

Kind, Purpose, Channel = AccessRecord.Kind, AccessRecord.Purpose, AccessRecord.Channel


def acting_for(user, dossier: Dossier | None) -> tuple[Membership | None, str]:
    """The officer's membership (unit and role) they see `dossier` through, and why.

    From what the request already holds, so that recording costs no read: the unit that
    holds the dossier now is handling it; a unit of another agency is there for a joint
    handling or a consultation it was sent; another unit of the receiving agency took part in
    handling it; an agency administrator who is none of these supervises. For a view of no
    one dossier (a search, the tracking book), the officer's first unit.
    """
    mine = access.memberships(user)
    if not mine:
        return None, ""
    if dossier is None:
        return mine[0], Purpose.HANDLING

    agency, here, admin = dossier.receiving_agency_id, dossier.current_unit_id, Role.AGENCY_ADMIN
    rules = (  # the first membership that passes a test, in this order
        (lambda m: m.unit_id == here and m.role == dossier.current_role, Purpose.HANDLING),
        (lambda m: m.unit_id == here and m.role != admin, Purpose.HANDLING),
        (lambda m: m.unit.agency_id != agency and m.role != admin, Purpose.CONSULTATION),
        (lambda m: m.role != admin, Purpose.HANDLING),
        (lambda m: m.unit.agency_id == agency, Purpose.SUPERVISION),
    )
    for test, purpose in rules:
        found = next((m for m in mine if test(m)), None)
        if found is not None:
            return found, purpose
    return mine[0], Purpose.SUPERVISION


def record_view(
    *,
    actor,
    kind: str,
    dossier: Dossier | None = None,
    object_id: int | None = None,
    label: str = "",
    channel: str = Channel.WEB,
    membership: Membership | None = None,
    purpose: str = "",
    client_name: str = "",
    request=None,
) -> AccessRecord:
    """Append one record of `actor` viewing `kind` (of `dossier`; the object `object_id`,
    called `label`), in one INSERT.

    For an officer the unit, role and purpose come from acting_for unless given; an
    integrator (`channel=API`) passes its system's `client_name`, its own `purpose` (and
    `membership`, if it acts for a unit) or none.
    """
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    if membership is None and actor is not None and not purpose:
        membership, purpose = acting_for(actor, dossier)
    unit = membership.unit if membership is not None else None
    record = AccessRecord(
        actor=actor,
        channel=channel,
        unit=unit,
        unit_name=unit.name if unit is not None else "",
        client_name=client_name,
        role=membership.role if membership is not None else "",
        purpose=purpose or Purpose.HANDLING,
        dossier=dossier,
        kind=kind,
        object_id=object_id,
        # PostgreSQL refuses NUL in text: a search's words are typed by the officer.
        label=label.replace("\x00", "")[: AccessRecord._meta.get_field("label").max_length],
        ip_address=client_ip(request),
    )
    if chain.insert_alone(record, relaxed=True):  # a page's only write: one statement
        return record
    if connection.in_atomic_block:  # the caller's transaction decides when it commits
        record.save(force_insert=True)
    else:
        with transaction.atomic():
            _relax_commit()
            record.save(force_insert=True)
    return record


# --- Committing a record ---------------------------------------------------------------------


def _relax_commit() -> None:
    """Commit this transaction without waiting for the write-ahead log to reach the disk.

    Waiting for that flush was most of a record's cost (figures in decision 37). A crash of
    the database server may lose the last fraction of a second of records (three times
    wal_writer_delay); none is ever half written, and the hash chain stays whole: the chain's
    head moves in the same transaction as its row.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# --- What the applicant sees ------------------------------------------------------------------


@dataclass(slots=True)
class SeenLine:
    """One line of "who has seen my dossier": a unit's view of one thing, in one minute."""

    at_text: str  # dd/mm/yyyy HH:MM
    at_iso: str
    unit_name: str
    agency_name: str
    role: str
    purpose: str
    what: str


def _what(record: AccessRecord) -> str:
    kind = record.get_kind_display()
    return f"{kind}: {record.label}" if record.label else kind


def _who(record: AccessRecord) -> str:
    """The unit that looked, or the integrator's system: "<its name> (API)"."""
    if record.channel == Channel.API and record.client_name:
        return f"{record.client_name} (API)"
    return record.unit_name


def seen_by(dossier: Dossier, *, page: int = 1, size: int = 20) -> tuple[list[SeenLine], bool]:
    """The dossier's access records for its applicant, newest first, `size` a page, and
    whether there are older ones: one query.

    Views of the same thing by the same person and unit within one minute show as one line
    (the attachment preview and the file it frames, a page reloaded). Officers are named by
    unit and role, not by name (decision 37); an integrator by its system's name.
    """
    start = (max(page, 1) - 1) * size
    records = list(
        AccessRecord.objects.filter(dossier=dossier)
        .select_related("unit__agency")
        .order_by("-at", "-id")[start : start + size + 1]
    )
    more = len(records) > size
    lines, last_key = [], None
    tz = timezone.get_current_timezone()
    for record in records[:size]:
        at_text = local_text(record.at, DATE_TIME, tz)
        key = (at_text, record.actor_id, _who(record), record.kind, record.object_id)
        if key == last_key:
            continue
        last_key = key
        lines.append(
            SeenLine(
                at_text=at_text,
                at_iso=local_iso(record.at, tz),
                unit_name=_who(record),
                agency_name=record.unit.agency.name if record.unit is not None else "",
                role=choice_label(Role, record.role) if record.role else "",
                purpose=record.get_purpose_display(),
                what=_what(record),
            )
        )
    return lines, more
