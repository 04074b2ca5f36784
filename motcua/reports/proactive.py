"""The proactive services' figures for a period and a scope (issue 17, decision 0086).

Read from the dossiers themselves (Dossier.proactive_level, prepared_at, proactive), not from
the facts: a prepared draft has no fact until it is submitted, and "started proactively"
counts drafts too.

- started: dossiers with proactive_level ≥ 1 created in the period (a prepared draft the
  person discards or lets expire is deleted, so it counts only while it exists);
- submitted from a prepared draft: prepared_at set and submitted in the period;
- time saved: over those submitted, fields prefilled × PROACTIVE_SECONDS_PER_FIELD +
  components already held × PROACTIVE_SECONDS_PER_COMPONENT: an estimate, shown with its
  basis;
- the share of procedures in force offered at each level (proactive.levels), today's; for
  an agency, of the procedures it handles (as the online services indicator counts them),
  narrowed to the filter's sector or procedure (a period and a channel do not apply: the
  page says so).

Shares are reports.indicators.ratio (two decimals, as every other rate on the page).
Queries: one aggregate for the dossiers; for an agency, one per level of its tree
(catalogue.selectors.agency_and_below); for the levels, those of
proactive.levels.procedure_levels (two, more when a rule recommends).
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from motcua.catalogue.selectors import agency_and_below
from motcua.dossiers.models import Dossier
from motcua.proactive.levels import LEVELS, procedure_levels
from motcua.reports import indicators as ind


@dataclass(frozen=True)
class ProactiveFigures:
    started: int
    started_by_level: dict[int, int]  # {1: n, 2: n, 3: n}
    submitted_prepared: int
    fields_prefilled: int
    components_held: int
    seconds_per_field: int
    seconds_per_component: int
    levels: list[dict]  # level_shares

    @property
    def seconds_saved(self) -> int:
        return (
            self.fields_prefilled * self.seconds_per_field
            + self.components_held * self.seconds_per_component
        )

    @property
    def hours_saved(self) -> int:
        """The whole hours of the time saved, rounded to the nearest minute first."""
        return divmod(round(self.seconds_saved / 60), 60)[0]

    @property
    def minutes_saved(self) -> int:
        """The minutes beyond the whole hours, rounded to the nearest minute (never 60)."""
        return divmod(round(self.seconds_saved / 60), 60)[1]

    @property
    def submitted_share(self) -> Decimal | None:
        """Of the dossiers started proactively in the period, how many were submitted from a
        prepared draft in it (%, two decimals, at most 100): a rough take-up, not a cohort
        (a draft prepared in an earlier period may be submitted in this one)."""
        share = ind.ratio(self.submitted_prepared, self.started)
        return None if share is None else min(share, ind.HUNDRED)


def level_shares(scope: ind.Scope) -> list[dict]:
    """[{"level", "procedures", "share"}] for levels 0 to 3: how many procedures in force
    (proactive.levels.procedure_levels, under the scope's agency, sector and procedure) are
    offered at each level, and their share (%, two decimals; None when there are none)."""
    counts = Counter(
        procedure_levels(
            agency_id=scope.agency_id,
            sector_id=scope.sector_id,
            procedure_code=scope.procedure_code,
            procedure_id=scope.procedure_id,
        ).values()
    )
    total = counts.total()
    return [
        {"level": level, "procedures": counts[level], "share": ind.ratio(counts[level], total)}
        for level in LEVELS
    ]


def scope_q(scope: ind.Scope) -> Q:
    """The report Scope on Dossier rows (the agency is the receiving one, as in the facts)."""
    q = Q()
    if scope.agency_id is not None:
        q &= Q(receiving_agency_id__in=agency_and_below(scope.agency_id))
    if scope.sector_id is not None:
        q &= Q(procedure__sector_id=scope.sector_id)
    if scope.procedure_id is not None:
        q &= Q(procedure_id=scope.procedure_id)
    if scope.procedure_code:
        q &= Q(procedure__code=scope.procedure_code)
    if scope.channel:
        q &= Q(channel=scope.channel)
    return q


def _number(key: str):
    return Cast(KT(f"proactive__{key}"), IntegerField())


def figures(*, period: ind.Period, scope: ind.Scope) -> ProactiveFigures:
    created = Q(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
    submitted = Q(
        prepared_at__isnull=False,
        submitted_at__gte=period.starts_at,
        submitted_at__lt=period.ends_at,
    )
    started = Q(proactive_level__gte=1) & created
    row = (
        Dossier.objects.filter(scope_q(scope))
        .filter(Q(proactive_level__gte=1) & (created | submitted))
        .aggregate(
            started=Count("pk", filter=started),
            level1=Count("pk", filter=started & Q(proactive_level=1)),
            level2=Count("pk", filter=started & Q(proactive_level=2)),
            level3=Count("pk", filter=started & Q(proactive_level__gte=3)),
            submitted=Count("pk", filter=submitted),
            fields=Sum(_number("fields_prefilled"), filter=submitted),
            components=Sum(_number("components_held"), filter=submitted),
        )
    )
    return ProactiveFigures(
        started=row["started"],
        started_by_level={1: row["level1"], 2: row["level2"], 3: row["level3"]},
        submitted_prepared=row["submitted"],
        fields_prefilled=row["fields"] or 0,
        components_held=row["components"] or 0,
        seconds_per_field=settings.PROACTIVE_SECONDS_PER_FIELD,
        seconds_per_component=settings.PROACTIVE_SECONDS_PER_COMPONENT,
        levels=level_shares(scope),
    )
