"""Reads of the catalogue for the public pages."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from motcua.catalogue.models import Agency, Procedure, ProcedureUsage, Sector
from motcua.core.text import fold, search_terms


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


def agency_and_below(*agency_ids: int) -> list[int]:
    """The agencies and every agency below them, level by level (one query a level; agencies
    are a shallow tree: ministry > department > ...)."""
    ids = list(dict.fromkeys(agency_ids))
    level = list(ids)
    while level:
        level = list(
            Agency.objects.filter(parent_id__in=level)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(level)
    return ids


def search_procedures(*, q="", sector="", agency="", level="", applicant=""):
    """Procedures in force matching the filters: by sector then code, or ranked by relevance
    to the words of `q` (a `RankedProcedures`, decision 0051)."""
    queryset = procedures_in_force()
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
    queryset = queryset.order_by("sector__order", "code")
    terms = search_terms(q)
    return RankedProcedures(queryset, terms) if terms else queryset


# The words are matched in Python: folding on the database runs once per condition and row
# (a Python function on SQLite), ten times slower for a six-word query than one narrow read
# and the names folded here, each once per process.
_folded = lru_cache(maxsize=8192)(fold)


def search_rank(terms: list[str], *, code: str, name: str, sector: str, agency: str) -> int | None:
    """0 the words as a phrase in the name, 1 every word in the name or the code, 2 the phrase
    in the sector's or the agency's name, 3 every word somewhere, 4 some words; None: none."""
    name = _folded(name)
    everything = f"{name} {_folded(sector)} {_folded(agency)}"
    code = code.lower()
    phrase = " ".join(terms)
    found = [t in everything or t in code for t in terms]
    if not any(found):
        return None
    if phrase in name:
        return 0
    if all(t in name or t in code for t in terms):
        return 1
    if phrase in everything:
        return 2
    return 3 if all(found) else 4


@dataclass(frozen=True)
class _Hit:
    pk: int
    rank: int
    hits: int


class RankedProcedures(Sequence):
    """Search results, best first, for a Paginator: one narrow read ranks every candidate,
    then each page reads only its own procedures (with `search_rank` set on each)."""

    def __init__(self, queryset, terms: list[str]):
        self._queryset = queryset
        hits = []
        rows = queryset.values_list("pk", "code", "name", "sector__name", "agency__name")
        for position, (pk, code, name, sector, agency) in enumerate(rows):
            rank = search_rank(terms, code=code, name=name, sector=sector, agency=agency)
            if rank is not None:
                words = f"{_folded(name)} {_folded(sector)} {_folded(agency)} {code.lower()}"
                hits.append((rank, -sum(t in words for t in terms), position, pk))
        self._hits = [_Hit(pk, rank, -minus) for rank, minus, _pos, pk in sorted(hits)]

    def __len__(self) -> int:
        return len(self._hits)

    def count(self) -> int:
        return len(self._hits)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self._hits[index])
        return self._read([self._hits[index]])[0]

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self._read(self._hits))

    def _read(self, hits: list[_Hit]) -> list[Procedure]:
        by_pk = self._queryset.in_bulk([h.pk for h in hits])
        procedures = []
        for hit in hits:
            procedure = by_pk[hit.pk]
            procedure.search_rank, procedure.search_hits = hit.rank, hit.hits
            procedures.append(procedure)
        return procedures


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
