import pytest

from motcua.factories import make_submitted_dossier
from motcua.workflow.machine import perform


def returned_dossier(procedure, applicant, org, **fields):
    """A dossier taken through the whole standard workflow to its result returned."""
    dossier = make_submitted_dossier(procedure, applicant, **fields)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    return perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)


@pytest.fixture
def ended(org, procedure, citizen):
    return returned_dossier(procedure, citizen, org)
