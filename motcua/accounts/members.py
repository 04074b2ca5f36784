"""Writes of organisation memberships and letters of authorisation (decision 0076): each one
checks who may make it, and records itself in the audit trail in the same transaction."""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Authorisation, OrganisationMember, User
from motcua.accounts.representation import may_manage_members, today
from motcua.accounts.validators import validate_citizen_id
from motcua.core.audit import record_audit
from motcua.core.uploads import check_and_scan

DOCUMENT_KINDS = ["pdf", "jpeg", "png"]
# The longest an authorisation may run: five years, as a letter of authorisation would.
LONGEST_DAYS = 5 * 366


def _check_person(citizen_id: str, full_name: str) -> tuple[str, str]:
    citizen_id, full_name = citizen_id.strip(), " ".join(full_name.split())
    try:
        validate_citizen_id(citizen_id)
    except ValidationError as exc:
        raise ValidationError({"citizen_id": exc.messages}) from None
    if not full_name:
        raise ValidationError({"full_name": _("Nhập họ và tên người được thêm.")})
    return citizen_id, full_name


def _check_until(valid_until: date | None, *, required: bool) -> None:
    if valid_until is None:
        if required:
            raise ValidationError({"valid_until": _("Nhập ngày hết hiệu lực (dd/mm/yyyy).")})
        return
    if valid_until < today():
        raise ValidationError({"valid_until": _("Ngày hết hiệu lực không được ở quá khứ.")})
    if (valid_until - today()).days > LONGEST_DAYS:
        raise ValidationError({"valid_until": _("Thời hạn tối đa là 5 năm.")})


def _verified_account(citizen_id: str) -> User | None:
    """The one citizen account whose ID number an identity provider vouched for."""
    found = list(
        User.objects.filter(
            citizen_id=citizen_id, identity_verified_at__isnull=False, kind=User.Kind.CITIZEN
        )[:2]
    )
    return found[0] if len(found) == 1 else None


def _target(grant) -> str:
    return f"{'member' if isinstance(grant, OrganisationMember) else 'authorisation'}:{grant.pk}"


def _lock_organisation(organisation: User) -> None:
    User.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()


