"""Links to file feedback from a procedure's page and the applicant's dossier page
(motcua.core.panels); no queries."""

from django.template.loader import render_to_string

from motcua.core.panels import panels


@panels.register("procedure", order=80)
def petition_link_on_procedure(request, procedure) -> str:
    return render_to_string(
        "feedback/petitions/_panel_link.html", {"procedure": procedure}, request=request
    )


@panels.register("applicant_dossier", order=80)
def petition_link_on_dossier(request, dossier) -> str:
    if not dossier.code:
        return ""
    return render_to_string(
        "feedback/petitions/_panel_link.html", {"dossier": dossier}, request=request
    )
