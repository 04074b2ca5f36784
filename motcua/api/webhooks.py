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
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import requests
from celery import shared_task
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.api.clients import agency_ids
from motcua.api.models import (
    ApiClient,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSecret,
    WebhookSubscription,
)
from motcua.core.events import EVENT_TYPES, DossierChanged
from motcua.core.models import OutboxEvent
from motcua.core.outbox import current_event_id, subscriber
from motcua.core.retry import backoff
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
    """The plain secrets that sign now (the new and the old one while a rotation overlaps);
    one that no longer opens (SECRET_KEY changed) is left out and logged."""
    now = now or timezone.now()
    opened = []
    for row in subscription.secrets.all():
        if row.expires_at is not None and row.expires_at <= now:
            continue
        try:
            opened.append(row.secret)
        except InvalidToken:
            log.error("webhook secret %s of %s cannot be opened", row.pk, subscription.pk)
    return opened


# --- Subscriptions -------------------------------------------------------------------------

# What each dossier event means, for integrators (GET /api/v1/webhooks/event-types/).
EVENT_DESCRIPTIONS = {
    "dossier.changed": gettext_lazy("Hồ sơ có thay đổi khác (dòng nhật ký không có loại riêng)."),
    "dossier.submitted": gettext_lazy("Hồ sơ được nộp (trực tuyến, tại quầy hoặc qua bưu chính)."),
    "dossier.accepted": gettext_lazy("Hồ sơ được tiếp nhận; có ngày hẹn trả kết quả."),
    "dossier.refused": gettext_lazy("Hồ sơ bị từ chối tiếp nhận."),
    "dossier.supplement_requested": gettext_lazy("Cơ quan yêu cầu bổ sung, hoàn thiện hồ sơ."),
    "dossier.supplement_received": gettext_lazy("Đã nhận hồ sơ bổ sung."),
    "dossier.handed_over": gettext_lazy("Hồ sơ được chuyển sang bước hoặc đơn vị khác."),
    "dossier.payment_requested": gettext_lazy("Hồ sơ chờ nộp phí, lệ phí."),
    "payment.settled": gettext_lazy("Phí, lệ phí của hồ sơ đã được thanh toán đủ."),
    "dossier.extended": gettext_lazy("Cơ quan xin lỗi và hẹn lại ngày trả kết quả."),
    "dossier.approved": gettext_lazy("Hồ sơ được lãnh đạo phê duyệt."),
    "result.issued": gettext_lazy("Kết quả giải quyết được ban hành."),
    "result.revoked": gettext_lazy("Kết quả giải quyết bị thu hồi."),
    "dossier.returned": gettext_lazy("Kết quả đã được trả cho người nộp."),
    "dossier.sent_by_post": gettext_lazy("Kết quả được gửi qua bưu chính."),
    "parcel.delivered": gettext_lazy("Bưu chính báo đã phát kết quả cho người nhận."),
    "parcel.returned": gettext_lazy("Bưu chính không phát được và trả bưu phẩm về cơ quan."),
    "dossier.stopped": gettext_lazy("Việc giải quyết hồ sơ bị dừng."),
    "dossier.withdrawal_requested": gettext_lazy("Người nộp xin rút hồ sơ."),
    "dossier.withdrawal_confirmed": gettext_lazy("Cơ quan đồng ý cho rút hồ sơ."),
    "dossier.withdrawal_declined": gettext_lazy("Cơ quan không đồng ý cho rút hồ sơ."),
    "task.sent": gettext_lazy("Hồ sơ được gửi xin ý kiến hoặc phối hợp (liên thông)."),
    "task.answered": gettext_lazy("Đơn vị phối hợp đã trả lời."),
    "task.late": gettext_lazy("Việc phối hợp quá hạn chưa được trả lời."),
    "document.issued": gettext_lazy("Một phiếu, văn bản của hồ sơ được ban hành."),
    "payment.refunded": gettext_lazy("Phí, lệ phí đã nộp được hoàn trả cho người nộp."),
    "dossier.message_posted": gettext_lazy("Có tin nhắn mới giữa người nộp và cơ quan."),
    "dossier.rated": gettext_lazy("Người nộp đánh giá (hoặc đổi đánh giá) việc giải quyết."),
}
ALL_EVENTS = "*"


def dossier_event_types() -> list[str]:
    """The event types a subscription may name: the dossier events."""
    return [name for name, cls in EVENT_TYPES.items() if issubclass(cls, DossierChanged)]


