"""The API's common ground: tokens, scopes, problem details, webhooks' signatures and fan-out."""

import pytest

from motcua.api import webhooks
from motcua.api.models import WebhookDelivery, WebhookSecret, WebhookSubscription
from motcua.api.testing import basic, make_client, token_for

pytestmark = pytest.mark.django_db


def test_a_client_gets_a_token_only_with_its_secret_and_only_its_scopes(client, org):
    api_client, secret = make_client(org.agency, scopes=["procedures:read"])
    assert token_for(client, api_client, secret)
    wrong = client.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(api_client.client_id, "nope"),
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    beyond = client.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", "scope": "dossiers:write"},
        HTTP_AUTHORIZATION=basic(api_client.client_id, secret),
    )
    assert beyond.status_code == 400
    assert beyond.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("scope", ["procedures:read", None])
def test_a_disabled_client_cannot_get_a_token(client, org, scope):
    api_client, secret = make_client(org.agency)
    api_client.is_active = False
    api_client.save()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = client.post(
        "/api/oauth/token/",
        data,
        HTTP_AUTHORIZATION=basic(api_client.client_id, secret),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_unknown_api_path_is_a_problem_in_the_callers_language(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Không tìm thấy"
    english = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["title"] == "Not found"


def test_the_schema_is_served_without_a_token(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")


def test_a_signature_verifies_with_the_secret_and_fails_when_anything_changes():
    body = b'{"id":"evt_1"}'
    headers = webhooks.sign_headers(["whsec_abc", "whsec_new"], "evt_1", body, timestamp=1000)
    assert webhooks.verify("whsec_abc", headers, body, now=1000)
    assert webhooks.verify("whsec_new", headers, body, now=1100)
    assert not webhooks.verify("whsec_other", headers, body, now=1000)
    assert not webhooks.verify("whsec_abc", headers, body + b" ", now=1000)
    assert not webhooks.verify("whsec_abc", headers, body, now=1000 + 3600)  # replayed later


def test_an_event_of_the_agency_reaches_its_subscriber_signed(
    org, citizen, receiver, django_capture_on_commit_callbacks
):
    from motcua.factories import make_submitted_dossier

    api_client, _secret = make_client(org.agency, scopes=["webhooks:manage"])
    subscription = WebhookSubscription.objects.create(
        client=api_client, url=receiver.url, event_types=["dossier.submitted"]
    )
    secret = WebhookSecret.objects.create(subscription=subscription).secret
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    assert receiver.types() == ["dossier.submitted"]
    got = receiver.received[0]
    assert webhooks.verify(secret, got.headers, got.body)
    assert got.json["data"]["dossier"] == str(dossier.uuid)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.tries.get().status_code == 200


def test_an_idempotency_key_is_forgotten_after_a_week(clock, org):
    from motcua.api.idempotency import forget_old
    from motcua.api.models import IdempotencyRecord

    api_client, _secret = make_client(org.agency)
    clock.set(2026, 3, 2, 9, 0)
    IdempotencyRecord.objects.create(
        client=api_client, key="old", method="POST", path="/api/v1/dossiers/", fingerprint="x"
    )
    clock.set(2026, 3, 9, 8, 59)
    IdempotencyRecord.objects.create(
        client=api_client, key="new", method="POST", path="/api/v1/dossiers/", fingerprint="y"
    )
    clock.set(2026, 3, 9, 9, 1)
    assert forget_old() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
