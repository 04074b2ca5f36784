"""What MotCua does with an identity a national provider vouched for (docs/identity.md).

A provider's subject is tied to one account (ExternalIdentity). Signing in with a known subject
signs in to its account; an unknown one is linked to the account the person is signed in to, or
to the account they sign in to with their password, or gets a new citizen account filled from
the verified claims. Never by matching ID numbers alone: an account's ID number typed by hand
proves nothing (decision 0075). Officers keep their password and second factor.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.identity import VerifiedIdentity
from motcua.accounts.models import ExternalIdentity, User
from motcua.accounts.validators import normalise_phone
from motcua.core.audit import record_audit


class LinkRefused(Exception):
    """The identity cannot be used with this account; `message` says why, for the person."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


OFFICER_REFUSED = "officer"


def officer_refusal() -> LinkRefused:
    return LinkRefused(
        _(
            "Tài khoản cán bộ không đăng nhập bằng VNeID. Vui lòng đăng nhập bằng thư điện tử, "
            "mật khẩu và mã xác thực hai lớp."
        ),
        OFFICER_REFUSED,
    )


def not_a_person() -> LinkRefused:
    return LinkRefused(
        _(
            "Tài khoản định danh điện tử VNeID là của một người: chỉ liên kết được với tài "
            "khoản công dân. Tổ chức giao việc cho nhân viên bằng mục “Thành viên tổ chức”."
        ),
        "not_a_person",
    )


def find_link(identity: VerifiedIdentity) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )


def _apply_verified(user: User, identity: VerifiedIdentity, *, now) -> list[str]:
    """Fill the account from the verified claims: the name, ID number and date of birth always
    (they are locked from now on), the address and phone only where the account has none.
    Returns the changed fields."""
    if not identity.citizen_id:
        # Without the ID number from the provider nothing is vouched for: a number typed on
        # the profile must never become "verified" (it binds memberships and authorisations).
        raise LinkRefused(
            _(
                "VNeID không cung cấp số định danh cá nhân của quý vị, nên không xác thực được "
                "danh tính. Vui lòng đồng ý chia sẻ số định danh khi đăng nhập VNeID."
            ),
            "no_citizen_id",
        )
    values = {
        "identity_provider": identity.provider,
        "identity_assurance": identity.assurance,
        "identity_verified_at": now,
        # The locked fields are the provider's, whatever the account held before.
        "citizen_id": identity.citizen_id,
        "date_of_birth": identity.date_of_birth,
    }
    if identity.full_name:
        values["full_name"] = identity.full_name
    if identity.address and not user.address:
        values["address"] = identity.address[:300]
    phone = normalise_phone(identity.phone) if identity.phone else ""
    if phone and not user.phone and not User.objects.filter(phone=phone).exists():
        values["phone"] = phone
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    return changed


@transaction.atomic
def record_sign_in(
    *, link: ExternalIdentity, identity: VerifiedIdentity, request: HttpRequest | None = None
) -> User:
    """A known subject signed in: refresh the verified data and the level, and audit it.

    Raises LinkRefused for an officer's or a deactivated account."""
    user = User.objects.select_for_update().get(pk=link.user_id)
    if user.kind == User.Kind.OFFICER:
        raise officer_refusal()
    if user.kind != User.Kind.CITIZEN:
        raise not_a_person()
    if not user.is_active:
        raise LinkRefused(_("Tài khoản này đã bị khóa."), "inactive")
    now = timezone.now()
    changed = _apply_verified(user, identity, now=now)
    user.save(update_fields=changed)
    ExternalIdentity.objects.filter(pk=link.pk).update(
        assurance=identity.assurance, last_sign_in_at=now
    )
    record_audit(
        action="identity_sign_in",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        provider=identity.provider,
        assurance=identity.assurance,
    )
    return user


