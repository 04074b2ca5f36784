"""Account operations (đăng ký, xác thực, đăng nhập, hồ sơ cá nhân): called by views and admin."""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.accounts.backends import find_user_by_login
from motcua.accounts.models import User, VerificationCode
from motcua.accounts.validators import normalise_phone
from motcua.core import ratelimit
from motcua.core.audit import record_audit
from motcua.core.client import client_ip
from motcua.core.events import (
    PasswordResetRequested,
    RegistrationNotCompleted,
    RegistrationRepeated,
    VerificationCodeIssued,
)
from motcua.core.outbox import publish

CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
# Many people share one address behind a carrier NAT, so the per-IP limit is looser.
LOGIN_IP_FACTOR = 4

PROFILE_FIELDS = (
    "full_name",
    "citizen_id",
    "date_of_birth",
    "address",
    "phone",
    "organisation_name",
    "tax_code",
    "representative",
)

# Taken from a national identity provider's verified claims and not editable by hand while
# the account's identity is verified (User.has_verified_identity, decision 0073).
IDENTITY_LOCKED_FIELDS = ("full_name", "citizen_id", "date_of_birth")


def user_must_verify(user) -> bool:
    """True if `user` is an applicant whose e-mail address is not yet confirmed."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_applicant and not user.is_verified
    )


# --- Registration and e-mail verification ------------------------------------


def _hash_code(user_id: int, code: str) -> str:
    message = f"{user_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _latest_code(user: User, *, lock: bool = False) -> VerificationCode | None:
    codes = VerificationCode.objects.filter(user=user).order_by("-created_at", "-pk")
    if lock:
        codes = codes.select_for_update()
    return codes.first()


def seconds_until_resend(*, user: User) -> int:
    """How long `user` must wait before another code may be sent (0: now)."""
    latest = _latest_code(user)
    if latest is None:
        return 0
    wait = CODE_RESEND_SECONDS - (timezone.now() - latest.created_at).total_seconds()
    return max(0, math.ceil(wait))


@transaction.atomic
def issue_verification_code(*, user: User) -> VerificationCode:
    """Create a new six-digit code (mã xác thực), replacing earlier ones, and e-mail it after commit.

    Raises ValidationError when the previous code was sent less than a minute ago.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time per user
    wait = seconds_until_resend(user=user)
    if wait:
        raise ValidationError(
            ngettext(
                "Vui lòng đợi %(seconds)d giây trước khi yêu cầu gửi lại mã.",
                "Vui lòng đợi %(seconds)d giây trước khi yêu cầu gửi lại mã.",
                wait,
            )
            % {"seconds": wait},
            code="resend_too_soon",
        )
    now = timezone.now()
    VerificationCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    verification = VerificationCode.objects.create(
        user=user,
        code_hash=_hash_code(user.pk, code),
        expires_at=now + timedelta(seconds=settings.VERIFICATION_CODE_TTL_SECONDS),
    )
    publish(VerificationCodeIssued(user_id=user.pk, code=code))
    return verification


def registration_allowed(*, request: HttpRequest) -> bool:
    """Count a registration from this client address; False past REGISTRATIONS_PER_HOUR."""
    try:
        ratelimit.limit(
            "register-ip",
            client_ip(request) or "unknown",
            limit=settings.REGISTRATIONS_PER_HOUR,
            window=3600,
        )
    except ratelimit.Limited:
        return False
    return True


def _tell_owners(taken: list[tuple[User, str]]) -> None:
    """Mail each owner once (not once per taken field), and at most once an hour: a
    stranger repeating the registration must not flood their mailbox."""
    told = set()
    for owner, via in taken:
        if owner.pk in told:
            continue
        told.add(owner.pk)
        if ratelimit.hit("registration-repeated", str(owner.pk), window=3600) == 1:
            publish(RegistrationRepeated(user_id=owner.pk, via=via))


