"""The internal scoring page (Circular 01/2018 art.13–15): units and officers of the agencies
the reader manages, per quarter or year (decision 0061)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.reports import access, scoring
from motcua.reports import indicators as ind
from motcua.reports.filters import ScoringFilter
from motcua.reports.tabs import tabs
from motcua.reports.views_common import reader_required, refused
from motcua.workflow.views.common import workspace


@reader_required
def scoring_page(request):
    """Readers per reports.access: managers see their agencies (with sub-agencies), national
    readers every agency; anyone else 403."""
    form = _filter(request.user, request.GET)
    error_list = []
    if form.is_bound and (not form.is_valid() or form.period.kind not in ScoringFilter.kinds):
        # Bad values (or an agency the reader may not read): say so, show the defaults.
        error_list = form.error_links() or [("id_kind", str(_("Chọn quý hoặc năm.")))]
        form = _filter(request.user, None)
    period = form.period
    scope = ind.Scope(agency_id=form.scope.agency_id)
    if not access.can_read_agency(request.user, scope.agency_id):
        return refused(request)
    drill = reverse("reports:dossiers")  # ?figure=score_<unit|officer>_<id>&<the filter>
    units = scoring.unit_rows(period=period, scope=scope)
    officers = scoring.officer_rows(period=period, scope=scope)
    for rows, names in ((units, scoring.UNIT_INDICATORS), (officers, scoring.OFFICER_INDICATORS)):
        for row in rows:
            row.link = f"{drill}?{form.query(figure=row.figure)}"
            row.values = [
                (f"{n[1:]}. {scoring.INDICATOR_LABELS[n]}", v)
                for n, v in zip(names, row.cells(names), strict=True)
            ]
    return render(
        request,
        "reports/scoring.html",
        workspace(
            request,
            form=form,
            tabs=tabs(current="scoring", form=form),
            error_list=error_list,
            period=period,
            units=units,
            officers=officers,
            unit_columns=[(n, scoring.INDICATOR_LABELS[n]) for n in scoring.UNIT_INDICATORS],
            officer_columns=[(n, scoring.INDICATOR_LABELS[n]) for n in scoring.OFFICER_INDICATORS],
        ),
    )


def _filter(user, data) -> ScoringFilter:
    return ScoringFilter(data or None, user=user)
