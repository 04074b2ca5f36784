"""Who may read which statistics: the one access module of reports (decision 0059).

- **National** (`user.is_superuser`, or the permission `reports.view_national`): every agency.
- **An agency's managers**: a leader (người ký), a unit head (lãnh đạo phòng) or an agency
  administrator of any unit of an agency reads the figures of that agency with its
  sub-agencies.
- Nobody else (desk officers and specialists read their own inbox, not the agency's
  figures). The dossiers behind a figure are listed only as far as
  `dossiers.access.visible_dossiers` lets the reader see them.
"""

from django.db.models import QuerySet

from motcua.accounts.models import Role
from motcua.accounts.two_factor import is_officer
from motcua.catalogue.models import Agency
from motcua.catalogue.selectors import agency_and_below
from motcua.dossiers import access as dossier_access

MANAGER_ROLES = frozenset({Role.LEADER, Role.UNIT_HEAD, Role.AGENCY_ADMIN})


def is_national(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_perm("reports.view_national"))
    )


def managed_agency_ids(user) -> set[int]:
    """The agencies whose figures the user reads (each with its sub-agencies)."""
    if not is_officer(user):
        return set()
    return {m.unit.agency_id for m in dossier_access.memberships(user) if m.role in MANAGER_ROLES}


def can_read_reports(user) -> bool:
    return is_national(user) or bool(managed_agency_ids(user))


def readable_agencies(user) -> QuerySet[Agency]:
    """The agencies the user may pick in a filter: all for national readers, else the
    managed agencies and every agency below them."""
    if is_national(user):
        return Agency.objects.order_by("name")
    roots = managed_agency_ids(user)
    if not roots:
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=agency_and_below(*roots)).order_by("name")


def can_read_agency(user, agency_id: int | None) -> bool:
    """None is the national scope."""
    if agency_id is None:
        return is_national(user)
    return is_national(user) or readable_agencies(user).filter(pk=agency_id).exists()


def default_agency_id(user) -> int | None:
    """The scope a reader lands on: national, else their (first) managed agency."""
    if is_national(user):
        return None
    roots = sorted(managed_agency_ids(user))
    return roots[0] if roots else None
