"""Webhooks: events of an agency's dossiers, signed and delivered to its integrators.

The outbox subscriber `api.webhooks` (after commit, retried by the outbox) turns each dossier
event into one WebhookDelivery per subscription that wants it, exactly once per (event,
subscription), and tries them at once. A delivery that does not get a 2xx is tried again
with exponential backoff (1 min, 2, 4 … capped at WEBHOOK_RETRY_MAX_SECONDS) until
WEBHOOK_GIVE_UP_HOURS after the event, by Celery beat (`deliver-webhooks`), `manage.py
deliver_webhooks` or, on the embedded default, after later requests. An endpoint down for a
day therefore loses nothing; a delivery that ran out of tries can be replayed.

Signatures follow the Standard Webhooks scheme: headers `webhook-id` (the event id),
`webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list of
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret valid now (both the new
and the old one while a rotation overlaps). docs/api.md shows how to verify.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from functools import partial

import requests
from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.api.clients import agency_ids
from motcua.api.models import WebhookAttempt, WebhookDelivery, WebhookSecret, WebhookSubscription
from motcua.core.events import DossierChanged
from motcua.core.outbox import current_event_id, now_and_then, subscriber
from motcua.dossiers.models import Dossier

log = logging.getLogger("motcua.api.webhooks")

TOLERANCE_SECONDS = 5 * 60  # a receiver refuses signatures older than this (replays)


# --- Signing -------------------------------------------------------------------------------


def _key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    return raw.encode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def sign_headers(secrets: list[str], msg_id: str, body: bytes, *, timestamp: int | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets),
    }


def verify(secret: str, headers, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does (MotCua itself, receiving a peer installation's events): one of
    the signatures matches and the timestamp is recent."""
    try:
        msg_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        given = headers["webhook-signature"].split()
    except (KeyError, ValueError, AttributeError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, g) for g in given)


def valid_secrets(subscription: WebhookSubscription, now=None) -> list[str]:
    now = now or timezone.now()
    return [
        s.secret for s in subscription.secrets.all() if s.expires_at is None or s.expires_at > now
    ]


# --- From events to deliveries -------------------------------------------------------------


def payload_for(event: DossierChanged, event_id: int, dossier: Dossier | None) -> dict:
    data = event.to_payload()
    data.pop("actor_id", None)  # an internal account id says nothing outside
    if dossier is not None:
        data["dossier"] = str(dossier.uuid)
        data["code"] = dossier.code or data.get("code", "")
    return {
        "id": f"evt_{event_id}",
        "type": event.name,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }


@subscriber(DossierChanged, name="api.webhooks")
def fan_out(event: DossierChanged) -> None:
    """One delivery per subscription that wants this event, then try them now."""
    event_id = current_event_id()
    dossier = (
        Dossier.objects.filter(pk=event.dossier_id)
        .only("pk", "uuid", "code", "receiving_agency_id")
        .first()
    )
    if dossier is None or event_id is None:
        return
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(
            Q(dossier__isnull=True) | Q(dossier_id=dossier.pk),
            is_active=True,
            client__is_active=True,
        ).select_related("client")
        if s.wants(event.name)
        and (s.dossier_id == dossier.pk or dossier.receiving_agency_id in agency_ids(s.client))
    ]
    if not subscriptions:
        return
    payload = payload_for(event, event_id, dossier)
    made = []
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                made.append(
                    WebhookDelivery.objects.create(
                        subscription=subscription,
                        event_id=event_id,
                        event_type=event.name,
                        payload=payload,
                        next_attempt_at=timezone.now(),
                    )
                )
        except IntegrityError:  # made on an earlier run of this subscriber
            continue
    for delivery in made:
        attempt(delivery.pk)
    sweep_after_request()


# --- Delivering ----------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    seconds = settings.WEBHOOK_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def attempt(delivery_id: int) -> bool:
    """Try one delivery if it is due (claimed with one conditional UPDATE, so two workers
    never send it at once); True when it is delivered."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = sign_headers(valid_secrets(subscription), delivery.payload["id"], body)
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = "MotCua-Webhooks/1"
    status, excerpt, error = None, "", ""
    started = time.monotonic()
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status, excerpt = response.status_code, response.text[:2000]
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=status,
            response_excerpt=excerpt,
            error=error,
            duration_ms=duration,
        )
        delivery.attempts += 1
        delivery.last_status_code = status
        if ok:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif timezone.now() - delivery.created_at > timedelta(hours=settings.WEBHOOK_GIVE_UP_HOURS):
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "state",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    if not ok:
        log.info("webhook %s to %s: %s %s", delivery.pk, subscription.url, status, error)
    return ok


def deliver_due(*, limit: int = 200) -> int:
    """Try the deliveries whose next try is due; returns how many were delivered."""
    due = (
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(attempt(pk) for pk in list(due))


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (delivered or failed): it is pending and due now."""
    delivery.state = WebhookDelivery.State.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "next_attempt_at"])
    transaction.on_commit(partial(attempt, delivery.pk))
    return delivery


def rotate_secret(subscription: WebhookSubscription, *, overlap_hours: int = 24) -> WebhookSecret:
    """A new signing secret; the current ones keep signing beside it for `overlap_hours`."""
    now = timezone.now()
    with transaction.atomic():
        subscription.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(
            expires_at=now + timedelta(hours=overlap_hours)
        )
        return WebhookSecret.objects.create(subscription=subscription)


@shared_task(name="motcua.api.webhooks.deliver_due", ignore_result=True)
def deliver_due_task() -> None:
    deliver_due()


def sweep_after_request() -> None:
    """The embedded default has no beat: due retries go out after a later request."""
    now_and_then("webhooks", deliver_due)
