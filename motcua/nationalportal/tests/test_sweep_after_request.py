"""On the embedded default there is no beat: a push to the national portal that failed is
tried again after any later request (once a minute), not only after the dossier's next
status change."""

import pytest

from motcua.core import outbox
from motcua.factories import make_submitted_dossier
from motcua.nationalportal.contrib.sandbox import portal
from motcua.nationalportal.contrib.sandbox.models import SandboxStatusMessage
from motcua.nationalportal.models import PortalPush, PortalSync

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("inline_sweep", "synced"), [(True, True), (False, False)])
def test_a_failed_push_is_retried_after_an_unrelated_request(
    inline_sweep,
    synced,
    org,
    citizen,
    client,
    sandbox_portal,
    clock,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    clock.set(2026, 3, 2, 9, 0)
    portal.set_outage(True)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    push = PortalPush.objects.get(dossier=dossier)
    assert (push.state, push.attempts) == ("pending", 1)
    portal.set_outage(False)
    clock.current = push.next_attempt_at  # the retry is due
    settings.OUTBOX_INLINE_SWEEP = inline_sweep
    monkeypatch.setattr(outbox, "_last_runs", {})

    client.get("/")

    assert PortalSync.objects.get(dossier=dossier).state == ("synced" if synced else "pending")
    sent = SandboxStatusMessage.objects.filter(dossier_code=dossier.code).count()
    assert sent == (1 if synced else 0)
