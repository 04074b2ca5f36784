"""Publish domain events and deliver them to their subscribers: the transactional outbox.

    publish(DossierSubmitted(dossier_id=..., ...), subject=dossier)

writes the event to the outbox table (core.OutboxEvent) in the caller's transaction and
runs its synchronous subscribers there and then: state moves that must commit with the
change or not at all (`@subscriber(PaymentSettled, sync=True)` in workflow moves the dossier
on). They get the event and the `subject`, the instance the publisher holds, locked.

Asynchronous subscribers (e-mail, SMS, webhooks, portal pushes, aggregates) run after
COMMIT, from the outbox: through Celery when a broker is configured, in-process right after
the request's commit on the embedded default. Each (event, subscriber) delivery is tried
until it succeeds, with exponential backoff, and never twice once it has: a delivery claims
the event row with one conditional UPDATE, and each subscriber that succeeds is struck off
the row's `pending` list at once. A broker or SMTP outage therefore fails no request and
loses nothing: `manage.py deliver_outbox` and Celery beat deliver what is due.

A subscriber is struck off as soon as it returns, and that write is tried again while the
database is away (a restart), so a database outage does not send an e-mail twice. A worker
killed between a subscriber's side effect and its strike-off runs it again on the next try,
so subscribers are written to be idempotent (at least once; exactly once in every other
case).
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import current_app, shared_task
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import (
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone

from motcua.core.crypto import fernet
from motcua.core.events import EVENT_TYPES, Event
from motcua.core.models import OutboxEvent

log = logging.getLogger("motcua.outbox")


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_type: type[Event]
    handler: Callable
    sync: bool


_subscribers: dict[str, Subscriber] = {}

# The outbox row being delivered, for subscribers that key what they make on it (one
# notification per event: motcua.notifications). None outside a delivery.
_delivering: ContextVar[int | None] = ContextVar("outbox_delivering", default=None)


def current_event_id() -> int | None:
    """The id of the outbox event whose asynchronous subscriber is running now."""
    return _delivering.get()


def subscriber(event_type: type[Event], *, sync: bool = False, name: str = ""):
    """Register the decorated function for `event_type` and its subtypes.

    Synchronous: `handler(event, subject)` inside the publisher's transaction; an exception
    undoes the whole change. Asynchronous (default): `handler(event)` after commit, in
    autocommit (a handler that writes several rows opens its own transaction, and does what
    leaves the system, a mail, last); an exception means "try again later". `name` identifies the subscriber in the outbox
    (default: module and function name); keep it stable once events are pending for it.
    """

    def register(handler):
        key = name or f"{handler.__module__}.{handler.__qualname__}"
        if key in _subscribers and _subscribers[key].handler is not handler:
            raise ImproperlyConfigured(f"Subscriber {key!r} is registered twice.")
        _subscribers[key] = Subscriber(key, event_type, handler, sync)
        return handler

    return register


def subscribers_of(event_type: type[Event], *, sync: bool) -> list[Subscriber]:
    return [
        s for s in _subscribers.values() if s.sync == sync and issubclass(event_type, s.event_type)
    ]


def publish(event: Event, *, subject=None) -> OutboxEvent:
    """Write `event` to the outbox with the caller's change, run its synchronous subscribers,
    and have the asynchronous ones run once the transaction commits."""
    if EVENT_TYPES.get(event.name) is not type(event):
        raise ImproperlyConfigured(f"{type(event).__name__} is not a registered event type.")
    pending = [s.name for s in subscribers_of(type(event), sync=False)]
    with transaction.atomic(savepoint=False):
        row = OutboxEvent.objects.create(
            name=event.name,
            payload=_seal(event),
            pending=pending,
            next_attempt_at=_later(settings.OUTBOX_GRACE_SECONDS) if pending else None,
        )
        for sub in subscribers_of(type(event), sync=True):
            sub.handler(event, subject)
        if pending:
            transaction.on_commit(partial(_dispatch, row.pk))
    return row


# ---------------------------------------------------------------------------------------
# Delivery


def deliver(event_id: int, *, fresh: bool = False) -> bool:
    """Run the event's pending asynchronous subscribers; True once none is left.

    `fresh` is the delivery right after commit: it takes the event only if nobody has tried
    it yet. Otherwise the event is taken only when its next try is due.
    """
    # One conditional UPDATE claims the event: untried yet (fresh) or due, and not finished.
    # A worker that claimed it first moved `attempts` on and the lease into the future, so
    # the same UPDATE by another matches nothing.
    due = Q(attempts=0) if fresh else Q(next_attempt_at__lte=timezone.now())
    claimed = OutboxEvent.objects.filter(due, pk=event_id, next_attempt_at__isnull=False).update(
        attempts=F("attempts") + 1, next_attempt_at=_later(settings.OUTBOX_LEASE_SECONDS)
    )
    if not claimed:  # delivered already, not due yet, or another worker took it first
        return not OutboxEvent.objects.filter(pk=event_id, next_attempt_at__isnull=False).exists()
    outbox = OutboxEvent.objects.get(pk=event_id)
    pending = list(outbox.pending)
    try:
        event = _open(outbox)
    except (ValueError, TypeError, KeyError) as exc:
        _record_outcome(outbox, pending, [f"payload: {exc!r}"])
        return False
    errors = []
    token = _delivering.set(event_id)
    try:
        _run_pending(event_id, event, pending, errors)
    finally:
        _delivering.reset(token)
    _record_outcome(outbox, pending, errors)
    return not pending


def _run_pending(event_id: int, event: Event, pending: list[str], errors: list[str]) -> None:
    for name in list(pending):
        sub = _subscribers.get(name)
        if sub is None or sub.sync:
            log.error("outbox: event %s names unknown subscriber %s; dropped", event_id, name)
        else:
            try:
                # Not in a transaction of ours: a COMMIT that failed after the subscriber's
                # e-mail went (the database restarting) would have it sent again. A subscriber
                # that writes opens its own, before any outside effect.
                sub.handler(event)
            except Exception as exc:  # any failure is retried later; the rest still run
                log.warning("outbox: %s failed on event %s: %r", name, event_id, exc)
                errors.append(f"{name}: {exc!r}"[:500])
                continue
        pending.remove(name)
        _strike_off(event_id, pending)


# A subscriber that ran is struck off even when the database is away for a moment (a restart,
# a failover): its e-mail has gone, and a lost strike-off would send it again.
STRIKE_OFF_TRIES = 8


def _strike_off(event_id: int, pending: list[str]) -> None:
    """Save what is left to run, trying again (after 0.25, 0.5, 1, 2... s, about 30 s in
    all) while the database does not answer."""
    for attempt in range(STRIKE_OFF_TRIES):
        try:
            OutboxEvent.objects.filter(pk=event_id).update(pending=pending)
            return
        except (OperationalError, InterfaceError) as exc:
            if attempt == STRIKE_OFF_TRIES - 1:
                raise
            log.warning("outbox: event %s not struck off yet (%r); trying again", event_id, exc)
            if not connection.in_atomic_block:
                connection.close()  # a new connection on the next try
            time.sleep(min(0.25 * 2**attempt, 8))


def _record_outcome(outbox: OutboxEvent, pending: list[str], errors: list[str]) -> None:
    now = timezone.now()
    if not pending:
        OutboxEvent.objects.filter(pk=outbox.pk).update(
            next_attempt_at=None,
            delivered_at=now,
            last_error="",
            payload=_scrubbed(outbox),
        )
    elif outbox.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        log.error(
            "outbox: event %s given up after %s tries: %s", outbox.pk, outbox.attempts, errors
        )
        OutboxEvent.objects.filter(pk=outbox.pk).update(
            next_attempt_at=None, failed_at=now, last_error="\n".join(errors)
        )
    else:
        delay = min(
            settings.OUTBOX_RETRY_SECONDS * 2 ** (outbox.attempts - 1),
            settings.OUTBOX_RETRY_MAX_SECONDS,
        )
        OutboxEvent.objects.filter(pk=outbox.pk).update(
            next_attempt_at=now + timedelta(seconds=delay), last_error="\n".join(errors)
        )


def deliver_due(*, limit: int = 500) -> dict[str, int]:
    """Deliver the events whose next try is due, oldest first (beat, deliver_outbox)."""
    due = OutboxEvent.objects.filter(next_attempt_at__lte=timezone.now()).order_by(
        "next_attempt_at", "pk"
    )
    counts = {"delivered": 0, "left": 0}
    for event_id in due.values_list("pk", flat=True)[:limit]:
        counts["delivered" if deliver(event_id) else "left"] += 1
    return counts


def retry_failed() -> int:
    """Put the events given up on back in the queue, due now (after an outage is fixed)."""
    return OutboxEvent.objects.filter(failed_at__isnull=False, next_attempt_at=None).update(
        failed_at=None, attempts=0, next_attempt_at=timezone.now()
    )


@shared_task(name="motcua.core.outbox.deliver_event", ignore_result=True)
def deliver_event_task(event_id: int) -> None:
    deliver(event_id, fresh=True)


@shared_task(name="motcua.core.outbox.deliver_due", ignore_result=True)
def deliver_due_task() -> None:
    deliver_due()


def _dispatch(event_id: int) -> None:
    """After commit: deliver now in-process (embedded default) or hand it to the broker; if
    the broker cannot be reached, the event waits in the outbox for the next sweep."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            deliver(event_id, fresh=True)
            now_and_then("outbox", partial(deliver_due, limit=20))
        except Exception:  # the request has committed; the outbox keeps the event
            log.exception("outbox: in-process delivery of event %s failed", event_id)
        return
    try:
        # One quick try to reach the broker: kombu would otherwise retry for seconds,
        # holding up a request whose change has already committed.
        with current_app.pool.acquire(block=True) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=1)
            deliver_event_task.apply_async((event_id,), retry=False, connection=connection)
    except Exception as exc:  # broker down: nothing is lost, beat or deliver_outbox sends it
        log.warning("outbox: broker unreachable, event %s waits in the outbox: %r", event_id, exc)


