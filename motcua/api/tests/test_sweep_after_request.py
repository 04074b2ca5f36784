"""On the embedded default there is no beat: a webhook delivery whose first try failed is
tried again after any later request (once a minute), not only after a later event."""

import pytest

from motcua.api import webhooks
from motcua.api.models import WebhookDelivery
from motcua.core import outbox
from motcua.factories import make_submitted_dossier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("inline_sweep", "delivered"), [(True, True), (False, False)])
def test_a_failed_delivery_is_retried_after_an_unrelated_request(
    inline_sweep,
    delivered,
    org,
    citizen,
    client,
    integrator,
    receiver,
    clock,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    api_client, _token = integrator
    webhooks.create_subscription(client=api_client, url=receiver.url, event_types=["*"])
    clock.set(2026, 3, 2, 9, 0)
    receiver.status = 503  # down at the first try
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(org.procedure, citizen)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    receiver.status = 200
    clock.current = delivery.next_attempt_at  # the retry is due
    settings.OUTBOX_INLINE_SWEEP = inline_sweep
    monkeypatch.setattr(outbox, "_last_runs", {})

    client.get("/")

    delivery.refresh_from_db()
    assert (delivery.state == "delivered") is delivered
    assert len(receiver.received) == (1 if delivered else 0)
