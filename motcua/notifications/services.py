"""Telling people: make a notification once, deliver it by each chosen channel, retry, fall
back (decision 0040, docs/notifications.md).

    notify(source="outbox:42", kind="accepted", user=applicant, dossier=dossier, context=...)

makes the Notification (unique per source, recipient and kind: a subscriber run again finds
it), one Delivery per channel, and sends them at once, each in its own short step outside
any transaction: a claim (one conditional UPDATE), the provider's call, the outcome. A
temporary failure is tried again with backoff by `deliver_due` (Celery beat, manage.py
deliver_notifications); a permanent one, or NOTIFICATION_MAX_ATTEMPTS tries, fails the
delivery with its reason and falls back to another channel the person has.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from motcua.core.outbox import now_and_then
from motcua.notifications import rendering
from motcua.notifications.channels import ChannelError, Message, channels
from motcua.notifications.kinds import KINDS
from motcua.notifications.models import Delivery, Notification, Preference

log = logging.getLogger("motcua.notifications")

PORTAL = "portal"
# When a channel fails for good, the next of these the person has and was not tried yet.
FALLBACK_ORDER = ("email", PORTAL)
UNREAD_CACHE_SECONDS = 300


def chosen_channels(user) -> list[str]:
    """The channels `user` gets dossier notifications by: the portal always, then their
    choice, among the channels installed. Until they choose: e-mail, or SMS for an account
    with a phone and no e-mail address (registered by phone)."""
    pref = Preference.objects.filter(user=user).first()
    if pref is not None:
        chosen = pref.channels
    else:
        chosen = ["email"] if user.email or not user.phone else ["sms"]
    return [PORTAL] + [c for c in chosen if c != PORTAL and c in channels]


def set_channels(*, user, chosen: list[str]) -> list[str]:
    kept = [c for c in dict.fromkeys(chosen) if c != PORTAL and c in channels]
    Preference.objects.update_or_create(user=user, defaults={"channels": kept})
    return kept


def notify(
    *,
    source: str,
    kind: str,
    context: dict,
    user=None,
    addresses: dict[str, str] | None = None,
    language: str | None = None,
    dossier=None,
    link: str = "",
    send: bool = True,
    rule_channels: list[str] | None = None,
) -> Notification | None:
    """Tell one person (`user`, or `addresses` {channel: address} for someone without an
    account) about one fact, once. Returns the notification (new or made before).

    `rule_channels` (a proactive reminder's rule) replaces the person's chosen channels: the
    portal always, then those of the list that are installed; empty or None, their own."""
    spec = KINDS[kind]
    language = language or (user.language if user is not None else "vi") or "vi"
    if user is not None:
        recipient = f"user:{user.pk}"
        if spec.security:  # security: e-mail, whatever was chosen
            wanted = ["email"]
        elif rule_channels:
            wanted = [PORTAL] + [c for c in dict.fromkeys(rule_channels) if c != PORTAL]
        else:
            wanted = chosen_channels(user)
        targets = {}
        for channel_id in wanted:
            channel = channels.get(channel_id)
            address = channel.address(user) if channel else ""
            if address:
                targets[channel_id] = address
    else:
        targets = {c: a for c, a in (addresses or {}).items() if a and c in channels}
        if not targets:
            return None
        recipient = ",".join(f"{c}:{a}" for c, a in sorted(targets.items()))[:200]
    existing = Notification.objects.filter(source=source, recipient=recipient, kind=kind).first()
    if existing is None:
        with translation.override(language):
            rendered = rendering.render(kind, language, context)
        try:
            with transaction.atomic():
                existing = Notification.objects.create(
                    source=source,
                    recipient=recipient,
                    kind=kind,
                    user=user,
                    dossier=dossier,
                    language=language,
                    template=rendered.template,
                    title=rendered.subject[:300],
                    text=rendered.text,
                    html=rendered.html,
                    sms=rendered.sms[:480],
                    link=link,
                    security=spec.security,
                )
                now = timezone.now()
                Delivery.objects.bulk_create(
                    [
                        Delivery(
                            notification=existing,
                            channel=channel_id,
                            address=address,
                            next_attempt_at=now,
                        )
                        for channel_id, address in targets.items()
                    ]
                )
        except IntegrityError:  # made at the same moment by another run of the subscriber
            existing = Notification.objects.get(source=source, recipient=recipient, kind=kind)
    if send:
        send_queued(existing)
    return existing


def send_queued(notification: Notification) -> None:
    """Try the notification's deliveries that are due now (each claimed first)."""
    due = notification.deliveries.filter(
        status=Delivery.Status.QUEUED, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for delivery_id in list(due):
        attempt(delivery_id)


def _claim(delivery_id: int) -> bool:
    """One conditional UPDATE: due and queued. Moves the next try a lease ahead, so that a
    second worker (or a rerun subscriber) cannot send it at the same time."""
    now = timezone.now()
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
        ).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
        )
    )