@transaction.atomic
def register_applicant(
    *,
    kind: str,
    email: str,
    password: str,
    full_name: str,
    phone: str = "",
    organisation_name: str = "",
    tax_code: str = "",
    representative: str = "",
    request: HttpRequest | None = None,
) -> User | None:
    """Create a citizen or organisation account (đăng ký tài khoản) and send its first code.

    The caller answers the same whatever this returns, so the page never tells whether an
    e-mail address or phone number has an account (docs/decisions/0026). When one has, no
    account is made and its owner is told by e-mail after commit (RegistrationRepeated);
    when only the phone belongs to someone else, the new address is told why it has no
    account (RegistrationNotCompleted). Returns the new user, or None.
    """
    if kind not in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
        raise ValueError(f"Applicants register as citizen or organisation, not {kind!r}.")
    email = User.objects.normalize_email(email.strip())
    phone = normalise_phone(phone) or None
    if _already_registered(email, phone):
        return None
    is_organisation = kind == User.Kind.ORGANISATION
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                phone=phone,
                kind=kind,
                full_name=full_name.strip(),
                organisation_name=organisation_name.strip() if is_organisation else "",
                tax_code=tax_code.strip() if is_organisation else "",
                representative=representative.strip() if is_organisation else "",
            )
    except IntegrityError:
        # Registered a moment ago by someone else: the same as taken.
        _already_registered(email, phone)
        return None
    record_audit(
        action="register", actor=user, target=f"user:{user.pk}", request=request, kind=kind
    )
    issue_verification_code(user=user)
    return user


def _already_registered(email: str, phone: str | None) -> bool:
    """Whether the e-mail or the phone has an account; if so, its owner is told, and when only
    the phone is someone else's, the new address is told why it got no account."""
    taken = [(owner, "email") for owner in User.objects.filter(email__iexact=email)[:1]]
    if phone:
        taken += [(owner, "phone") for owner in User.objects.filter(phone=phone)[:1]]
    if not taken:
        return False
    _tell_owners(taken)
    if all(via == "phone" for _owner, via in taken):
        publish(RegistrationNotCompleted(email=email))
    return True


@transaction.atomic
def request_password_reset(*, user: User, request: HttpRequest | None = None) -> None:
    """Have a password-reset link mailed to `user` after commit (the link is made then)."""
    record_audit(action="password_reset_requested", target=f"user:{user.pk}", request=request)
    publish(PasswordResetRequested(user_id=user.pk))


@dataclass(frozen=True)
class _Outcome:
    error: str | None
    code: str = ""


@transaction.atomic
def _check_code(*, user: User, code: str) -> _Outcome:
    verification = _latest_code(user, lock=True)
    now = timezone.now()
    if verification is None or verification.used_at is not None:
        return _Outcome(_("Không có mã xác thực còn hiệu lực. Hãy yêu cầu gửi mã mới."), "no_code")
    if verification.expires_at <= now:
        return _Outcome(_("Mã xác thực đã hết hạn. Hãy yêu cầu gửi mã mới."), "expired")
    if verification.attempts >= CODE_MAX_ATTEMPTS:
        return _Outcome(
            _("Quý vị đã nhập sai mã quá nhiều lần. Hãy yêu cầu gửi mã mới."), "too_many"
        )
    verification.attempts += 1
    if not hmac.compare_digest(verification.code_hash, _hash_code(user.pk, code)):
        verification.save(update_fields=["attempts"])
        left = CODE_MAX_ATTEMPTS - verification.attempts
        if left == 0:
            return _Outcome(
                _("Quý vị đã nhập sai mã quá nhiều lần. Hãy yêu cầu gửi mã mới."), "too_many"
            )
        return _Outcome(
            ngettext(
                "Mã xác thực không đúng. Quý vị còn %(left)d lần thử.",
                "Mã xác thực không đúng. Quý vị còn %(left)d lần thử.",
                left,
            )
            % {"left": left},
            "wrong",
        )
    verification.used_at = now
    verification.save(update_fields=["attempts", "used_at"])
    user.email_verified_at = now
    user.save(update_fields=["email_verified_at"])
    record_audit(action="email_verified", actor=user, target=f"user:{user.pk}")
    return _Outcome(None)


def verify_email(*, user: User, code: str) -> None:
    """Confirm the e-mail address of `user` with the code that was sent to it.

    Raises ValidationError (wrong, expired, or too many attempts). A failed attempt is
    counted in its own committed transaction, so raising does not undo the count.
    """
    code = "".join(code.split())
    outcome = _check_code(user=user, code=code)
    if outcome.error:
        raise ValidationError(outcome.error, code=outcome.code)


# --- Login ---------------------------------------------------------------------


