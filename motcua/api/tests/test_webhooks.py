"""Webhooks as an integrator meets them: it subscribes, officers handle dossiers, and its
endpoint (a real HTTP server on 127.0.0.1) gets each event once, signed, even after a day
down; it rotates its secret, reads its deliveries and replays them."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api import webhooks
from motcua.api.models import IdempotencyRecord, WebhookDelivery, WebhookSecret
from motcua.api.testing import WebhookReceiver, api_post, bearer, make_client, token_for
from motcua.core import outbox
from motcua.core.models import OutboxEvent
from motcua.factories import AgencyFactory, make_submitted_dossier
from motcua.workflow.machine import NoteInput, perform

pytestmark = pytest.mark.django_db


def post(http, token, path, data=None, *, key="key-1", **extra):
    return api_post(http, token, path, data, key=key, **extra)


def subscribe(http, token, url, event_types=("*",), key="sub-1"):
    response = post(
        http, token, "/api/v1/webhooks/", {"url": url, "event_types": event_types}, key=key
    )
    assert response.status_code == 201, response.content
    return response.json()


def process(org, dossier):
    """An officer accepts the dossier, it goes up to the leader, is approved and returned."""
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)


def dossier_events(dossier):
    names = set(webhooks.dossier_event_types())
    return [
        (f"evt_{row.pk}", row.name)
        for row in OutboxEvent.objects.order_by("pk")
        if row.name in names and row.payload.get("dossier_id") == dossier.pk
    ]


def retry_until(clock, end):
    """Move the clock to each next retry and run the sweep there, as beat would, until `end`."""
    while True:
        due = (
            WebhookDelivery.objects.filter(state="pending", next_attempt_at__lte=end)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if due is None:
            return
        clock.current = due
        webhooks.deliver_due()


@pytest.fixture
def moving_clock(clock):
    clock.set(2026, 3, 2, 9, 0)
    return clock


def test_the_integrator_gets_every_event_of_a_handled_dossier_in_order_signed(
    org, citizen, client, integrator, receiver, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    secret = subscribe(client, token, receiver.url)["secret"]
    accepted_only = WebhookReceiver()
    subscribe(client, token, accepted_only.url, ["dossier.accepted"], key="sub-2")
    stranger = WebhookReceiver()
    other_client, _secret = make_client(AgencyFactory(), name="Sở khác")
    webhooks.create_subscription(client=other_client, url=stranger.url, event_types=["*"])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            dossier = make_submitted_dossier(org.procedure, citizen)
            process(org, dossier)
    finally:
        accepted_only.close()
        stranger.close()

    sent = dossier_events(dossier)
    got = [(r.json["id"], r.json["type"]) for r in receiver.received]
    assert got == sent
    types = [name for _id, name in got]
    assert types[0] == "dossier.submitted" and types[-1] == "dossier.returned"
    assert {"dossier.accepted", "dossier.approved", "result.issued"} <= set(types)
    for received in receiver.received:
        assert webhooks.verify(secret, received.headers, received.body)
        assert received.headers["webhook-id"] == received.json["id"]
        assert received.json["data"]["dossier"] == str(dossier.uuid)
        assert received.json["data"]["code"] == dossier.code
        assert "actor_id" not in received.json["data"]
    assert accepted_only.types() == ["dossier.accepted"]
    assert stranger.received == []


def test_an_endpoint_down_for_a_day_loses_nothing(
    org, citizen, client, integrator, receiver, moving_clock, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    secret = subscribe(client, token, receiver.url)["secret"]
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    start = timezone.now()
    retry_until(moving_clock, start + timedelta(hours=24))

    deliveries = list(WebhookDelivery.objects.order_by("event_id"))
    assert [d.event_type for d in deliveries] == [name for _id, name in dossier_events(dossier)]
    assert {"dossier.submitted", "dossier.accepted"} <= {d.event_type for d in deliveries}
    for delivery in deliveries:
        tries = list(delivery.tries.order_by("at"))
        assert delivery.state == "pending" and len(tries) == delivery.attempts > 20
        assert {t.status_code for t in tries} == {503}
        gaps = [(b.at - a.at).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
        assert gaps[:6] == [60, 120, 240, 480, 960, 1920]  # then at most an hour apart
        assert max(gaps) == 3600
    assert receiver.received == []

    receiver.status = 200
    retry_until(moving_clock, start + timedelta(hours=25))
    assert [(r.json["id"], r.json["type"]) for r in receiver.received] == dossier_events(dossier)
    for received in receiver.received:
        assert webhooks.verify(secret, received.headers, received.body)
    for delivery in WebhookDelivery.objects.all():
        assert delivery.state == "delivered"
        assert delivery.tries.order_by("-at").first().status_code == 200


def test_after_three_days_down_a_delivery_fails_shows_in_the_list_and_a_replay_delivers_it(
    org, citizen, client, receiver, moving_clock, django_capture_on_commit_callbacks
):
    api_client, secret = make_client(org.agency)
    token = token_for(client, api_client, secret)
    subscription = subscribe(client, token, receiver.url, ["dossier.submitted"])
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(org.procedure, citizen)
    made = timezone.now()
    retry_until(moving_clock, made + timedelta(days=10))

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.next_attempt_at is None
    last_try = delivery.tries.order_by("-at").first()
    assert last_try.at == made + timedelta(hours=72)  # the last try is at the give-up time
    token = token_for(client, api_client, secret)  # the first one has expired meanwhile
    listed = client.get("/api/v1/webhooks/", **bearer(token)).json()["results"][0]
    assert listed["id"] == subscription["id"] and listed["is_active"] is True
    assert listed["failed_deliveries"] == 1 and listed["pending_deliveries"] == 0

    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, token, f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")
    assert response.status_code == 202
    assert receiver.types() == ["dossier.submitted"]
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    detail = client.get(f"/api/v1/webhook-deliveries/{delivery.pk}/", **bearer(token)).json()
    assert detail["tries"][0]["status_code"] == 200
    assert {t["status_code"] for t in detail["tries"][1:]} == {503}
    assert detail["payload"]["type"] == "dossier.submitted"


def test_after_rotation_deliveries_carry_both_signatures_for_a_day_then_only_the_new(
    org, citizen, client, integrator, receiver, moving_clock, django_capture_on_commit_callbacks
):
    api_client, token = integrator
    created = subscribe(client, token, receiver.url)
    old = created["secret"]
    rotated = post(client, token, f"/api/v1/webhooks/{created['id']}/rotate-secret/", key="rot")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    first = receiver.received[-1]
    assert len(first.headers["webhook-signature"].split()) == 2
    assert webhooks.verify(old, first.headers, first.body)
    assert webhooks.verify(new, first.headers, first.body)

    moving_clock.current += timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    later = receiver.received[-1]
    assert later.json["type"] == "dossier.accepted"
    assert len(later.headers["webhook-signature"].split()) == 1
    assert webhooks.verify(new, later.headers, later.body)
    assert not webhooks.verify(old, later.headers, later.body)


def test_the_secret_is_shown_once_and_never_stored_in_clear(client, integrator, receiver):
    _api_client, token = integrator
    body = {"url": receiver.url, "event_types": ["*"], "description": "Cổng tỉnh"}
    first = post(client, token, "/api/v1/webhooks/", body, key="same")
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    again = post(client, token, "/api/v1/webhooks/", body, key="same")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] is None
    assert again.json()["id"] == first.json()["id"]
    read = client.get(f"/api/v1/webhooks/{first.json()['id']}/", **bearer(token))
    assert read.status_code == 200 and "secret" not in read.json()

    stored = WebhookSecret.objects.get()
    assert stored.secret == secret  # opens with the installation's key, to sign
    assert secret not in stored.sealed and secret[6:] not in stored.sealed
    for record in IdempotencyRecord.objects.all():
        assert secret[6:].encode() not in bytes(record.body)


def test_a_client_sees_and_replays_only_its_own_deliveries(
    org, citizen, client, integrator, receiver, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    subscription = subscribe(client, token, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(org.procedure, citizen)
    listed = client.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/", **bearer(token))
    (delivery,) = listed.json()["results"]
    assert delivery["event_type"] == "dossier.submitted" and delivery["state"] == "delivered"
    assert delivery["last_status_code"] == 200 and delivery["attempts"] == 1

    other, other_secret = make_client(org.agency, name="Hệ thống khác")
    other_token = token_for(client, other, other_secret)
    paths = [
        f"/api/v1/webhooks/{subscription['id']}/",
        f"/api/v1/webhooks/{subscription['id']}/deliveries/",
        f"/api/v1/webhook-deliveries/{delivery['id']}/",
    ]
    for path in paths:
        assert client.get(path, **bearer(other_token)).status_code == 404
    stolen = post(client, other_token, f"/api/v1/webhook-deliveries/{delivery['id']}/replay/")
    assert stolen.status_code == 404
    assert stolen["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/webhooks/", **bearer(other_token)).json()["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        replayed = post(client, token, f"/api/v1/webhook-deliveries/{delivery['id']}/replay/")
    assert replayed.status_code == 202
    assert receiver.types() == ["dossier.submitted", "dossier.submitted"]
    assert receiver.received[0].body == receiver.received[1].body
    detail = client.get(f"/api/v1/webhook-deliveries/{delivery['id']}/", **bearer(token))
    assert [t["status_code"] for t in detail.json()["tries"]] == [200, 200]


def test_replay_since_a_time_sends_again_what_came_after_it(
    org, citizen, client, integrator, receiver, moving_clock, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    subscription = subscribe(client, token, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    moving_clock.current += timedelta(hours=1)
    since = timezone.now()
    before = len(receiver.received)
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
    after = receiver.types()[before:]
    assert before >= 1 and "dossier.accepted" in after and "dossier.handed_over" in after
    path = f"/api/v1/webhooks/{subscription['id']}/replay/"
    response = post(client, token, f"{path}?since={since.isoformat().replace('+', '%2B')}")
    assert response.status_code == 202
    assert response.json() == {"replayed": len(after), "next_since": None}
    sent = len(receiver.received)
    webhooks.deliver_due()
    assert receiver.types()[sent:] == after

    bad = post(client, token, f"{path}?since=yesterday", key="key-2")
    assert bad.status_code == 400 and "since" in bad.json()["errors"]


def test_replay_since_stops_at_the_cap_and_says_where_to_go_on(
    org, citizen, client, integrator, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    subscription = subscribe(client, token, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    monkeypatch.setattr(webhooks, "REPLAY_CAP", 1)
    response = post(
        client, token, f"/api/v1/webhooks/{subscription['id']}/replay/?since=2000-01-01T00:00Z"
    )
    first, second, *_rest = WebhookDelivery.objects.order_by("created_at", "pk")
    assert response.json()["replayed"] == 1
    assert datetime.fromisoformat(response.json()["next_since"]) == second.created_at
    assert first.event_type == "dossier.submitted" and first.state == "pending"
    assert second.state == "delivered"


def test_an_outbox_that_runs_the_subscriber_twice_sends_once(
    org, citizen, integrator, receiver, client, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    subscribe(client, token, receiver.url, ["dossier.submitted"])
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(org.procedure, citizen)
    row = OutboxEvent.objects.get(name="dossier.submitted")
    OutboxEvent.objects.filter(pk=row.pk).update(
        pending=["api.webhooks"], attempts=0, next_attempt_at=timezone.now()
    )
    outbox.deliver(row.pk, fresh=True)
    webhooks.deliver_due()
    assert receiver.types() == ["dossier.submitted"]
    assert WebhookDelivery.objects.count() == 1


def test_url_rules_in_production(client, integrator, settings, monkeypatch):
    _api_client, token = integrator
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE = False
    addresses = {"hooks.example.vn": ["203.113.131.1"], "inside.example.vn": ["10.0.0.7"]}
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: addresses.get(host) or [host])

    def refused(url, key):
        response = post(
            client,
            token,
            "/api/v1/webhooks/",
            {"url": url, "event_types": ["*"]},
            key=key,
            HTTP_ACCEPT_LANGUAGE="vi",
        )
        assert response.status_code == 400, (url, response.content)
        return response.json()["errors"]["url"][0]

    assert "https" in refused("http://hooks.example.vn/in", "a")
    for n, url in enumerate(
        [
            "https://127.0.0.1/in",
            "https://10.1.2.3/in",
            "https://192.168.1.1/in",
            "https://172.20.0.1/in",
            "https://169.254.169.254/latest",
            "https://[::1]/in",
            "https://[fd00::1]/in",
            "https://[::ffff:127.0.0.1]/in",
            "https://inside.example.vn/in",
        ]
    ):
        assert "nội bộ" in refused(url, f"p{n}")
    made = subscribe(client, token, "https://hooks.example.vn/in", key="ok")
    assert made["url"] == "https://hooks.example.vn/in"

    # The name now points inside: the try is refused before anything is sent.
    addresses["hooks.example.vn"] = ["10.0.0.7"]
    delivery = WebhookDelivery.objects.create(
        subscription_id=made["id"],
        event_id=1,
        event_type="dossier.submitted",
        payload={"id": "evt_1"},
        next_attempt_at=timezone.now(),
        give_up_at=timezone.now() + timedelta(hours=72),
    )
    assert webhooks.attempt(delivery.pk) is False
    try_ = delivery.tries.get()
    assert try_.status_code is None and "nội bộ" in try_.error
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.next_attempt_at > timezone.now()


def test_event_types_are_the_dossier_events_described_in_the_callers_language(
    client, integrator, receiver
):
    _api_client, token = integrator
    vi = client.get("/api/v1/webhooks/event-types/", HTTP_ACCEPT_LANGUAGE="vi", **bearer(token))
    en = client.get("/api/v1/webhooks/event-types/", HTTP_ACCEPT_LANGUAGE="en", **bearer(token))
    names = [row["name"] for row in vi.json()]
    assert "dossier.accepted" in names and "payment.settled" in names
    assert "account.verification_code_issued" not in names
    described = {row["name"]: row["description"] for row in vi.json()}
    english = {row["name"]: row["description"] for row in en.json()}
    for name in names:
        assert described[name] and english[name] and described[name] != english[name], name
    assert described["dossier.accepted"].startswith("Hồ sơ được tiếp nhận")

    refused = post(
        client,
        token,
        "/api/v1/webhooks/",
        {"url": receiver.url, "event_types": ["account.verification_code_issued"]},
    )
    assert refused.status_code == 400 and "event_types" in refused.json()["errors"]


def test_a_paused_subscription_gets_nothing_until_it_is_active_again(
    org, citizen, client, integrator, receiver, django_capture_on_commit_callbacks
):
    _api_client, token = integrator
    made = subscribe(client, token, receiver.url, ["dossier.submitted", "dossier.accepted"])
    paused = client.patch(
        f"/api/v1/webhooks/{made['id']}/",
        {"is_active": False, "event_types": ["dossier.accepted"]},
        content_type="application/json",
        **bearer(token),
    )
    assert paused.status_code == 200
    assert paused.json()["is_active"] is False
    assert paused.json()["event_types"] == ["dossier.accepted"]
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    assert receiver.received == []
    gone = client.delete(f"/api/v1/webhooks/{made['id']}/", **bearer(token))
    assert gone.status_code == 204
    assert client.get(f"/api/v1/webhooks/{made['id']}/", **bearer(token)).status_code == 404


def test_webhooks_need_their_scope(client, org):
    api_client, secret = make_client(org.agency, scopes=["procedures:read"])
    token = token_for(client, api_client, secret)
    response = client.get("/api/v1/webhooks/", **bearer(token))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_operators_see_subscriptions_and_deliveries_with_their_tries_read_only(
    org, citizen, client, make_officer, receiver, django_capture_on_commit_callbacks
):
    from motcua.accounts.testing import login_officer

    api_client, _secret = make_client(org.agency)
    subscription, secret = webhooks.create_subscription(
        client=api_client, url=receiver.url, event_types=["dossier.submitted"]
    )
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(org.procedure, citizen)
    delivery = WebhookDelivery.objects.get()
    operator = make_officer(email="vanhanh@example.vn", is_staff=True, is_superuser=True)
    http = Client()
    login_officer(http, operator)

    listed = http.get("/admin/api/webhooksubscription/")
    assert listed.status_code == 200 and receiver.url in listed.content.decode()
    page = http.get(f"/admin/api/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "503" in page and "dossier.submitted" in page
    assert (
        secret
        not in http.get(
            f"/admin/api/webhooksubscription/{subscription.pk}/change/"
        ).content.decode()
    )
    assert http.get("/admin/api/webhookdelivery/add/").status_code == 403


def test_a_claimed_delivery_is_not_sent_twice_and_a_dead_workers_claim_runs_out(
    org, client, integrator, receiver, moving_clock, monkeypatch
):
    _api_client, token = integrator
    made = subscribe(client, token, receiver.url)
    delivery = WebhookDelivery.objects.create(
        subscription_id=made["id"],
        event_id=7,
        event_type="dossier.submitted",
        payload={"id": "evt_7", "type": "dossier.submitted"},
        next_attempt_at=timezone.now(),
        give_up_at=timezone.now() + timedelta(hours=72),
    )
    send = webhooks._send
    others = []

    def send_while_another_worker_tries(delivery):
        others.append(webhooks.attempt(delivery.pk))  # a second worker, mid-try
        return send(delivery)

    monkeypatch.setattr(webhooks, "_send", send_while_another_worker_tries)
    assert webhooks.attempt(delivery.pk) is True
    assert others == [False] and len(receiver.received) == 1

    # A worker that dies after its claim: nothing is sent until the lease runs out.
    monkeypatch.setattr(webhooks, "_send", send)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state="pending", next_attempt_at=timezone.now() + timedelta(seconds=30)
    )
    assert webhooks.deliver_due() == 0
    moving_clock.current += timedelta(seconds=31)
    assert webhooks.deliver_due() == 1
    assert len(receiver.received) == 2


def test_refusals_before_any_view_are_problems_too(client, integrator):
    _api_client, token = integrator
    control = client.get("/api/v1/webhooks/?cursor=%01", **bearer(token))
    assert control.status_code == 400
    assert control["Content-Type"] == "application/problem+json"
    assert control.json()["status"] == 400
    nowhere = post(client, token, "/api/v1/webhooks/-1/rotate-secret/")
    assert nowhere.status_code == 404
    assert nowhere["Content-Type"] == "application/problem+json"