_last_runs: dict[str, float] = {}


def now_and_then(name: str, work: Callable[[], object]) -> bool:
    """Without a broker there is no beat: `work` (the retries that are due) runs after a later
    request instead, at most once a minute per process and `name`. True when it ran."""
    now = time.monotonic()
    if not settings.OUTBOX_INLINE_SWEEP or now - _last_runs.get(name, 0.0) < 60:
        return False
    _last_runs[name] = now
    work()
    return True


# What is retried after requests on the embedded default (no beat): each app registers its
# own due work (the outbox's events, notification deliveries...) under a name.
_sweepers: dict[str, Callable[[], object]] = {}


def sweeper(name: str, work: Callable[[], object]) -> None:
    """Have `work` (the retries of one kind that are due) run after requests, at most once a
    minute per process, when there is no broker and so no beat (OUTBOX_INLINE_SWEEP)."""
    _sweepers[name] = work


def sweep_after_request(**kwargs) -> None:
    """request_finished: the registered sweeps that are due. A failure is logged; the next
    request a minute later tries again."""
    if not settings.OUTBOX_INLINE_SWEEP:
        return
    ran = False
    for name, work in list(_sweepers.items()):
        try:
            ran = now_and_then(name, work) or ran
        except Exception:
            log.exception("outbox: the %s sweep after a request failed", name)
    if ran:
        # Django closed the request's connections before this ran: give back (to the pool)
        # the ones the sweep opened, rather than hold them until the thread's next request
        # (never one inside a transaction: a test's, say).
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()


