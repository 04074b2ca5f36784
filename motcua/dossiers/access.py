"""Who among the officers may see and do what: every officer role check goes through here.

An officer sees a dossier only when one of their units has it: for good once it passed
through the unit (a step of its workflow, the desk that received it), and only while a task
(consultation, joint handling) sent to the unit is open, when that is all the unit did; an
agency administrator sees all of their agency's. The lead unit keeps the task's answer.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from motcua.accounts.models import Membership, Role, Unit, User
from motcua.accounts.two_factor import is_officer
from motcua.core.db import column, table
from motcua.dossiers.models import Dossier, DossierAccess

# A day: the receivers drop an entry as soon as it changes; this bounds a change made
# without the models' signals (a queryset update(), SQL).
MEMBERSHIPS_SECONDS = 24 * 3600


def officer_units(user) -> QuerySet[Unit]:
    """The active units the officer belongs to."""
    if not is_officer(user):
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, is_active=True).distinct()


_MEMBERSHIPS = "access:memberships:{}"
_UNIT_FIELDS = ("id", "agency_id", "code", "name", "kind")


def memberships(user) -> list[Membership]:
    """The officer's (unit, role) pairs with their active units: read once per request, and
    kept in the cache per user until a membership or unit changes (forget_memberships)."""
    found = getattr(user, "_motcua_memberships", None)
    if found is not None:
        return found
    key = _MEMBERSHIPS.format(user.pk)
    rows = cache.get(key)
    if rows is None:
        rows = list(
            Membership.objects.filter(user_id=user.pk, unit__is_active=True)
            .order_by("id")
            .values_list("id", "role", *(f"unit__{f}" for f in _UNIT_FIELDS))
        )
        cache.set(key, rows, timeout=MEMBERSHIPS_SECONDS)
    alias, found = connection.alias, []
    for pk, role, *unit_values in rows:
        # As the ORM would have read them (other fields load if ever asked for).
        unit = Unit.from_db(alias, [*_UNIT_FIELDS, "is_active"], [*unit_values, True])
        membership = Membership.from_db(
            alias, ["id", "user_id", "unit_id", "role"], [pk, user.pk, unit.pk, role]
        )
        membership.unit = unit
        found.append(membership)
    user._motcua_memberships = found
    return found


def forget_memberships(user_ids) -> None:
    """These users' memberships changed: drop the cached ones now and after COMMIT (a page
    read in between may have cached the old ones)."""
    keys = [_MEMBERSHIPS.format(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def membership_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Membership."""
    forget_memberships([instance.user_id])


def unit_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Unit: its name, kind or activity is cached with
    its members' memberships."""
    forget_memberships(
        Membership.objects.filter(unit_id=instance.pk).values_list("user_id", flat=True)
    )


def role_pairs(user, *, desk_only: bool = False) -> set[tuple[int, str]]:
    """The officer's (unit id, role) pairs; with `desk_only`, those of the desk role."""
    return {(m.unit_id, m.role) for m in memberships(user) if not desk_only or m.role == Role.DESK}


def unit_ids(user) -> list[int]:
    """The ids of the officer's active units, sorted."""
    return sorted({m.unit_id for m in memberships(user)})


def has_role(user, unit_id, role) -> bool:
    return any(m.unit_id == unit_id and m.role == role for m in memberships(user))


def has_desk_role(user) -> bool:
    """The officer works as a desk officer (tiếp nhận) somewhere: the inbox opens on "new"."""
    return any(m.role == Role.DESK for m in memberships(user))


def desk_units(user) -> list[Unit]:
    """The desks (Bộ phận Một cửa) where the officer works as a desk officer."""
    return [
        m.unit for m in memberships(user) if m.role == Role.DESK and m.unit.kind == Unit.Kind.DESK
    ]


def is_desk_officer(user, agency_id) -> bool:
    """A desk officer of the agency's desk."""
    return any(unit.agency_id == agency_id for unit in desk_units(user))


def member_desk_units(user) -> QuerySet[Unit]:
    """The desks the officer belongs to in any role, with their agency, by id."""
    return officer_units(user).filter(kind=Unit.Kind.DESK).select_related("agency").order_by("id")


def administered_agency_ids(user) -> set[int]:
    """The agencies the officer administers (quản trị cơ quan)."""
    return {m.unit.agency_id for m in memberships(user) if m.role == Role.AGENCY_ADMIN}


def is_agency_admin(user, agency_id) -> bool:
    return agency_id in administered_agency_ids(user)


def is_agency_leader(user, agency_id) -> bool:
    """A leader (người ký) of one of the agency's units."""
    return any(m.role == Role.LEADER and m.unit.agency_id == agency_id for m in memberships(user))


