"""The public statistics page's figures (decision 0063): the headline of a scope, one row per
agency (the top-level ones, or the chosen agency's sub-agencies) and per procedure, and the
national status of online services.

The headline is `indicators.summary`. The tables are grouped: the aggregates' sums and
histograms per agency path or procedure code (`indicators.sums`, `indicators.histograms`),
a few queries whatever the number of rows, and each row's figures by
`indicators.figures_of`, the indicators' own formulas; `tests/test_public_page.py` checks
every row against the indicator functions on the row's scope.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from decimal import Decimal

from django.db.models import Count, Q

from motcua.catalogue.models import Agency, Procedure, Sector
from motcua.reports import indicators as ind
from motcua.reports import labels

# Rows of the procedure table: the procedures with the most dossiers (a sector or an agency
# narrows it).
PROCEDURE_ROWS = 50


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


def _row(key: str, label: str, values: dict, histogram: dict, *, own: bool = False):
    """A table row from a group's sums, by `indicators.figures_of` (the formulas, once);
    None when the group has nothing to show in the period."""
    f = ind.figures_of(values, histogram)
    t = f["totals"]
    if not (t["received"] or t["resolved"] or t["carried_over"]):
        return None
    return Row(
        key,
        label,
        received=t["received"],
        resolved=t["resolved"],
        online=f["online_dossiers"].rate,
        on_time=f["on_time"].rate,
        average_days=f["average_days"],
        within_days=f["within_days"],
        satisfaction=f["satisfaction"].rate,
        own=own,
    )


def _add(total: dict, counts: dict) -> None:
    for name, value in counts.items():
        total[name] = total.get(name, 0) + (value or 0)


def _sort(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.own, -r.received, -r.resolved, r.label))


def agency_rows(*, period: ind.Period, scope: ind.Scope) -> list[Row]:
    """One row per top-level agency (or per sub-agency of scope.agency_id, and one for the
    agency's own dossiers), with dossiers to show, busiest first: the sums per agency path,
    added up to the agency each path lies under."""
    scope = dc_replace(scope, channel="")
    by = ("agency_path",)
    counts = ind.sums(period=period, scope=scope, by=by)
    histograms = ind.histograms(period=period, scope=scope, by=by)
    parent = None if scope.agency_id is None else str(scope.agency_id)
    totals: dict[int, dict] = defaultdict(dict)
    days: dict[int, dict] = defaultdict(dict)
    for (path,) in set(counts) | set(histograms):
        chain = path.strip("/").split("/")
        if parent is None:
            child = chain[0]
        elif parent in chain:
            at = chain.index(parent)
            child = chain[at + 1] if at + 1 < len(chain) else parent
        else:  # pragma: no cover - the scope matched the path
            continue
        _add(totals[int(child)], counts.get((path,), {}))
        _add(days[int(child)], histograms.get((path,), {}))
    names = dict(Agency.objects.filter(pk__in=totals).values_list("pk", "name"))
    rows = (
        _row(str(pk), names.get(pk, str(pk)), total, days[pk], own=str(pk) == parent)
        for pk, total in totals.items()
    )
    return _sort([row for row in rows if row is not None])


def procedure_rows(*, period: ind.Period, scope: ind.Scope, limit: int = PROCEDURE_ROWS):
    """One row per procedure (every version of a code), busiest first; at most `limit`."""
    scope = dc_replace(scope, channel="")
    by = ("procedure_code",)
    counts = ind.sums(period=period, scope=scope, by=by)
    histograms = ind.histograms(period=period, scope=scope, by=by)
    names = labels.procedure_names([code for (code,) in counts])
    rows = (
        _row(code, names.get(code, code), values, histograms.get((code,), {}))
        for (code,), values in counts.items()
    )
    rows = _sort([row for row in rows if row is not None])
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
