"""A late task is escalated to the heads of the lead agency's desk, whether it is a joint
handling (liên thông) or a consultation (xin ý kiến)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from motcua.factories import AgencyFactory, UnitFactory, make_submitted_dossier
from motcua.workflow.machine import OpenTasksInput, perform
from motcua.workflow.services import escalate_late_tasks


@pytest.mark.parametrize(
    ("action", "kind"), [("consult", "Xin ý kiến"), ("transfer", "Liên thông")]
)
def test_a_late_task_of_either_kind_is_escalated_to_the_desk_heads(
    org, citizen, django_capture_on_commit_callbacks, action, kind
):
    dossier = make_submitted_dossier(org.procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    # A consultation stays within the agency; a joint handling goes to another agency.
    unit = org.leadership
    if action == "transfer":
        unit = UnitFactory(agency=AgencyFactory(name="Công an tỉnh"), kind="desk", code="mot-cua")
    perform(
        dossier_id=dossier.pk,
        action=action,
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=(unit.pk,), days=Decimal("0.5"), request="Cho ý kiến về xe"),
    )
    later = timezone.now() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_late_tasks(now=later) == 1
    [escalation] = mail.outbox
    assert escalation.to == [org.desk_head.email]
    assert f"Loại đề nghị: {kind}" in escalation.body and "Cho ý kiến về xe" in escalation.body
    assert org.specialist.email not in escalation.to