def desk_heads(agency_id) -> list[User]:
    """The active heads of the agency's desk: they hear of late joint-handling tasks."""
    return list(
        User.objects.filter(
            memberships__unit__agency_id=agency_id,
            memberships__unit__kind=Unit.Kind.DESK,
            memberships__role=Role.UNIT_HEAD,
            is_active=True,
        ).distinct()
    )


def visible_where(user) -> tuple[str, list]:
    """The dossiers the officer may see, as SQL on the dossier table with its parameters:
    the one statement of the rule, for querysets (visible_dossiers) and for the pages' own
    SQL reads alike."""
    if not is_officer(user):
        return "1 = 0", []
    mine = memberships(user)
    units = sorted({m.unit_id for m in mine})
    admin_agencies = sorted(administered_agency_ids(user))
    parts, params = [], []
    if units:
        marks = ", ".join(["%s"] * len(units))
        parts.append(
            f"EXISTS (SELECT 1 FROM {table(DossierAccess)} a WHERE "  # noqa: S608 - names from the models, placeholders
            f"{column(DossierAccess, 'dossier', 'a')} = {column(Dossier, 'id')} "
            f"AND {column(DossierAccess, 'unit', 'a')} IN ({marks}))"
        )
        params += units
    if admin_agencies:
        marks = ", ".join(["%s"] * len(admin_agencies))
        parts.append(f"{column(Dossier, 'receiving_agency')} IN ({marks})")
        params += admin_agencies
    return (f"({' OR '.join(parts)})" if parts else "1 = 0"), params


def visible_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers the officer may see, as a QuerySet."""
    where, params = visible_where(user)
    return Dossier.objects.filter(RawSQL(where, params, output_field=BooleanField()))  # noqa: S611 - our text


def can_view_dossier(user, dossier) -> bool:
    """visible_where for one dossier: one query (none for someone who is not an officer)."""
    where, params = visible_where(user)
    if not params:
        return False
    condition = RawSQL(where, params, output_field=BooleanField())  # noqa: S611 - our text
    return Dossier.objects.filter(condition, pk=dossier.pk).exists()


def grant(dossier, unit) -> None:
    """Let a unit see a dossier from now on, for good: it has passed through the unit
    (idempotent: one INSERT, which makes access through a task permanent if there was one)."""
    DossierAccess.objects.bulk_create(
        [DossierAccess(dossier=dossier, unit=unit, through_task=False)],
        update_conflicts=True,
        unique_fields=["unit", "dossier"],
        update_fields=["through_task"],
    )


def grant_for_task(dossier, unit) -> None:
    """Let a unit see a dossier while a task sent to it is open (one INSERT; a unit that
    already sees it for good keeps that)."""
    DossierAccess.objects.bulk_create(
        [DossierAccess(dossier=dossier, unit=unit, through_task=True)], ignore_conflicts=True
    )


def end_task_access(dossier, unit_id) -> None:
    """The unit's last open task on the dossier was answered or closed: it no longer sees
    the dossier, its personal data or its files, unless it had it for good."""
    DossierAccess.objects.filter(dossier=dossier, unit_id=unit_id, through_task=True).delete()


def answering_officers(dossier) -> list[User]:
    """Who hears of the applicant's message: the officers answering_unit lets answer, seen
    from the dossier (the unit holding it, else the receiving agency's desk; never an agency
    administrator as such)."""
    if dossier.current_unit_id is not None:
        where = {"memberships__unit_id": dossier.current_unit_id}
    else:
        where = {
            "memberships__unit__agency_id": dossier.receiving_agency_id,
            "memberships__unit__kind": Unit.Kind.DESK,
        }
    answering = [r for r in Role if r != Role.AGENCY_ADMIN]
    return list(
        User.objects.filter(**where, memberships__role__in=answering, is_active=True).distinct()
    )


def answering_unit(user, dossier) -> Unit | None:
    """The unit for which the officer may write to the applicant in the dossier's
    conversation (decision 0044), or None: the unit holding the dossier now, else the desk of
    the agency that received it (the one-stop shop answers once the dossier has moved on or
    ended). An agency administrator as such, a consulted unit, another unit: None."""
    if not is_officer(user):
        return None
    fallback = None
    for m in memberships(user):
        if m.role == Role.AGENCY_ADMIN:
            continue
        if dossier.current_unit_id is not None and m.unit_id == dossier.current_unit_id:
            return m.unit
        if (
            fallback is None
            and m.unit.kind == Unit.Kind.DESK
            and m.unit.agency_id == dossier.receiving_agency_id
        ):
            fallback = m.unit
    return fallback
