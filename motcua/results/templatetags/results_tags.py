"""Panels the dossier pages include: the signed results of a dossier."""

from django import template
from django.template.loader import render_to_string

from motcua.dossiers.models import Status
from motcua.results import services
from motcua.results.models import ResultDocument

register = template.Library()


def _results(dossier):
    # Results are issued on approval (status 9) and stay with the returned dossier (10).
    if dossier.status not in (Status.PROCESSED, Status.RETURNED):
        return []
    if not getattr(dossier, "has_results", True):  # the officer page's read says so
        return []
    return list(
        ResultDocument.objects.filter(dossier=dossier)
        .select_related("verifiable__revocation", "issued_by")
        .order_by("issued_at", "id")
    )


def _rows(results):
    rows = []
    for result in results:
        verifiable = getattr(result, "verifiable", None)
        rows.append(
            {
                "result": result,
                "verify_url": services.verify_url(verifiable.token) if verifiable else "",
                "revocation": verifiable.revocation_or_none if verifiable else None,
            }
        )
    return rows


@register.simple_tag(takes_context=True)
def applicant_result_panel(context, dossier):
    results = _results(dossier)
    if not results:
        return ""
    return render_to_string(
        "results/_applicant_panel.html",
        {"dossier": dossier, "rows": _rows(results)},
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def officer_result_panel(context, dossier):
    results = _results(dossier)
    if not results:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    return render_to_string(
        "results/_officer_panel.html",
        {
            "dossier": dossier,
            "rows": _rows(results),
            "can_revoke": user is not None and services.can_revoke(user, dossier),
        },
        request=request,
    )