def _later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------
# Secret fields (a verification code) are stored encrypted and blanked once delivered.


def _fernet() -> Fernet:
    return fernet("motcua.outbox")


def _seal(event: Event) -> dict:
    payload = event.to_payload()
    for field in event.secret_fields:
        payload[field] = _fernet().encrypt(str(payload[field]).encode()).decode()
    return payload


def _open(outbox: OutboxEvent) -> Event:
    event_type = EVENT_TYPES[outbox.name]
    payload = dict(outbox.payload)
    for field in event_type.secret_fields:
        try:
            payload[field] = _fernet().decrypt(str(payload[field]).encode()).decode()
        except InvalidToken as exc:
            raise ValueError(f"{field} cannot be decrypted (SECRET_KEY changed?)") from exc
    return event_type.from_payload(payload)


def _scrubbed(outbox: OutboxEvent) -> dict:
    secret = EVENT_TYPES[outbox.name].secret_fields
    return {k: ("" if k in secret else v) for k, v in outbox.payload.items()}


def strike_off_subscribers(events, skip: Callable[[str], bool]) -> int:
    """Strike the asynchronous subscribers whose name `skip` accepts off the outbox `events`
    (a queryset), as if they had run; an event left with none is delivered. For work that
    must not reach them: a demo's past made up today is nobody's news (decision 0065).
    Returns how many events changed."""
    changed = 0
    for pk, pending in events.exclude(pending=[]).values_list("pk", "pending"):
        left = [name for name in pending if not skip(name)]
        if left == pending:
            continue
        done = {"next_attempt_at": None, "delivered_at": timezone.now()} if not left else {}
        OutboxEvent.objects.filter(pk=pk).update(pending=left, **done)
        changed += 1
    return changed