def _message(delivery: Delivery) -> Message:
    n = delivery.notification
    link = settings.SITE_URL + n.link if n.link.startswith("/") else n.link
    text = n.sms if delivery.channel == "sms" and n.sms else n.text
    return Message(subject=n.title, text=text, html=n.html, link=link)


def attempt(delivery_id: int) -> Delivery | None:
    """Send one delivery if it is due and nobody else is sending it."""
    if not _claim(delivery_id):
        return None
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    channel = channels.get(delivery.channel)
    now = timezone.now()
    try:
        if channel is None:
            raise ChannelError("Kênh không còn được cài đặt.", code="uninstalled", permanent=True)
        sent = channel.send(
            address=delivery.address, message=_message(delivery), reference=str(delivery.pk)
        )
    except Exception as exc:
        error = exc
        if not isinstance(error, ChannelError):  # a bug in a plugin: a temporary failure
            log.exception(
                "notifications: channel %s failed on delivery %s", delivery.channel, delivery.pk
            )
            error = ChannelError(repr(exc))
        if error.permanent or delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            fail(delivery, reason=error.reason)
        else:
            delay = min(
                settings.NOTIFICATION_RETRY_SECONDS * 2 ** (delivery.attempts - 1),
                settings.NOTIFICATION_RETRY_MAX_SECONDS,
            )
            Delivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=now + timedelta(seconds=delay), reason=error.reason[:500]
            )
        return delivery
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.DELIVERED if sent.delivered else Delivery.Status.SENT,
        provider_ref=sent.provider_ref[:120],
        sent_at=now,
        delivered_at=now if sent.delivered else None,
        next_attempt_at=None,
        reason="",
    )
    if sent.delivered and delivery.channel == PORTAL:
        forget_unread(delivery.notification.user_id)
    return delivery


def fail(delivery: Delivery, *, reason: str) -> None:
    """The delivery failed for good: record why and try another channel the person has."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        reason=(reason or "?")[:500],
        failed_at=timezone.now(),
        next_attempt_at=None,
    )
    fallback = _fallback(delivery)
    if fallback is not None:
        attempt(fallback.pk)


def _fallback(failed: Delivery) -> Delivery | None:
    notification = failed.notification
    user = notification.user
    if user is None:
        return None
    tried = set(notification.deliveries.values_list("channel", flat=True))
    for channel_id in FALLBACK_ORDER:
        channel = channels.get(channel_id)
        address = channel.address(user) if channel is not None else ""
        if channel_id in tried or not address:
            continue
        try:
            with transaction.atomic():
                return Delivery.objects.create(
                    notification=notification,
                    channel=channel_id,
                    address=address,
                    next_attempt_at=timezone.now(),
                    fallback_of=failed,
                )
        except IntegrityError:
            return None
    return None


def deliver_due(*, limit: int = 500) -> int:
    """Try the deliveries whose next try is due (beat, manage.py deliver_notifications)."""
    due = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
    done = 0
    for delivery_id in list(due.values_list("pk", flat=True)[:limit]):
        if attempt(delivery_id) is not None:
            done += 1
    return done


def sweep_now_and_then() -> None:
    """Deliveries due for a retry, tried after a later notification when there is no beat."""
    now_and_then("notifications", partial(deliver_due, limit=20))


def reported(*, channel: str, provider_ref: str, delivered: bool, reason: str = "", at=None):
    """A provider's delivery report (core.events.DeliveryReported): idempotent."""
    delivery = (
        Delivery.objects.select_related("notification")
        .filter(channel=channel, provider_ref=provider_ref)
        .exclude(status__in=[Delivery.Status.DELIVERED, Delivery.Status.FAILED])
        .first()
    )
    if delivery is None:
        return None
    if delivered:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED, delivered_at=at or timezone.now(), reason=""
        )
    else:
        fail(delivery, reason=reason or "Nhà mạng báo không gửi được.")
    return delivery


def failed_for_dossier(dossier) -> list[Delivery]:
    return list(
        Delivery.objects.filter(notification__dossier=dossier, status=Delivery.Status.FAILED)
        .select_related("notification")
        .order_by("-failed_at")[:20]
    )


def _unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """The header's badge: cached per person, forgotten when a notification is shown or
    read, so that most pages read nothing for it."""
    count = cache.get(_unread_key(user.pk))
    if count is None:
        count = Notification.objects.filter(
            user=user, shown_at__isnull=False, read_at__isnull=True
        ).count()
        cache.set(_unread_key(user.pk), count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread(user_id) -> None:
    if user_id is not None:
        cache.delete(_unread_key(user_id))


def visible_to(user):
    return Notification.objects.filter(user=user, shown_at__isnull=False)


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of `user`'s notifications read (or all of them). 0 when it is not theirs."""
    rows = visible_to(user).filter(read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    done = rows.update(read_at=timezone.now())
    forget_unread(user.pk)
    return done
