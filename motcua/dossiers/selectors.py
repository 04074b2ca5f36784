"""Reads of dossiers, always scoped to the person asking."""

from django.db.models import Count
from django.shortcuts import get_object_or_404

from motcua.dossiers.models import Dossier, DossierEvent


def dossiers_of(applicant):
    """ "My dossiers": the applicant's own, newest first, with what the list shows in one query."""
    return (
        Dossier.objects.filter(applicant=applicant)
        .select_related("procedure")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-updated_at", "-id")
    )


def dossier_of(applicant, dossier_uuid) -> Dossier:
    """The applicant's dossier or 404: another person's dossier is indistinguishable from none."""
    return get_object_or_404(
        Dossier.objects.select_related("procedure", "procedure__sector", "receiving_agency"),
        uuid=dossier_uuid,
        applicant=applicant,
    )


def public_timeline(dossier):
    return (
        DossierEvent.objects.filter(dossier=dossier, is_public=True)
        .only("at", "to_status", "note", "unit_name")
        .order_by("at", "id")
    )
