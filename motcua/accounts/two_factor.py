"""Second factor for officers (xác thực hai lớp): an authenticator app and recovery codes.

The devices are django-otp's own models: one confirmed TOTPDevice per officer, and one
StaticDevice holding the recovery codes (mã khôi phục). Wrong codes are counted per account
with motcua.core.ratelimit, like wrong passwords, so django-otp's per-device throttling is
off (settings.OTP_*_THROTTLE_FACTOR). See docs/decisions/0010-officer-two-factor.md.
"""

from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.services import LoginLocked
from motcua.core import ratelimit
from motcua.core.audit import record_audit

ISSUER = "MotCua"
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã khôi phục"
RATE_SCOPE = "otp"


# --- Who owes a second factor ---------------------------------------------------------


def is_officer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.kind == User.Kind.OFFICER)


def required_for(user) -> bool:
    """True if `user` is an officer and settings.OFFICER_2FA_REQUIRED is on."""
    return bool(settings.OFFICER_2FA_REQUIRED) and is_officer(user)


def is_verified(user) -> bool:
    """True if this request's user gave a second factor (set by accounts.middleware).

    Not django-otp's `user.is_verified()`: on our User that name means a confirmed e-mail.
    """
    return getattr(user, "otp_device", None) is not None


def owes_second_factor(user) -> bool:
    """True for a logged-in officer who must give a second factor and has not yet."""
    return required_for(user) and not is_verified(user)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def challenge_url(user: User, next_url: str = "") -> str:
    """The page asking `user` for a code: verification, or enrolment when there is no device."""
    name = "two_factor_verify" if confirmed_totp_device(user) else "two_factor_setup"
    url = reverse(f"accounts:{name}")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# --- Checking a code -------------------------------------------------------------------


def _verify(user: User, device: Device | None, token: str) -> None:
    """Check `token` on `device`, counting the attempt per account first.

    The device row is locked while it is checked, so one code cannot be accepted twice by
    two requests at once. Raises LoginLocked once settings.LOGIN_MAX_FAILURES codes were
    tried within settings.LOGIN_LOCKOUT_SECONDS (only the officer, who knows the password,
    can get this far), ValidationError for a wrong code, ratelimit.Unavailable without the
    counters.
    """
    key, limit = str(user.pk), settings.LOGIN_MAX_FAILURES
    window = settings.LOGIN_LOCKOUT_SECONDS
    try:
        count = ratelimit.limit(RATE_SCOPE, key, limit=limit, window=window)
    except ratelimit.Limited as limited:
        raise LoginLocked(limited.seconds) from None
    accepted = False
    if device is not None:
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            accepted = locked.verify_token(token)
    if accepted:
        ratelimit.reset(RATE_SCOPE, key)
        return
    left = limit - count
    if left <= 0:
        raise LoginLocked(window)
    raise ValidationError(
        ngettext(
            "Mã không đúng. Quý vị còn %(left)d lần thử.",
            "Mã không đúng. Quý vị còn %(left)d lần thử.",
            left,
        )
        % {"left": left},
        code="wrong_code",
    )


def verify_totp(*, user: User, code: str) -> TOTPDevice:
    """Check a six-digit code from the authenticator app; returns the device that took it.

    A code is accepted once (django-otp keeps the last time step used), with one step of
    clock drift either way. Raises LoginLocked or ValidationError.
    """
    device = confirmed_totp_device(user)
    if device is None:
        raise ValueError("This officer has no confirmed authenticator device.")
    _verify(user, device, code)
    return device


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are shown as abcd-efgh; case, spaces and hyphens do not matter."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def verify_recovery_code(
    *, user: User, code: str, request: HttpRequest | None = None
) -> StaticDevice:
    """Use up one recovery code (mã khôi phục) and record it; raises like verify_totp."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    _verify(user, device, normalise_recovery_code(code))
    record_audit(
        action="otp_recovery_code_used",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        codes_left=recovery_codes_left(user),
    )
    return device


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment and recovery codes ----------------------------------------------------------


def unconfirmed_totp_device(user: User) -> TOTPDevice:
    """The device being enrolled; it keeps its secret until confirmed, so a reload is harmless."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The secret for typing into an authenticator app, in groups of four letters."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI of `device` for its QR code (Key Uri Format, issuer MotCua)."""
    user = device.user
    label = quote(f"{ISSUER}:{user.email or user.phone or user.pk}")
    params = {
        "secret": b32encode(device.bin_key).decode().rstrip("="),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_totp_device(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm the device being enrolled with a code from the app; returns new recovery codes.

    Earlier authenticator devices and recovery codes of `user` stop working. Raises
    LoginLocked or ValidationError like verify_totp.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValueError("Only the officer's own device being enrolled can be confirmed.")
    _verify(user, device, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _replace_recovery_codes(user)
        record_audit(action="otp_enrolled", actor=user, target=f"user:{user.pk}", request=request)
    device.refresh_from_db()
    return codes


def regenerate_recovery_codes(
    *, user: User, code: str, request: HttpRequest | None = None
) -> list[str]:
    """New recovery codes against a current code from the app; the old ones stop working."""
    verify_totp(user=user, code=code)
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record_audit(
            action="otp_recovery_codes_regenerated",
            actor=user,
            target=f"user:{user.pk}",
            request=request,
        )
    return codes


def format_recovery_code(code: str) -> str:
    """abcdefgh -> abcd-efgh, easier to copy by hand."""
    return f"{code[:4]}-{code[4:]}"
