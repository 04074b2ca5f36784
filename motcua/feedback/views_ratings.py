"""The applicant rates their ended dossier (the form is a panel of the dossier's page), and
officers read the aggregates of their units' ratings."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.dossiers import selectors
from motcua.dossiers.views import applicant_required, submitted_page
from motcua.feedback import ratings
from motcua.feedback.forms_ratings import RatingForm
from motcua.workflow.views.common import workspace


def _rating_url(dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.uuid]) + "#rating"


@applicant_required
@require_POST
def rate(request, dossier_uuid):
    """Give or change the rating of one's own ended dossier (another's is a 404)."""
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if not ratings.can_rate(dossier):
        raise Http404
    rating = ratings.rating_of(dossier)
    form = RatingForm(request.POST, rating=rating)
    if form.is_valid():
        try:
            ratings.rate_dossier(
                dossier=dossier,
                applicant=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ratings.RatingRefused as exc:
            messages.error(request, exc.message)
            return redirect(_rating_url(dossier))
        messages.success(request, _("Cảm ơn quý vị đã đánh giá."))
        return redirect(_rating_url(dossier))
    request.rating_form = form
    return submitted_page(request, dossier, status=400, error_list=form.error_links())


BY = {
    "unit": gettext_lazy("Theo đơn vị"),
    "procedure": gettext_lazy("Theo thủ tục"),
    "agency": gettext_lazy("Theo cơ quan"),
}


@officer_required
def officer_ratings(request):
    """Aggregates only: count and mean per criterion of groups of RATING_MIN_GROUP or more."""
    period = ratings.period_of(request.GET.get("period", ""))
    by = request.GET.get("by", "unit")
    if by not in BY:
        by = "unit"
    _units, agencies = ratings.officer_scope(request.user)
    choices = {k: v for k, v in BY.items() if k != "agency" or agencies}
    if by not in choices:
        by = "unit"
    return render(
        request,
        "feedback/ratings/officer.html",
        workspace(
            request,
            period=period,
            periods=ratings.recent_periods(),
            by=by,
            by_choices=choices,
            groups=ratings.aggregates(request.user, period=period, by=by),
            criteria=ratings.CRITERIA,
            min_group=settings.RATING_MIN_GROUP,
        ),
    )
