"""Where a dossier's answers came from (decision 0078) and the components obtained from a
register (decision 0079), on the applicant's page of a submitted dossier and on the officer's
dossier page (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.dossiers import once_only


def _render(request, dossier, *, officer: bool) -> str:
    sourced = once_only.sourced_answers(dossier)
    obtained_rows = once_only.obtained_rows(dossier)
    if not sourced and not obtained_rows:
        return ""
    return render_to_string(
        "dossiers/_register_sources.html",
        {"sourced": sourced, "obtained_rows": obtained_rows, "officer": officer},
        request=request,
    )


@panels.register("officer_dossier", order=10)
def register_sources_for_officer(request, dossier) -> str:
    return _render(request, dossier, officer=True)


@panels.register("applicant_dossier", order=10)
def register_sources_for_applicant(request, dossier) -> str:
    if dossier.is_draft:
        return ""
    return _render(request, dossier, officer=False)
