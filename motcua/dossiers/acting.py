"""Who among the applicants may see and do what on a dossier (decision 0076): its applicant
of record, and the people who may act for or follow that applicant today
(accounts.representation). Every applicant page, service and download asks here; officers'
access is motcua.dossiers.access.

A follower reads a submitted dossier and its documents; only someone who may act edits,
submits, pays, writes, withdraws or rates. Drafts are seen only by those who may act.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.accounts import representation
from motcua.accounts.representation import Standing
from motcua.dossiers.models import Dossier, Status


def applicant_may(user, dossier: Dossier, *, act: bool = False) -> Standing | None:
    """The standing under which `user` may see (or, with `act`, act on) the dossier, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if dossier.applicant_id == user.pk:  # also an officer registered as the applicant
        return Standing(principal_id=user.pk, via=representation.SELF, may_act=True)
    if not user.is_applicant:
        return None
    found = representation.standing(
        user, dossier.applicant_id, procedure_code=dossier.procedure.code, act=act
    )
    if found is None or (dossier.status == Status.DRAFT and not found.may_act):
        return None
    return found


def where_for(user, *, act: bool = False, principal_id: int | None = None) -> Q:
    """The dossiers `user` may see (act on), as a filter: theirs, and their principals'
    (within an authorisation's procedures; drafts only where they may act)."""
    if not getattr(user, "is_authenticated", False) or not user.is_applicant:
        return Q(pk__in=[])
    parts = Q(applicant_id=user.pk)
    for found in representation.standings(user):
        if act and not found.may_act:
            continue
        part = Q(applicant_id=found.principal_id)
        if found.authorisation is not None and not found.authorisation.all_procedures:
            part &= Q(procedure__code__in=found.authorisation.procedure_codes)
        if not found.may_act:
            part &= ~Q(status=Status.DRAFT)
        parts |= part
    if principal_id is not None:
        parts &= Q(applicant_id=principal_id)
    return parts


def dossiers_for(user, *, act: bool = False, principal_id: int | None = None) -> QuerySet[Dossier]:
    return Dossier.objects.filter(where_for(user, act=act, principal_id=principal_id))


def check(user, dossier: Dossier, *, act: bool = False) -> Standing:
    """applicant_may or an exception: 404 for a dossier the person may not see (a stranger's
    is indistinguishable from none), 403 for one they follow but may not act on."""
    found = applicant_may(user, dossier)
    if found is None:
        raise Http404
    # `applicant_may` prefers a grant that may act: one that may not means none does.
    if act and not found.may_act:
        raise PermissionDenied
    return found


def acted_for(dossier: Dossier) -> str:
    """Who acted for the applicant of record, as the officer's page and the receipt slip say
    it (decision 0077): "Nguyễn Minh Khoa (thành viên)", "Hoàng Văn Dũng (theo giấy ủy quyền
    số UQ-000003, đến 31/12/2026)"; "" when the applicant acted themselves. No query for a
    dossier its applicant submitted alone."""
    if dossier.acted_via not in (representation.MEMBER, representation.AUTHORISATION):
        return ""
    person = dossier.submitted_by or dossier.started_by
    if dossier.acted_via == representation.MEMBER:
        grant = dossier.acting_member
        how = _("thành viên")
    else:
        grant = dossier.acting_authorisation
        how = (
            _("theo giấy ủy quyền số %(number)s, đến %(until)s")
            % {"number": grant.display_number, "until": grant.valid_until.strftime("%d/%m/%Y")}
            if grant is not None
            else _("theo giấy ủy quyền")
        )
    name = person.full_name if person is not None else (grant.full_name if grant else "")
    return f"{name} ({how})"
