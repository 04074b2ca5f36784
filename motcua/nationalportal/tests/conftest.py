import pytest

from motcua.nationalportal.contrib.sandbox import portal
from motcua.workflow.machine import NoteInput, perform


@pytest.fixture
def sandbox_portal(in_process_http, settings):
    """The portal's sandbox answering in process, up, with the default client and keys."""
    settings.NATIONAL_PORTAL = "dvcqg"
    portal.set_outage(False)
    yield in_process_http
    portal.set_outage(False)


def handle(org, dossier):
    """Accepted at the desk, up to the leader, approved, the result returned."""
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
