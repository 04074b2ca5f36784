"""The dossier's timeline (nhật ký xử lý hồ sơ): the one writer of its lines, and what each
kind of line is called and means.

Every app that records something about a dossier writes it with `record_event`. The layers
above the dossiers (the state machine, payments, the post) register the kinds of event they
write with `register_kind`, so that the applicant's timeline, public tracking and the
documents can label them without importing those layers.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent


@dataclass(frozen=True)
class EventKind:
    """What one kind of timeline event is called and how its note is shown."""

    # The officers' timeline; None shows the event's own name.
    officer_label: str | None = None
    # The applicant's timeline and public tracking; None shows the status it led to.
    public_label: str | None = None
    # Its data["note"] is the officers' own note, never shown to the applicant.
    internal_note: bool = False
    # Its note is the applicant's own words, kept off public tracking.
    applicant_note: bool = False
    # It hands the dossier from someone to someone: a row of the control sheet (form 05).
    handover: bool = False


UNKNOWN = EventKind()

_KINDS: dict[str, EventKind] = {}


def register_kind(name: str, kind: EventKind) -> None:
    """Declare what the events called `name` mean; the same declaration twice is harmless."""
    known = _KINDS.get(name)
    if known is not None and known != kind:
        raise ValueError(f"Event kind {name!r} is already registered differently.")
    _KINDS[name] = kind


def kind_of(name: str) -> EventKind:
    """The registered kind of the events called `name`, or UNKNOWN."""
    return _KINDS.get(name, UNKNOWN)


def handover_kinds() -> tuple[str, ...]:
    return tuple(name for name, kind in _KINDS.items() if kind.handover)


register_kind(
    "submitted",
    EventKind(
        officer_label=_("Nộp hồ sơ"),
        public_label=_("Đã nộp hồ sơ"),
        internal_note=True,
    ),
)


def record_event(
    *,
    dossier: Dossier,
    action: str,
    actor=None,
    from_status: int | None,
    to_status: int | None = None,
    note: str = "",
    public: bool = True,
    unit_name: str | None = None,
    step_key: str | None = None,
    from_unit_name: str = "",
    to_unit_name: str = "",
    step_due_at: datetime | None = None,
    data: dict | None = None,
) -> DossierEvent:
    """Write one line of the dossier's timeline (the append-only audit trail).

    By default the line says where the dossier stands now: its status, the unit holding it
    and its workflow step; `to_status`, `unit_name` and `step_key` say otherwise.
    """
    if unit_name is None:
        unit_name = dossier.current_unit.name if dossier.current_unit_id else ""
    return DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status if to_status is not None else dossier.status,
        note=note,
        unit_name=unit_name,
        is_public=public,
        step_key=dossier.step_key if step_key is None else step_key,
        from_unit_name=from_unit_name,
        to_unit_name=to_unit_name,
        step_due_at=step_due_at,
        data=data if data is not None else {},
    )
