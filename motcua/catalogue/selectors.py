"""Reads of the catalogue for the public pages."""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from motcua.catalogue.models import Agency, Procedure, ProcedureUsage, Sector
from motcua.core.text import search_terms


def procedures_in_force():
    return Procedure.objects.in_force().select_related("sector", "agency")


def procedure_in_force(code: str) -> Procedure | None:
    """The version of `code` in force today (the latest one, if versions overlap)."""
    return (
        procedures_in_force()
        .select_related("receiving_agency")
        .filter(code=code)
        .order_by("-effective_from")
        .first()
    )


def search_procedures(*, q="", sector="", agency="", level="", applicant=""):
    queryset = procedures_in_force()
    terms = search_terms(q)
    if terms:
        queryset = queryset.search(terms)
    if sector:
        queryset = queryset.filter(sector__code=sector)
    if agency:
        queryset = queryset.filter(
            Q(agency__identifier=agency) | Q(agency__parent__identifier=agency)
        )
    if level == "unpublished":
        queryset = queryset.filter(service_level="")
    elif level:
        queryset = queryset.filter(service_level=level)
    if applicant:
        queryset = queryset.filter(applicant_type__in=[applicant, Procedure.ApplicantType.BOTH])
    return queryset.order_by("sector__order", "code")


def sectors_with_counts():
    today = timezone.localdate()
    in_force = Q(procedure__is_published=True, procedure__effective_from__lte=today) & (
        Q(procedure__effective_to__isnull=True) | Q(procedure__effective_to__gt=today)
    )
    return Sector.objects.annotate(procedure_count=Count("procedure", filter=in_force)).order_by(
        "order", "name"
    )


def agencies_with_procedures():
    return (
        Agency.objects.filter(procedures__isnull=False, is_active=True).distinct().order_by("name")
    )


def most_used_procedures(limit: int = 6) -> list[Procedure]:
    """Procedures with the most dossiers submitted in the last 90 days (cached for 10 minutes);
    online-ready procedures fill the list when there are few dossiers yet."""
    key = f"catalogue:most_used:{limit}"
    ids = cache.get(key)
    if ids is None:
        since = timezone.localdate() - timedelta(days=90)
        counted = (
            ProcedureUsage.objects.filter(day__gt=since)
            .values("procedure__code")
            .annotate(n=Sum("submissions"))
            .order_by("-n", "procedure__code")[:limit]
        )
        codes = [row["procedure__code"] for row in counted]
        if len(codes) < limit:
            extra = (
                procedures_in_force()
                .exclude(form_schema={})
                .exclude(code__in=codes)
                .values_list("code", flat=True)
                .order_by("code")[: limit - len(codes)]
            )
            codes.extend(extra)
        ids = codes
        cache.set(key, ids, 600)
    by_code = {p.code: p for p in procedures_in_force().filter(code__in=ids)}
    return [by_code[c] for c in ids if c in by_code]
