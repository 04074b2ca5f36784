"""One-time codes that prove an e-mail address or phone number belongs to someone acting
without an account (decision 0048): six digits, stored as an HMAC, valid CODE_TTL_SECONDS,
CODE_MAX_ATTEMPTS tries; sent after commit by whoever subscribes to ContactCodeIssued."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core import ratelimit
from motcua.core.events import ContactCodeIssued
from motcua.core.outbox import publish
from motcua.feedback.models import ContactCode

CODE_TTL_SECONDS = 15 * 60
CODE_MAX_ATTEMPTS = 5
# Codes sent: per client address and per contact address, an hour.
CODES_PER_CLIENT_PER_HOUR = 10
CODES_PER_ADDRESS_PER_HOUR = 3


def _hash(pk: int, code: str) -> str:
    message = f"contact:{pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def issue_code(
    *, purpose: str, channel: str, address: str, language: str, client_ip: str
) -> ContactCode:
    """Make a code for `address` and have it sent after commit. Raises ratelimit.Limited
    past the limits per client and per address (ratelimit.Unavailable without counters)."""
    ratelimit.limit(
        f"{purpose}-code-ip", client_ip or "unknown", limit=CODES_PER_CLIENT_PER_HOUR, window=3600
    )
    ratelimit.limit(
        f"{purpose}-code-to", address.lower(), limit=CODES_PER_ADDRESS_PER_HOUR, window=3600
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        now = timezone.now()
        row = ContactCode.objects.create(
            purpose=purpose,
            channel=channel,
            code_hash="",
            expires_at=now + timedelta(seconds=CODE_TTL_SECONDS),
        )
        row.code_hash = _hash(row.pk, code)
        row.save(update_fields=["code_hash"])
        publish(
            ContactCodeIssued(
                channel=channel, address=address, code=code, purpose=purpose, language=language
            )
        )
    return row


def purge_codes(*, older_than_seconds: int = 24 * 3600) -> int:
    """Delete the codes that expired more than a day ago (run with the escalation)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _rows = ContactCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class Checked:
    ok: bool
    error: str = ""
    reason: str = ""  # wrong, expired, too_many, no_code


@transaction.atomic
def check_code(*, code_id: int, purpose: str, code: str) -> Checked:
    """Check `code` against the row (its purpose must match); a try is counted and committed
    whatever the outcome; a matching code is used up."""
    code = "".join((code or "").split())
    row = ContactCode.objects.select_for_update().filter(pk=code_id, purpose=purpose).first()
    now = timezone.now()
    if row is None or row.used_at is not None:
        return Checked(False, _("Không có mã xác thực còn hiệu lực. Hãy gửi lại mã."), "no_code")
    if row.expires_at <= now:
        return Checked(False, _("Mã xác thực đã hết hạn. Hãy gửi lại mã."), "expired")
    if row.attempts >= CODE_MAX_ATTEMPTS:
        return Checked(False, _("Quý vị đã nhập sai mã quá nhiều lần. Hãy gửi lại mã."), "too_many")
    row.attempts += 1
    if not hmac.compare_digest(row.code_hash, _hash(row.pk, code)):
        row.save(update_fields=["attempts"])
        left = CODE_MAX_ATTEMPTS - row.attempts
        if left == 0:
            return Checked(
                False, _("Quý vị đã nhập sai mã quá nhiều lần. Hãy gửi lại mã."), "too_many"
            )
        return Checked(
            False,
            ngettext(
                "Mã xác thực không đúng. Quý vị còn %(left)d lần thử.",
                "Mã xác thực không đúng. Quý vị còn %(left)d lần thử.",
                left,
            )
            % {"left": left},
            "wrong",
        )
    row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    return Checked(True)
