"""On the embedded default there is no beat: a delivery whose first try failed is tried again
after a later request (once a minute), not only after a later notification; with a beat
(OUTBOX_INLINE_SWEEP off) the request leaves it to the beat."""

import pytest
from django.core import mail

from motcua.core import outbox
from motcua.factories import UserFactory
from motcua.notifications import services
from motcua.notifications.models import Delivery


@pytest.mark.parametrize(
    ("inline_sweep", "status", "sent_to"),
    [
        (True, Delivery.Status.SENT, [["an@example.vn"]]),
        (False, Delivery.Status.QUEUED, []),
    ],
)
def test_a_queued_delivery_goes_after_the_next_request_without_a_beat(
    inline_sweep, status, sent_to, client, settings, db, monkeypatch
):
    settings.OUTBOX_INLINE_SWEEP = inline_sweep
    monkeypatch.setattr(outbox, "_last_runs", {})
    person = UserFactory(email="an@example.vn", phone="")
    services.notify(
        source="test:sweep",
        kind="draft_expiring",
        context={"name": "An", "procedure": "Thử", "expires_at": "14/12/2026", "link": ""},
        user=person,
        send=False,  # as if the gateway had been away at the first try
    )
    assert Delivery.objects.get(channel="email").status == Delivery.Status.QUEUED

    client.get("/")

    assert Delivery.objects.get(channel="email").status == status
    assert [m.to for m in mail.outbox] == sent_to
