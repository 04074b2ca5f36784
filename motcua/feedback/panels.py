"""What feedback shows on the pages of the apps below it (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.dossiers import acting
from motcua.feedback import questions, ratings
from motcua.feedback.forms_ratings import RatingForm


@panels.register("applicant_dossier", order=30)
def rating_panel(request, dossier) -> str:
    """The rating form of an ended dossier, for its applicant only (section #rating); after
    rating, the thanks and until when it may be changed."""
    user = request.user
    if dossier.is_draft or acting.applicant_may(user, dossier, act=True) is None:
        return ""
    if not ratings.can_rate(dossier):
        # The receipt slip invites the applicant to rate here: say when they can.
        return render_to_string("feedback/ratings/not_yet.html", request=request)
    rating = ratings.rating_of(dossier)
    form = getattr(request, "rating_form", None)
    editing = form is not None or request.GET.get("rating") == "change"
    changeable = rating is None or ratings.is_changeable(rating)
    if form is None and (rating is None or (editing and changeable)):
        form = RatingForm(rating=rating)
    return render_to_string(
        "feedback/ratings/panel.html",
        {
            "dossier": dossier,
            "rating": rating,
            "form": form if changeable and (rating is None or editing) else None,
            "changeable": changeable,
            "until": ratings.changeable_until(rating) if rating else None,
        },
        request=request,
    )


@panels.register("procedure", order=30)
def questions_panel(request, procedure) -> str:
    """The latest published questions and answers of the procedure, and a link to ask."""
    return render_to_string(
        "feedback/questions/panel.html",
        {"procedure": procedure, "latest": questions.published(procedure.code)[:3]},
        request=request,
    )


@panels.register("officer_nav", order=30)
def officer_links(request, workspace) -> str:
    """Links to the questions to answer, the petitions and the ratings' aggregates, in the workspace's menu
    (no query: the menu is on every officer page, the inbox among them)."""
    if not workspace:
        return ""
    current = getattr(request.resolver_match, "url_name", "")
    return render_to_string(
        "feedback/officer_nav.html",
        {"current": current},
        request=request,
    )
