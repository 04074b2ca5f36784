"""What every page of the officer workspace shares."""

from decimal import Decimal

from django.http import Http404

from motcua.accounts.models import Role, Unit
from motcua.workflow import access, selectors


def desk_units(user) -> list[Unit]:
    return [
        m.unit
        for m in access.memberships(user)
        if m.role == Role.DESK and m.unit.kind == Unit.Kind.DESK
    ]


def admin_agency_ids(user) -> set[int]:
    return {m.unit.agency_id for m in access.memberships(user) if m.role == Role.AGENCY_ADMIN}


def workspace(request, **context) -> dict:
    """What every workspace page shows in its own navigation."""
    user = request.user
    context["workspace"] = {
        "is_desk": bool(desk_units(user)),
        "is_admin": bool(admin_agency_ids(user)),
        "units": list(dict.fromkeys(m.unit.name for m in access.memberships(user))),
    }
    return context


def dossier_or_404(request, dossier_uuid):
    dossier = selectors.officer_dossier(request.user, dossier_uuid)
    if dossier is None:
        raise Http404
    return dossier


def days_text(value) -> str:
    """0.25 -> "0,25"; 2 -> "2"."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")