# Never delivered to, in production: loopback, private, link-local and unique-local ranges.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def check_url(url: str) -> None:
    """Raise ValidationError unless `url` may receive deliveries: https (http only with
    WEBHOOK_ALLOW_HTTP), and every address its host resolves to public (unless
    WEBHOOK_ALLOW_PRIVATE). Checked at subscription and again before each try."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(_("Địa chỉ nhận phải dùng https://."), code="https")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        addresses = _resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, ValueError, UnicodeError) as exc:
        raise ValidationError(
            _("Không phân giải được tên máy chủ %(host)s.") % {"host": parts.hostname},
            code="unresolved",
        ) from exc
    for found in addresses:
        address = ipaddress.ip_address(found.split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in PRIVATE_NETWORKS):
            raise ValidationError(
                _("Địa chỉ nhận không được trỏ tới mạng nội bộ (%(address)s).")
                % {"address": address},
                code="private",
            )


def create_subscription(
    *, client: ApiClient, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookSubscription, str]:
    """A subscription with its first signing secret; returns it and the plain secret, which
    the caller shows once (only its encrypted form is kept)."""
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            client=client, url=url, event_types=event_types, description=description
        )
        secret = WebhookSecret.objects.create(subscription=subscription)
    return subscription, secret.secret


def update_subscription(
    *,
    subscription: WebhookSubscription,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given; a paused subscription (is_active false) gets no new deliveries
    and keeps its pending ones until it is active again."""
    changes = {
        "url": url,
        "event_types": event_types,
        "description": description,
        "is_active": is_active,
    }
    changed = [name for name, value in changes.items() if value is not None]
    for name in changed:
        setattr(subscription, name, changes[name])
    if changed:
        subscription.save(update_fields=changed)
    return subscription


# --- From events to deliveries -------------------------------------------------------------


def payload_for(event: DossierChanged, event_id: int, dossier: Dossier | None, created_at=None):
    """What the receiver gets: the same for every subscription and every try of the event."""
    data = event.to_payload()
    data.pop("actor_id", None)  # an internal account id says nothing outside
    if dossier is not None:
        data["dossier"] = str(dossier.uuid)
        data["code"] = dossier.code or data.get("code", "")
    return {
        "id": f"evt_{event_id}",
        "type": event.name,
        "created_at": (created_at or timezone.now()).isoformat(),
        "data": data,
    }


def _give_up_at(start: datetime) -> datetime:
    return start + timedelta(hours=settings.WEBHOOK_GIVE_UP_HOURS)


@subscriber(DossierChanged, name="api.webhooks")
def fan_out(event: DossierChanged) -> None:
    """One delivery per subscription that wants this event, then try them now.

    Run twice (the outbox retries after a crash), it makes nothing twice: the unique
    (subscription, event) index refuses the second row, and deliveries made by the first run
    but not tried are sent by `deliver_due`."""
    event_id = current_event_id()
    if event_id is None:
        return
    # The subscriptions first: most events have none, and then cost this one query.
    candidates = [
        s
        for s in WebhookSubscription.objects.filter(
            Q(dossier__isnull=True) | Q(dossier_id=event.dossier_id),
            is_active=True,
            client__is_active=True,
        ).select_related("client")
        if s.wants(event.name)
    ]
    if not candidates:
        return
    dossier = (
        Dossier.objects.filter(pk=event.dossier_id)
        .only("pk", "uuid", "code", "receiving_agency_id")
        .first()
    )
    if dossier is None:
        return
    subscriptions = [
        s
        for s in candidates
        if s.dossier_id == dossier.pk or dossier.receiving_agency_id in agency_ids(s.client)
    ]
    if not subscriptions:
        return
    happened = (
        OutboxEvent.objects.filter(pk=event_id).values_list("created_at", flat=True).first()
        or timezone.now()
    )
    payload = payload_for(event, event_id, dossier, happened)
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
                        give_up_at=_give_up_at(timezone.now()),
                    )
                )
        except IntegrityError:  # made on an earlier run of this subscriber
            continue
    for delivery in made:
        attempt(delivery.pk)


# --- Delivering ----------------------------------------------------------------------------

EXCERPT_BYTES = 2000
# A paused subscription (is_active false) or client keeps its pending deliveries unsent.
SENDING = Q(subscription__is_active=True, subscription__client__is_active=True)


@dataclass
class Outcome:
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _backoff(attempts: int) -> timedelta:
    return backoff(
        attempts, base=settings.WEBHOOK_RETRY_SECONDS, cap=settings.WEBHOOK_RETRY_MAX_SECONDS
    )