@transaction.atomic
def link_identity(
    *,
    user: User,
    identity: VerifiedIdentity,
    request: HttpRequest | None = None,
    typed_id_must_match: bool = False,
) -> ExternalIdentity:
    """Tie `identity` to `user` (an applicant who proved they own the account) and fill the
    account from it. Raises LinkRefused when the account is an officer's, already has another
    identity of this provider, or was verified as another person; or the subject is taken."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.kind == User.Kind.OFFICER:
        raise officer_refusal()
    if user.kind != User.Kind.CITIZEN:
        raise not_a_person()
    existing = ExternalIdentity.objects.filter(provider=identity.provider, user=user).first()
    if existing is not None and existing.subject != identity.subject:
        raise LinkRefused(
            _("Tài khoản này đã liên kết với một tài khoản VNeID khác."), "other_identity"
        )
    # An account vouched for as another person; with `typed_id_must_match` (a link finished
    # by a password login after the choice page, where a shared computer could hand the
    # identity to the next person) also an ID number merely typed on the profile.
    if (
        identity.citizen_id
        and user.citizen_id
        and user.citizen_id != identity.citizen_id
        and (user.has_verified_identity or typed_id_must_match)
    ):
        raise LinkRefused(
            _(
                "Tài khoản này mang một số định danh cá nhân khác, nên không liên kết được với "
                "tài khoản VNeID này."
            ),
            "other_person",
        )
    taken = find_link(identity)
    if taken is not None and taken.user_id != user.pk:
        raise LinkRefused(
            _("Tài khoản VNeID này đã liên kết với một tài khoản MotCua khác."), "subject_taken"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            link, _created = ExternalIdentity.objects.update_or_create(
                provider=identity.provider,
                subject=identity.subject,
                defaults={"user": user, "assurance": identity.assurance, "last_sign_in_at": now},
            )
    except IntegrityError as exc:  # linked a moment ago, elsewhere
        raise LinkRefused(
            _("Tài khoản VNeID này đã liên kết với một tài khoản MotCua khác."), "subject_taken"
        ) from exc
    changed = _apply_verified(user, identity, now=now)
    user.save(update_fields=changed)
    record_audit(
        action="identity_linked",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        provider=identity.provider,
        assurance=identity.assurance,
        fields=[name for name in changed if not name.startswith("identity_")],
    )
    return link


@transaction.atomic
def create_account(*, identity: VerifiedIdentity, request: HttpRequest | None = None) -> User:
    """A new citizen account from the verified claims, tied to `identity`.

    The e-mail address and phone number are used when the provider gave them and no account
    has them (the page does not say which were taken). The account has no password: the person
    signs in with the provider, or sets one through "Quên mật khẩu" once it has an address.
    Raises LinkRefused when the subject was linked meanwhile."""
    if find_link(identity) is not None:
        raise LinkRefused(
            _("Tài khoản VNeID này đã liên kết với một tài khoản MotCua khác."), "subject_taken"
        )
    email = User.objects.normalize_email(identity.email.strip()) if identity.email else ""
    if email and User.objects.filter(email__iexact=email).exists():
        email = ""
    phone = normalise_phone(identity.phone) if identity.phone else ""
    if phone and User.objects.filter(phone=phone).exists():
        phone = ""
    user = User(
        kind=User.Kind.CITIZEN,
        email=email or None,
        phone=phone or None,
        full_name=identity.full_name or identity.citizen_id or identity.subject[:200],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            now = timezone.now()
            _apply_verified(user, identity, now=now)
            user.save()
            ExternalIdentity.objects.create(
                user=user,
                provider=identity.provider,
                subject=identity.subject,
                assurance=identity.assurance,
                linked_at=now,
                last_sign_in_at=now,
            )
    except IntegrityError as exc:
        raise LinkRefused(
            _("Tài khoản VNeID này đã liên kết với một tài khoản MotCua khác."), "subject_taken"
        ) from exc
    record_audit(
        action="identity_account_created",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        provider=identity.provider,
        assurance=identity.assurance,
    )
    return user
