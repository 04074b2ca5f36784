"""Retention (decision 0058): a rating keeps its scores (statistics) and loses its comment."""

from motcua.core.retention import purgers
from motcua.feedback.models import Rating


@purgers.register("feedback")
def purge_ratings(dossier_ids: list[int], files: list) -> dict[str, int]:
    count = Rating.objects.filter(dossier_id__in=dossier_ids).exclude(comment="").update(comment="")
    return {"feedback.comments": count}