def attempt(delivery_id: int) -> bool:
    """Try one delivery if it is due; True when it is delivered.

    The delivery is claimed with one conditional UPDATE that moves its next try past the
    lease (3 × the timeout), so two workers never send it at once and a worker that dies
    leaves it to be tried when the lease ends. No transaction is open while the endpoint is
    waited on; the outcome is recorded afterwards, in one short transaction."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3)
    claimed = WebhookDelivery.objects.filter(
        SENDING, pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    outcome = _send(delivery)
    _record(delivery, lease, outcome)
    if not outcome.ok:
        log.info(
            "webhook %s to %s: %s %s",
            delivery.pk,
            delivery.subscription.url,
            outcome.status,
            outcome.error,
        )
    return outcome.ok


def _send(delivery: WebhookDelivery) -> Outcome:
    subscription = delivery.subscription
    try:
        check_url(subscription.url)  # again: the host's addresses may have changed
    except ValidationError as exc:
        return Outcome(error=" ".join(exc.messages)[:300])
    secrets = valid_secrets(subscription)
    if not secrets:
        return Outcome(error="no signing secret can be opened (SECRET_KEY changed?)")
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = sign_headers(secrets, delivery.payload["id"], body)
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = "MotCua-Webhooks/1"
    outcome = Outcome()
    started = time.monotonic()
    try:
        with requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,  # read only the excerpt kept, whatever the endpoint sends back
        ) as response:
            outcome.status = response.status_code
            raw = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
            outcome.excerpt = raw.decode("utf-8", errors="replace")
    except (requests.RequestException, OSError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:300]
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def _record(delivery: WebhookDelivery, lease, outcome: Outcome) -> None:
    """The try, and what comes next: delivered; failed once its give-up time has come; else
    the next try after the backoff (at the latest at the give-up time, the last try)."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict = {"last_status_code": outcome.status}
    if outcome.ok:
        fields.update(state=WebhookDelivery.State.DELIVERED, delivered_at=now, next_attempt_at=None)
    else:
        deadline = delivery.give_up_at or _give_up_at(delivery.created_at)
        if now >= deadline:
            fields.update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)
        else:
            fields.update(next_attempt_at=min(now + _backoff(attempts), deadline))
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=outcome.status,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        # Only while our claim holds: a try that outlived its lease was taken over, and the
        # worker that took it over records what comes next.
        still_ours = WebhookDelivery.objects.filter(
            pk=delivery.pk, state=WebhookDelivery.State.PENDING, next_attempt_at=lease
        )
        if not still_ours.update(attempts=F("attempts") + 1, **fields):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)


def deliver_due(*, limit: int = 200) -> int:
    """Try the deliveries whose next try is due, oldest event first (so an endpoint that
    comes back gets its backlog in event order); returns how many were delivered."""
    due = (
        WebhookDelivery.objects.filter(
            SENDING, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("event_id", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(attempt(pk) for pk in list(due))


REPLAYABLE = (WebhookDelivery.State.DELIVERED, WebhookDelivery.State.FAILED)
REPLAY_CAP = 10_000


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed delivery again, now (after the caller's commit), with fresh
    signatures; retried as a new one if the endpoint does not take it."""
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk, state__in=REPLAYABLE).update(
        state=WebhookDelivery.State.PENDING, next_attempt_at=now, give_up_at=_give_up_at(now)
    )
    transaction.on_commit(partial(attempt, delivery.pk))
    delivery.refresh_from_db()
    return delivery


def replay_since(
    *, subscription: WebhookSubscription, since: datetime
) -> tuple[int, datetime | None]:
    """Every delivered or failed delivery of `subscription` made since `since` due again now,
    oldest first and at most REPLAY_CAP; returns how many, and where the rest starts when the
    cap cut the list short (else None). The sweep (beat, deliver_webhooks, or after requests
    without a broker) sends them, oldest event first."""
    now = timezone.now()
    chosen = list(
        subscription.deliveries.filter(created_at__gte=since, state__in=REPLAYABLE)
        .order_by("created_at", "pk")
        .values_list("pk", "created_at")[: REPLAY_CAP + 1]
    )
    rest = chosen[REPLAY_CAP][1] if len(chosen) > REPLAY_CAP else None
    pks = [pk for pk, _created in chosen[:REPLAY_CAP]]
    for start in range(0, len(pks), 500):
        WebhookDelivery.objects.filter(pk__in=pks[start : start + 500]).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=now, give_up_at=_give_up_at(now)
        )
    return len(pks), rest


def rotate_secret(subscription: WebhookSubscription, *, overlap_hours: int = 24) -> WebhookSecret:
    """A new signing secret; the current ones keep signing beside it for `overlap_hours`."""
    now = timezone.now()
    with transaction.atomic():
        # The current one; one already on its way out keeps its own end.
        subscription.secrets.filter(expires_at__isnull=True).update(
            expires_at=now + timedelta(hours=overlap_hours)
        )
        return WebhookSecret.objects.create(subscription=subscription)


@shared_task(name="motcua.api.webhooks.deliver_due", ignore_result=True)
def deliver_due_task() -> None:
    deliver_due()