@transaction.atomic
def member_add(
    *,
    organisation: User,
    citizen_id: str,
    full_name: str,
    role: str,
    valid_until: date | None = None,
    invited_email: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> OrganisationMember:
    """Add a person to an organisation's staff (thêm thành viên). They are bound to their
    account at once if its identity was vouched for with this ID number, else when they sign
    in with VNeID or accept the invitation sent to `invited_email`."""
    if not may_manage_members(actor, organisation):
        raise PermissionDenied
    citizen_id, full_name = _check_person(citizen_id, full_name)
    if role not in OrganisationMember.Role.values:
        raise ValidationError({"role": _("Chọn một vai trò.")})
    _check_until(valid_until, required=False)
    _lock_organisation(organisation)
    if OrganisationMember.objects.filter(
        organisation=organisation, citizen_id=citizen_id, ended_at__isnull=True
    ).exists():
        raise ValidationError({"citizen_id": _("Người này đã là thành viên của tổ chức.")})
    member = OrganisationMember(
        organisation=organisation,
        citizen_id=citizen_id,
        full_name=full_name,
        role=role,
        valid_from=today(),
        valid_until=valid_until,
        invited_email=invited_email.strip().lower(),
        user=_verified_account(citizen_id),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            {"citizen_id": _("Người này đã là thành viên của tổ chức.")}
        ) from None
    record_audit(
        action="member_added",
        actor=actor,
        target=_target(member),
        request=request,
        organisation=organisation.pk,
        role=role,
        valid_until=valid_until.isoformat() if valid_until else None,
    )
    return member


@transaction.atomic
def member_change(
    *,
    member: OrganisationMember,
    role: str,
    valid_until: date | None,
    actor: User,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change a member's role or end date; returns the names of the fields changed."""
    if not may_manage_members(actor, member.organisation) or member.is_ended:
        raise PermissionDenied
    if role not in OrganisationMember.Role.values:
        raise ValidationError({"role": _("Chọn một vai trò.")})
    if valid_until != member.valid_until:
        _check_until(valid_until, required=False)
    _refuse_last_administrator(member, actor, keeps_role=role)
    changed = [
        name
        for name, value in (("role", role), ("valid_until", valid_until))
        if getattr(member, name) != value
    ]
    if changed:
        member.role, member.valid_until = role, valid_until
        member.save(update_fields=changed)
        record_audit(
            action="member_changed",
            actor=actor,
            target=_target(member),
            request=request,
            organisation=member.organisation_id,
            fields=changed,
            role=role,
        )
    return changed


def _refuse_last_administrator(member, actor, *, keeps_role: str | None) -> None:
    # An administrator may not take away their own administration: the organisation's account
    # or another administrator does that, so nobody locks themselves out by a slip.
    if (
        member.role == OrganisationMember.Role.ADMINISTRATOR
        and keeps_role != OrganisationMember.Role.ADMINISTRATOR
        and actor.pk != member.organisation_id
        and member.user_id == actor.pk
    ):
        raise ValidationError(
            _("Quý vị không thể tự bỏ quyền quản trị của mình; hãy nhờ quản trị khác.")
        )


@transaction.atomic
def member_end(*, member: OrganisationMember, actor: User, request: HttpRequest | None = None):
    """End a membership now (chấm dứt): from this moment it gives no access."""
    if not may_manage_members(actor, member.organisation):
        raise PermissionDenied
    if member.is_ended:
        return
    _refuse_last_administrator(member, actor, keeps_role=None)
    member.ended_at, member.ended_by = timezone.now(), actor
    member.save(update_fields=["ended_at", "ended_by"])
    record_audit(
        action="member_ended",
        actor=actor,
        target=_target(member),
        request=request,
        organisation=member.organisation_id,
    )


@transaction.atomic
def authorisation_create(
    *,
    principal: User,
    citizen_id: str,
    full_name: str,
    valid_until: date | None,
    all_procedures: bool = True,
    procedure_codes: list[str] | None = None,
    number: str = "",
    document=None,
    invited_email: str = "",
    request: HttpRequest | None = None,
) -> Authorisation:
    """The principal authorises a person (lập giấy ủy quyền) until `valid_until` (required),
    for all their procedures or the ones listed; the scanned letter, if any, is checked and
    scanned like every upload."""
    if not principal.is_applicant:
        raise PermissionDenied
    citizen_id, full_name = _check_person(citizen_id, full_name)
    if citizen_id == principal.citizen_id and principal.kind == User.Kind.CITIZEN:
        raise ValidationError({"citizen_id": _("Không thể tự ủy quyền cho chính mình.")})
    _check_until(valid_until, required=True)
    codes = sorted({c.strip() for c in procedure_codes or [] if c.strip()})
    if not all_procedures and not codes:
        raise ValidationError({"procedure_codes": _("Nhập ít nhất một mã thủ tục được ủy quyền.")})
    authorisation = Authorisation(
        principal=principal,
        citizen_id=citizen_id,
        full_name=full_name,
        number=number.strip()[:40],
        valid_from=today(),
        valid_until=valid_until,
        all_procedures=all_procedures,
        procedure_codes=[] if all_procedures else codes,
        invited_email=invited_email.strip().lower(),
        user=_verified_account(citizen_id),
        created_by=principal,
    )
    stored = ""
    if document is not None:
        checked = check_and_scan(document, DOCUMENT_KINDS)
        document.seek(0)
        authorisation.document.save(
            f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(document.read()), save=False
        )
        stored = authorisation.document.name
        authorisation.document_name = checked.display_name
        authorisation.document_type = checked.content_type
        authorisation.document_sha256 = checked.sha256
    authorisation.save()
    record_audit(
        action="authorisation_created",
        actor=principal,
        target=_target(authorisation),
        request=request,
        valid_until=valid_until.isoformat(),
        all_procedures=all_procedures,
        procedure_codes=authorisation.procedure_codes,
        document=bool(stored),
    )
    return authorisation


@transaction.atomic
def authorisation_revoke(
    *, authorisation: Authorisation, actor: User, request: HttpRequest | None = None
) -> None:
    """The principal revokes the authorisation (thu hồi) now."""
    if actor.pk != authorisation.principal_id:
        raise PermissionDenied
    if authorisation.is_ended:
        return
    authorisation.ended_at, authorisation.ended_by = timezone.now(), actor
    authorisation.save(update_fields=["ended_at", "ended_by"])
    record_audit(
        action="authorisation_revoked", actor=actor, target=_target(authorisation), request=request
    )


def invitations_for(user: User) -> list:
    """Memberships and authorisations offered by e-mail to this account's confirmed address
    and not yet bound to anyone."""
    if not user.email or user.email_verified_at is None or user.kind != User.Kind.CITIZEN:
        return []
    email = user.email.lower()
    pending = {"user__isnull": True, "ended_at__isnull": True, "invited_email": email}
    return list(OrganisationMember.objects.filter(**pending).select_related("organisation")) + list(
        Authorisation.objects.filter(**pending).select_related("principal")
    )


@transaction.atomic
def invitation_accept(*, grant, user: User, request: HttpRequest | None = None) -> None:
    """The invited person accepts (nhận lời): the grant is bound to their account. Only the
    account whose confirmed address the invitation was sent to may, and only when the ID
    number on it, if any, is the one invited."""
    if (
        grant.user_id is not None
        or grant.ended_at is not None
        or user.email_verified_at is None
        or user.kind != User.Kind.CITIZEN
        or (user.email or "").lower() != grant.invited_email
    ):
        raise PermissionDenied
    if user.citizen_id and user.citizen_id != grant.citizen_id:
        raise ValidationError(
            _("Số định danh trong lời mời không khớp với số định danh của tài khoản.")
        )
    grant.user, grant.accepted_at = user, timezone.now()
    grant.save(update_fields=["user", "accepted_at"])
    record_audit(action="invitation_accepted", actor=user, target=_target(grant), request=request)


@transaction.atomic
def bind_verified_identity(*, user: User) -> int:
    """Bind to this account the grants still waiting for its ID number, now that an identity
    provider vouched for it (called at sign-in); returns how many were bound."""
    if not user.has_verified_identity or not user.citizen_id or user.kind != User.Kind.CITIZEN:
        return 0
    bound = 0
    for model in (OrganisationMember, Authorisation):
        rows = list(
            model.objects.select_for_update().filter(
                user__isnull=True, citizen_id=user.citizen_id, ended_at__isnull=True
            )
        )
        for grant in rows:
            grant.user = user
            grant.save(update_fields=["user"])
            record_audit(action="grant_bound", actor=user, target=_target(grant), via="identity")
        bound += len(rows)
    return bound


def bind_on_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: bind_verified_identity for whoever signs in."""
    if getattr(user, "kind", None) == User.Kind.CITIZEN and user.has_verified_identity:
        bind_verified_identity(user=user)
