"""Acting for someone else (decision 0076): an organisation's members (thành viên) and letters
of authorisation (giấy ủy quyền) between people.

`standing(user, principal_id)` is the one answer to "may this person act for, or follow,
that principal today, and under what": every page, service and recipient list asks it, and
nothing else compares accounts. Past a grant's end date, or once it is ended, it simply
answers no.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Authorisation, OrganisationMember, User

SELF, MEMBER, AUTHORISATION = "self", "member", "authorisation"


@dataclass(frozen=True)
class Standing:
    """Why a person may see a principal's dossiers, and whether they may act on them."""

    principal_id: int
    via: str  # SELF, MEMBER or AUTHORISATION
    may_act: bool
    member: OrganisationMember | None = None
    authorisation: Authorisation | None = None

    @property
    def grant(self):
        return self.member or self.authorisation

    @property
    def principal(self) -> User | None:
        grant = self.grant
        if grant is None:
            return None
        return grant.organisation if self.member is not None else grant.principal

    @property
    def until(self) -> date | None:
        grant = self.grant
        return grant.valid_until if grant is not None else None

    def covers(self, procedure_code: str | None) -> bool:
        return self.authorisation is None or self.authorisation.covers(procedure_code)

    def describe(self) -> str:
        """ "thành viên, nộp hồ sơ" / "theo giấy ủy quyền số UQ-000012, đến 31/12/2026"."""
        if self.member is not None:
            return _("thành viên, %(role)s") % {"role": self.member.get_role_display().lower()}
        if self.authorisation is not None:
            return _("theo giấy ủy quyền số %(number)s, đến %(until)s") % {
                "number": self.authorisation.display_number,
                "until": self.authorisation.valid_until.strftime("%d/%m/%Y"),
            }
        return _("chính mình")


def today() -> date:
    return timezone.localdate()


def bound_to(user) -> Q:
    """The grants given to this person's account: bound to it, or still unbound and naming
    the ID number an identity provider vouched for on it (VNeID)."""
    if not getattr(user, "is_authenticated", False) or not user.pk:
        return Q(pk__in=[])
    q = Q(user_id=user.pk)
    if user.has_verified_identity and user.citizen_id:
        q |= Q(user__isnull=True, citizen_id=user.citizen_id)
    return q


def in_force(day: date | None = None) -> Q:
    day = day or today()
    return Q(ended_at__isnull=True, valid_from__lte=day) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def standings(user, *, day: date | None = None) -> list[Standing]:
    """Every principal other than themselves the person may act for or follow on `day`
    (today): two queries. A person who is not a citizen (an officer, an organisation's own
    account) represents no one."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.CITIZEN:
        return []
    where = bound_to(user) & in_force(day)
    found = [
        Standing(
            principal_id=m.organisation_id,
            via=MEMBER,
            may_act=m.role != OrganisationMember.Role.FOLLOWER,
            member=m,
        )
        for m in OrganisationMember.objects.filter(where, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__organisation_name", "id")
    ]
    found += [
        Standing(principal_id=a.principal_id, via=AUTHORISATION, may_act=True, authorisation=a)
        for a in Authorisation.objects.filter(where, principal__is_active=True)
        .exclude(principal_id=user.pk)
        .select_related("principal")
        .order_by("valid_until", "id")
    ]
    return found


def standing(
    user,
    principal_id: int,
    *,
    procedure_code: str | None = None,
    act: bool = False,
    day: date | None = None,
) -> Standing | None:
    """May `user` follow (or, with `act`, act for) the principal today, for this procedure
    (None: for any), and under what: their own account, a membership, an authorisation;
    None when not. A grant that lets them act is preferred to one that only lets them follow."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.pk == principal_id:
        return Standing(principal_id=principal_id, via=SELF, may_act=True)
    best = None
    for found in standings(user, day=day):
        if found.principal_id != principal_id or not found.covers(procedure_code):
            continue
        if found.may_act:
            return found
        best = best or found
    return None if act else best


def may_manage_members(user, organisation) -> bool:
    """The organisation's own account, or one of its administrators in force today."""
    if not getattr(user, "is_authenticated", False) or organisation.kind != User.Kind.ORGANISATION:
        return False
    if user.pk == organisation.pk:
        return True
    found = standing(user, organisation.pk)
    return (
        found is not None
        and found.member is not None
        and found.member.role == OrganisationMember.Role.ADMINISTRATOR
    )


def managed_organisations(user) -> list[User]:
    """The organisations whose members the person may manage."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.kind == User.Kind.ORGANISATION:
        return [user]
    return [
        s.member.organisation
        for s in standings(user)
        if s.member is not None and s.member.role == OrganisationMember.Role.ADMINISTRATOR
    ]


def followers(principal_id: int, *, procedure_code: str | None = None) -> list[User]:
    """The accounts, other than the principal's own, that follow the principal's dossiers
    today (members of any role, agents whose scope covers the procedure), each once."""
    day = today()
    seen: dict[int, User] = {}
    members = OrganisationMember.objects.filter(in_force(day), organisation_id=principal_id)
    agents = Authorisation.objects.filter(in_force(day), principal_id=principal_id)
    grants = list(members.select_related("user")) + [
        a for a in agents.select_related("user") if a.covers(procedure_code)
    ]
    unbound = {g.citizen_id for g in grants if g.user_id is None}
    for grant in grants:
        if grant.user is not None and grant.user.is_active:
            seen.setdefault(grant.user.pk, grant.user)
    if unbound:
        for person in User.objects.filter(
            citizen_id__in=unbound,
            identity_verified_at__isnull=False,
            kind=User.Kind.CITIZEN,
            is_active=True,
        ):
            seen.setdefault(person.pk, person)
    seen.pop(principal_id, None)
    return list(seen.values())
