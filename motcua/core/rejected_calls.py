"""Calls from outside systems that were refused (a bad signature, an unknown terminal, a
message that does not parse): counted, and the most recent kept as short samples.

A verified message is the sender's business and is stored whole by its app (payments'
GatewayMessage, delivery's ShipmentEvent). A refused one is anybody's: storing each whole let
1,000 unsigned calls grow a table by 42 MB in 6 seconds. Here each costs one counter row per
source, kind, reason and day, and at most REJECTED_CALL_SAMPLES samples of at most
SAMPLE_MAX_CHARS characters each are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from motcua.core.models import RejectedCall, RejectedCallSample

SAMPLE_MAX_KEYS = 20
SAMPLE_KEY_CHARS = 40
SAMPLE_VALUE_CHARS = 200
SAMPLE_MAX_CHARS = 2000


def shorten(params) -> dict:
    """The first fields of `params`, each cut short, within SAMPLE_MAX_CHARS in all."""
    items = params.items() if hasattr(params, "items") else []
    sample, size = {}, 0
    for key, value in list(items)[:SAMPLE_MAX_KEYS]:
        # PostgreSQL's JSON cannot hold NUL characters.
        key = str(key).replace("\x00", "")[:SAMPLE_KEY_CHARS]
        value = str(value).replace("\x00", "")[:SAMPLE_VALUE_CHARS]
        size += len(key) + len(value)
        if size > SAMPLE_MAX_CHARS:
            break
        sample[key] = value
    return sample


def record_rejected(*, source: str, kind: str, reason: str, params, ip: str | None = None):
    """Count one refused call and keep it as the newest sample (older ones beyond the cap go)."""
    now = timezone.now()
    key = {"day": timezone.localdate(now), "source": source[:40], "kind": kind[:20]}
    key["reason"] = reason[:20]
    with transaction.atomic():
        counted = RejectedCall.objects.filter(**key).update(count=F("count") + 1, last_at=now)
        if not counted:
            try:
                with transaction.atomic():
                    RejectedCall.objects.create(**key, count=1, last_at=now)
            except IntegrityError:  # another process made the day's row first
                RejectedCall.objects.filter(**key).update(count=F("count") + 1, last_at=now)
        keep = settings.REJECTED_CALL_SAMPLES
        if keep:
            sample = RejectedCallSample.objects.create(
                at=now,
                source=key["source"],
                kind=key["kind"],
                reason=key["reason"],
                ip_address=ip,
                params=shorten(params),
            )
            RejectedCallSample.objects.filter(pk__lte=sample.pk - keep).delete()
