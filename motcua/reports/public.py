"""The public statistics page's figures (decision 0063): the headline of a scope, one row per
agency (the top-level ones, or the chosen agency's sub-agencies) and per procedure, and the
national status of online services.

The headline is `indicators.summary`. The tables are grouped: one aggregate query per table
(the period table's own counts, `indicators._row_counts`) and one histogram of working days,
instead of the indicator functions once per row (a thousand procedures would be tens of
thousands of queries). Each rate is worked out from those counts exactly as the indicator
functions do; `tests/test_public_page.py` checks every row against them.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Ceil

from motcua.catalogue.models import Agency, Procedure, Sector
from motcua.reports import indicators as ind
from motcua.reports import labels

# Rows of the procedure table: the procedures with the most dossiers (a sector or an agency
# narrows it).
PROCEDURE_ROWS = 50

COUNTED = ("received_online", "received_counter", "carried_over") + ind.COLUMNS[3:]


@dataclass(frozen=True)
class Row:
    key: str  # an agency id or a procedure code: what the row's link narrows the filter to
    label: str
    received: int
    resolved: int
    online: Decimal | None  # online dossiers / dossiers received, %
    on_time: Decimal | None  # %
    average_days: Decimal | None  # working days
    within_days: int | None  # 90 % processed within this many working days
    satisfaction: Decimal | None  # %
    own: bool = False  # the chosen agency's own dossiers, apart from its sub-agencies'


def _percentile(histogram: dict[int, int], share: int = 90) -> int | None:
    """`indicators.within_days` on a histogram of whole days (the ceiling of the rank-th
    smallest value is the rank-th smallest ceiling)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(-(-total * share // 100), 1)
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return int(days)
    return None  # pragma: no cover - the loop reaches the rank


def _rates(counts: dict, histogram: dict[int, int]) -> dict:
    row = ind._finish({k: counts.get(k, 0) for k in COUNTED})
    good = row["resolved_early"] + row["resolved_on_time"] + row["in_progress_within"]
    judged = good + row["resolved_late"] + row["in_progress_overdue"]
    satisfaction = None
    if row["to_handle"]:
        satisfaction = max(
            ind.HUNDRED
            - (
                ind.ratio(row["late"], row["to_handle"])
                + ind.ratio(counts.get("negative", 0), row["to_handle"])
            ),
            Decimal(0),
        )
    average = None
    if counts.get("days_n"):
        average = (Decimal(counts["days_sum"]) / counts["days_n"]).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    return {
        "received": row["received"],
        "resolved": row["resolved"],
        "online": ind.ratio(row["received_online"], row["received"]),
        "on_time": ind.ratio(good, judged),
        "average_days": average,
        "within_days": _percentile(histogram),
        "satisfaction": satisfaction,
    }


def _grouped(*, period: ind.Period, scope: ind.Scope, field: str):
    """{group: counts} and {group: {days: dossiers}} over `field` of the facts."""
    start, end = period.starts_at, period.ends_at
    resolved = Q(ending__in=ind.RESOLVED, ended_at__gte=start, ended_at__lt=end)
    qs = ind.facts(scope=scope).filter(received_at__lt=end)
    counts = {
        row.pop(field): row
        for row in qs.values(field)
        .annotate(
            **ind._row_counts(qs, period),
            negative=Count("pk", filter=resolved & (Q(rated_negative=True) | Q(complained=True))),
            days_sum=Sum("processing_days", filter=resolved),
            days_n=Count("processing_days", filter=resolved),
        )
        .order_by()
    }
    histograms: dict = defaultdict(dict)
    for key, days, n in (
        qs.filter(resolved)
        .exclude(processing_days=None)
        .annotate(days=Ceil("processing_days"))
        .values_list(field, "days")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        histograms[key][int(days)] = histograms[key].get(int(days), 0) + n
    return counts, histograms


def _add(total: dict, counts: dict) -> None:
    for name, value in counts.items():
        total[name] = total.get(name, 0) + (value or 0)


def _sort(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.own, -r.received, -r.resolved, r.label))


def agency_rows(*, period: ind.Period, scope: ind.Scope) -> list[Row]:
    """One row per top-level agency (or per sub-agency of scope.agency_id, and one for the
    agency's own dossiers), with dossiers to show, busiest first."""
    scope = dc_replace(scope, channel="")
    counts, histograms = _grouped(period=period, scope=scope, field="agency_path")
    parent = None if scope.agency_id is None else str(scope.agency_id)
    totals: dict[int, dict] = defaultdict(dict)
    days: dict[int, dict] = defaultdict(dict)
    for path in set(counts) | set(histograms):
        chain = path.strip("/").split("/")
        if parent is None:
            child = chain[0]
        elif parent in chain:
            at = chain.index(parent)
            child = chain[at + 1] if at + 1 < len(chain) else parent
        else:  # pragma: no cover - the scope matched the path
            continue
        _add(totals[int(child)], counts.get(path, {}))
        _add(days[int(child)], histograms.get(path, {}))
    names = dict(Agency.objects.filter(pk__in=totals).values_list("pk", "name"))
    rows = []
    for pk, total in totals.items():
        rates = _rates(total, days[pk])
        if rates["received"] or rates["resolved"] or total.get("carried_over"):
            rows.append(
                Row(str(pk), names.get(pk, str(pk)), own=str(pk) == parent, **rates),
            )
    return _sort(rows)


def procedure_rows(*, period: ind.Period, scope: ind.Scope, limit: int = PROCEDURE_ROWS):
    """One row per procedure (every version of a code), busiest first; at most `limit`."""
    scope = dc_replace(scope, channel="")
    counts, histograms = _grouped(period=period, scope=scope, field="procedure_code")
    names = labels.procedure_names(counts)
    rows = []
    for code, total in counts.items():
        rates = _rates(total, histograms.get(code, {}))
        if rates["received"] or rates["resolved"] or total.get("carried_over"):
            rows.append(Row(code, names.get(code, code), **rates))
    rows = _sort(rows)
    return rows[:limit], len(rows)


@dataclass(frozen=True)
class ServiceLevels:
    label: str
    total: int
    full: int  # toàn trình (level 4)
    partial: int  # một phần (level 3)

    @property
    def information(self) -> int:
        return self.total - self.full - self.partial

    @property
    def full_share(self) -> Decimal | None:
        return ind.ratio(self.full, self.total)

    @property
    def partial_share(self) -> Decimal | None:
        return ind.ratio(self.partial, self.total)

    @property
    def online_share(self) -> Decimal | None:
        return ind.ratio(self.full + self.partial, self.total)


def online_services_by_sector() -> list[ServiceLevels]:
    """Procedures in force per sector by service level, as `indicators.online_services`
    counts them nationally, sectors with the most full-process procedures first."""
    level = Procedure.ServiceLevel
    rows = (
        Procedure.objects.in_force()
        .values("sector_id")
        .annotate(
            total=Count("pk"),
            full=Count("pk", filter=Q(service_level=level.FULL)),
            partial=Count("pk", filter=Q(service_level=level.PARTIAL)),
        )
        .order_by()
    )
    names = dict(Sector.objects.values_list("pk", "name"))
    sectors = [
        ServiceLevels(names.get(r["sector_id"], ""), r["total"], r["full"], r["partial"])
        for r in rows
    ]
    return sorted(sectors, key=lambda s: (-s.full, -s.partial, s.label))
