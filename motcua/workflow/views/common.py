"""What every page of the officer workspace shares."""

from decimal import Decimal

from django.http import Http404

from motcua.dossiers import access
from motcua.workflow.dossier_page import officer_dossier


def workspace(request, **context) -> dict:
    """What every workspace page shows in its own navigation."""
    user = request.user
    context["workspace"] = {
        "is_desk": bool(access.desk_units(user)),
        "is_admin": bool(access.administered_agency_ids(user)),
        "units": list(dict.fromkeys(m.unit.name for m in access.memberships(user))),
    }
    return context


def dossier_or_404(request, dossier_uuid):
    dossier = officer_dossier(request.user, dossier_uuid)
    if dossier is None:
        raise Http404
    return dossier


def days_text(value) -> str:
    """0.25 -> "0,25"; 2 -> "2"."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")
