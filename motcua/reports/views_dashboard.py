"""The manager dashboard and the dossiers behind its figures (decision 0062)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.core.boundary import refusal
from motcua.dossiers.models import Dossier
from motcua.reports import access, dashboard, drilldown, labels, proactive
from motcua.reports.filters import ReportFilter
from motcua.reports.models import DossierFact
from motcua.reports.tabs import tabs
from motcua.reports.views_common import reader_required, refused
from motcua.workflow.views.common import workspace

PAGE_SIZE = 50


def _filter(request):
    """The page's filter, or None when the reader may not read its scope (a form with
    errors falls back to the reader's own scope: filters.ReportFilter)."""
    form = ReportFilter(request.GET, user=request.user)
    form.is_valid()
    if not access.can_read_agency(request.user, form.scope.agency_id):
        return None
    return form


@reader_required
def dashboard_page(request):
    form = _filter(request)
    if form is None:
        return refused(request)
    period, scope = form.period, form.scope
    return render(
        request,
        "reports/dashboard.html",
        workspace(
            request,
            filter=form,
            period=period,
            scope_agency=form.scope_agency,
            figures=dashboard.indicators(period=period, scope=scope),
            charts=dashboard.trend(period=period, scope=scope),
            table=dashboard.period_table(period=period, scope=scope),
            proactive=proactive.figures(period=period, scope=scope),
            labels=labels.LABELS,
            tabs=tabs(current="dashboard", form=form),
        ),
    )


@reader_required
def dossiers_page(request):
    back = reverse("reports:dashboard")
    figure = request.GET.get("figure", "")
    if drilldown.figure_of(figure) is None:
        return refusal(
            request,
            status=400,
            title=_("Không có số liệu này"),
            message=_(
                "Đường dẫn không chỉ rõ số liệu nào của báo cáo. Hãy chọn lại từ bảng số liệu."
            ),
            back_url=back,
        )
    form = _filter(request)
    if form is None:
        return refused(request)
    if not form.is_valid():
        return refusal(
            request,
            status=400,
            title=_("Bộ lọc không hợp lệ"),
            message=_("Kỳ báo cáo hoặc phạm vi trong đường dẫn không hợp lệ. Hãy chọn lại bộ lọc."),
            back_url=f"{back}?{request.GET.urlencode()}",
        )
    period, scope = form.period, form.scope
    found = drilldown.listing(user=request.user, figure=figure, period=period, scope=scope)
    paginator = Paginator(found.facts, PAGE_SIZE)
    paginator.count = found.shown  # counted once already
    page = paginator.get_page(request.GET.get("page"))
    facts = list(page.object_list)
    dossiers = Dossier.objects.select_related("procedure").in_bulk([f.dossier_id for f in facts])
    rows = [(fact, dossiers.get(fact.dossier_id)) for fact in facts]
    return render(
        request,
        "reports/dossiers.html",
        workspace(
            request,
            filter=form,
            figure=drilldown.figure_of(figure),
            figure_name=figure,
            period=period,
            scope_agency=form.scope_agency,
            found=found,
            page=page,
            rows=rows,
            endings=dict(DossierFact.Ending.choices),
            classes=dict(DossierFact.Timeliness.choices),
            channels=dict(Dossier.Channel.choices),
            back_url=f"{back}?{form.query()}",
            page_query=form.query(figure=figure),
        ),
    )