class LoginLocked(Exception):
    """Too many logins for this account or address: carries the seconds to wait."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def _login_key(login: str) -> str:
    login = login.strip()
    return login.lower() if "@" in login else normalise_phone(login)


def _account_key(login: str) -> str:
    """The account's own counter when `login` names one (its e-mail and phone then share
    it), else the normalised identifier."""
    user = find_user_by_login(login)
    return f"user:{user.pk}" if user is not None else f"login:{_login_key(login)}"


def attempt_login(*, request: HttpRequest, login: str, password: str) -> User | None:
    """Check a login and password after counting the attempt (docs/decisions/0025).

    Counted first, atomically: the account from this address (locked for the window past
    LOGIN_MAX_FAILURES), the address (delays past LOGIN_IP_FACTOR times that) and the
    account from anywhere (delays past LOGIN_MAX_FAILURES, at most LOGIN_DELAY_MAX_SECONDS
    each). Raises LoginLocked without checking the password when one of them refuses, and
    ratelimit.Unavailable when the counters cannot be reached. Returns the user, or None.
    """
    limit = settings.LOGIN_MAX_FAILURES
    window = settings.LOGIN_LOCKOUT_SECONDS
    cap = settings.LOGIN_DELAY_MAX_SECONDS
    account = _account_key(login)
    ip = client_ip(request) or "unknown"
    pair = f"{account}|{ip}"
    try:
        ratelimit.limit("login-pair", pair, limit=limit, window=window)
        ratelimit.throttle("login-ip", ip, free=limit * LOGIN_IP_FACTOR, window=window, cap=cap)
        ratelimit.throttle("login", account, free=limit, window=window, cap=cap)
    except ratelimit.Limited as limited:
        raise LoginLocked(limited.seconds) from None
    user = authenticate(request, username=login, password=password)
    if user is None:
        record_audit(action="login_failed", target=_login_key(login)[:128], request=request)
        return None
    ratelimit.reset("login", account)
    ratelimit.reset("login-pair", pair)
    ratelimit.forgive("login-ip", ip, window=window)
    return user


def password_reset_allowed(*, request: HttpRequest) -> bool:
    """Count a password-reset request from this client address; False once over the limit."""
    ip = client_ip(request) or "unknown"
    try:
        ratelimit.limit(
            "password-reset-ip",
            ip,
            limit=settings.LOGIN_MAX_FAILURES * LOGIN_IP_FACTOR,
            window=settings.LOGIN_LOCKOUT_SECONDS,
        )
    except ratelimit.Limited:
        return False
    return True


# --- Profile and password --------------------------------------------------------


@transaction.atomic
def update_profile(
    *,
    user: User,
    full_name: str,
    citizen_id: str = "",
    date_of_birth: date | None = None,
    address: str = "",
    phone: str = "",
    organisation_name: str = "",
    tax_code: str = "",
    representative: str = "",
    request: HttpRequest | None = None,
) -> list[str]:
    """Save the applicant's own details (thông tin cá nhân); returns the names of changed fields.

    The audit row records which fields changed, not their values.
    """
    values = {
        "full_name": full_name.strip(),
        "citizen_id": citizen_id.strip(),
        "date_of_birth": date_of_birth,
        "address": address.strip(),
        "phone": normalise_phone(phone) or None,
        "organisation_name": organisation_name.strip(),
        "tax_code": tax_code.strip(),
        "representative": representative.strip(),
    }
    if user.kind != User.Kind.ORGANISATION:
        values.update(organisation_name="", tax_code="", representative="")
    if user.has_verified_identity:
        locked = [name for name in IDENTITY_LOCKED_FIELDS if getattr(user, name) != values[name]]
        if locked:
            raise ValidationError(
                {
                    name: _(
                        "Thông tin này đã được xác thực qua tài khoản định danh điện tử nên "
                        "không sửa được."
                    )
                    for name in locked
                }
            )
    if values["phone"] and User.objects.filter(phone=values["phone"]).exclude(pk=user.pk).exists():
        raise ValidationError({"phone": _("Số điện thoại này đã được đăng ký.")})
    changed = [name for name in PROFILE_FIELDS if getattr(user, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(user, name, values[name])
    try:
        with transaction.atomic():
            user.save(update_fields=changed)
    except IntegrityError as exc:
        raise ValidationError({"phone": _("Số điện thoại này đã được đăng ký.")}) from exc
    record_audit(
        action="profile_changed",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        fields=changed,
    )
    return changed


@transaction.atomic
def set_password(
    *, user: User, password: str, request: HttpRequest | None = None, reset: bool = False
) -> None:
    """Store a new password (after the caller validated it) and record the change."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit(
        action="password_changed",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        via="reset" if reset else "change",
    )
