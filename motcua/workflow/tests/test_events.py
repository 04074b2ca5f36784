"""Each change of a dossier publishes its domain event with the change, and the workflow moves
the dossier when something happens below it (a submission, a payment, a parcel)."""

import pytest

from motcua.core.models import OutboxEvent
from motcua.dossiers.models import Status
from motcua.factories import make_submitted_dossier
from motcua.workflow.machine import NoteInput, ReasonInput, TransitionRefused, perform
from motcua.workflow.services import save_workflow_version

pytestmark = pytest.mark.django_db


def events(dossier):
    return [
        (row.name, row.payload)
        for row in OutboxEvent.objects.order_by("pk")
        if row.payload.get("dossier_id") == dossier.pk
    ]


def test_a_submission_publishes_dossier_submitted_before_its_code_is_given(org, dossier, citizen):
    (name, payload), *_ = events(dossier)
    assert name == "dossier.submitted" and payload["channel"] == "online"
    # The code comes last, with the day's counter locked only for the final UPDATE.
    assert payload["code"] == "" and dossier.code
    assert payload["from_status"] == Status.DRAFT and payload["to_status"] == Status.SUBMITTED
    assert payload["actor_id"] == citizen.pk


def test_acceptance_publishes_dossier_accepted_with_the_due_date(org, dossier):
    dossier = perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    name, payload = events(dossier)[-1]
    assert name == "dossier.accepted"
    assert payload["from_status"] == Status.SUBMITTED
    assert payload["to_status"] == Status.PROCESSING
    assert payload["actor_id"] == org.desk_officer.pk
    assert payload["due_at"] == dossier.due_at.isoformat()


def test_a_refused_action_publishes_nothing(org, dossier):
    before = OutboxEvent.objects.count()
    with pytest.raises(TransitionRefused):
        perform(
            dossier_id=dossier.pk,
            action="stop",
            actor=org.desk_officer,
            data=ReasonInput(reason="x"),
        )
    assert OutboxEvent.objects.count() == before


def test_every_officer_action_names_its_event(org, dossier):
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    names = [name for name, _payload in events(dossier)]
    assert names[0] == "dossier.submitted"
    assert names.count("dossier.handed_over") == 2
    for expected in ("dossier.accepted", "dossier.approved", "result.issued", "dossier.returned"):
        assert expected in names
    assert names.index("result.issued") < names.index("dossier.approved")


def test_a_fee_due_with_the_application_goes_through_the_machine(procedure, citizen, org):
    definition = {**org.workflow.definition, "payment_due": "submission"}
    save_workflow_version(procedure, definition)
    procedure.fee_schedule = {"kind": "fixed", "amount": 50_000}
    procedure.save(update_fields=["fee_schedule"])
    dossier = make_submitted_dossier(procedure, citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT and dossier.version == 1
    name, payload = events(dossier)[-1]
    assert name == "dossier.payment_requested" and payload["amount"] == 50_000
    assert payload["from_status"] == Status.SUBMITTED
    assert payload["to_status"] == Status.AWAITING_PAYMENT
