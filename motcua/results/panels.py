"""What results shows on the pages of the apps below it (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.dossiers import acting
from motcua.dossiers.models import Status
from motcua.results.reuse import reusable_results, valid_until


def _may_act(user, dossier) -> bool:
    """The page read the person's standing on the dossier already (selectors.dossier_of)."""
    standing = getattr(dossier, "standing", None)
    if standing is None:
        standing = acting.applicant_may(user, dossier, act=True)
    return standing is not None and standing.may_act


@panels.register("applicant_component", order=20)
def reuse_panel(request, row) -> str:
    """On a draft's attachments page, for a component an earlier result may stand for: the
    valid results of the applicant of record (the person, or the organisation a member acts
    for), to give one instead of uploading (decision 0083)."""
    dossier, component = row.dossier, row.component
    user = request.user
    if (
        not component.reusable_results
        or not user.is_authenticated
        or dossier.status not in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)
        or not _may_act(user, dossier)
    ):
        return ""
    given = {f.reused_result_id for f in row.files if f.reused_result_id}
    results = [
        {"result": r, "valid_until": valid_until(r)}
        for r in reusable_results(applicant=dossier.applicant, component=component, seen_by=user)
        if r.pk not in given
    ]
    return render_to_string(
        "results/_reuse_panel.html",
        {"dossier": dossier, "component": component, "results": results},
        request=request,
    )
