"""One intake: every dossier reaches status 1 (đã nộp, chờ tiếp nhận) here, whether it was
submitted online, registered at the counter, received by post, or made by a test factory."""

from django.db import transaction
from django.utils import timezone

from motcua.core.events import DossierSubmitted
from motcua.core.outbox import publish
from motcua.dossiers.codes import allocate_code
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.timeline import record_event

# What the intake writes on a draft; everything else was saved while it was edited.
INTAKE_FIELDS = (
    "code",
    "status",
    "channel",
    "submitted_at",
    "applicant_name",
    "applicant_phone",
    "applicant_id_number",
    "applicant_email",
    # Who acted for the applicant (decision 0077).
    "submitted_by",
    "acted_via",
    "acting_member",
    "acting_authorisation",
    "updated_at",
)


def submit(
    *,
    dossier: Dossier,
    actor,
    channel: str = Dossier.Channel.ONLINE,
    note: str,
    place: str = "",
    data: dict | None = None,
) -> Dossier:
    """Give `dossier` status 1 and its code, write its "submitted" timeline line, and publish
    DossierSubmitted, whose synchronous subscriber (workflow) puts it in the desk's queue.

    `dossier` is a draft locked by the caller, or a new unsaved row (counter and postal
    intake) with its applicant snapshot filled in. `place` is where it was received (the
    agency, or the desk for paper dossiers). Call it inside the caller's transaction: the
    whole submission commits at once or not at all.

    The code comes last (decision 3): the agency's counter row for the day stays locked from
    then to COMMIT and every parallel submission to the agency waits on it, so only the one
    UPDATE runs in between. DossierSubmitted, published before, therefore carries no code;
    its subscribers read it with the dossier.
    """
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        dossier.status = Status.SUBMITTED
        dossier.channel = channel
        dossier.submitted_at = now
        if dossier.pk is None:
            dossier.save()
        record_event(
            dossier=dossier,
            action="submitted",
            actor=actor,
            from_status=Status.DRAFT,
            to_status=Status.SUBMITTED,
            note=note,
            unit_name=place or dossier.receiving_agency.name,
            step_key="",
            data=data,
        )
        publish(
            DossierSubmitted.about(
                dossier, action="submitted", actor=actor, from_status=Status.DRAFT, channel=channel
            ),
            subject=dossier,
        )
        dossier.code = allocate_code(dossier.receiving_agency, timezone.localdate(now))
        dossier.save(update_fields=INTAKE_FIELDS)
    return dossier
