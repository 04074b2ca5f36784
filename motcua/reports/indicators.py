"""The Decision 766 indicators and the period table (form II.06a), from the facts.

Keyword-only functions over a Period (a date range, local days, both ends included) and a
Scope (an agency with its sub-agencies, a sector, a procedure, a channel). Formulas as in
DOMAIN.md section 10, as implemented: decision 0057. They read the daily and monthly
aggregates of the facts (reports.aggregates, decision 0060), never the facts themselves.
"""

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue.models import Procedure
from motcua.reports.aggregates import COUNTS
from motcua.reports.facts import agency_path
from motcua.reports.models import (
    DailyAggregate,
    DailyHistogram,
    DossierFact,
    MonthlyAggregate,
    MonthlyHistogram,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    kind: str = field(default="range", compare=False)  # month, quarter, year, range

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def label(self) -> str:
        """ "10/2026", "Quý 4/2026", "2026", "01/10/2026 – 15/10/2026"."""
        if self.kind == "month":
            return f"{self.start:%m/%Y}"
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s") % {"q": (self.start.month + 2) // 3, "y": self.start.year}
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def key(self) -> str:
        """The period in a query string: 2026-10, 2026-Q4, 2026, 2026-10-01..2026-10-15."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def previous(self) -> "Period":
        """The period of the same kind just before (a range: as many days, just before)."""
        before = self.start - timedelta(days=1)
        if self.kind == "month":
            return month(year=before.year, month=before.month)
        if self.kind == "quarter":
            return quarter(year=before.year, quarter=(before.month + 2) // 3)
        if self.kind == "year":
            return year(year=before.year)
        return Period(before - (self.end - self.start), before)

    def trend(self, count: int) -> list["Period"]:
        """The last `count` periods of this kind, oldest first, ending with this one."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]


def month(*, year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), "month")


def quarter(*, year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    start, end = date(year, first, 1), month(year=year, month=first + 2).end
    return Period(start, end, "quarter")


def year(*, year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def parse_period(key: str) -> Period | None:
    """Period.key back to a Period; None for anything else (a bad query string)."""
    try:
        if ".." in key:
            a, b = key.split("..", 1)
            start, end = date.fromisoformat(a), date.fromisoformat(b)
            return Period(start, end) if start <= end and (end - start).days <= 3660 else None
        if "-Q" in key:
            y, q = key.split("-Q", 1)
            return quarter(year=int(y), quarter=int(q)) if 1 <= int(q) <= 4 else None
        if "-" in key:
            y, m = key.split("-", 1)
            return month(year=int(y), month=int(m)) if 1 <= int(m) <= 12 else None
        return year(year=int(key))
    except ValueError:
        return None


@dataclass(frozen=True)
class Scope:
    agency_id: int | None = None  # with its sub-agencies
    sector_id: int | None = None
    procedure_id: int | None = None  # one version of a procedure
    procedure_code: str = ""  # every version of a procedure
    channel: str = ""


def agency_filter(agency_id: int) -> Q:
    """An agency with its sub-agencies: the rows whose path starts with the agency's own
    path (an index range scan); an agency no longer in the catalogue by "/id/" anywhere."""
    path = agency_path(agency_id)
    if path == "/":
        return Q(agency_path__contains=f"/{agency_id}/")
    return Q(agency_path__startswith=path)


def scope_filter(scope: Scope) -> Q:
    """The scope as a filter on facts or aggregate rows (they share the group columns)."""
    q = Q()
    if scope.agency_id is not None:
        q &= agency_filter(scope.agency_id)
    if scope.sector_id is not None:
        q &= Q(sector_id=scope.sector_id)
    if scope.procedure_id is not None:
        q &= Q(procedure_id=scope.procedure_id)
    if scope.procedure_code:
        q &= Q(procedure_code=scope.procedure_code)
    if scope.channel:
        q &= Q(channel=scope.channel)
    return q


def facts(*, scope: Scope) -> QuerySet:
    """The facts of the scope (for lists and exports; the figures read the aggregates)."""
    return DossierFact.objects.filter(scope_filter(scope))


# ---------------------------------------------------------------------------------------
# Sums over the aggregates (decision 0060). A period's figures are sums of its whole months
# (MonthlyAggregate) and of the days of its partial months (DailyAggregate); "open at a
# moment" is the sum of (received − closed) over every day before it, "overdue at a moment"
# the sum of (became_overdue − overdue_closed).

STOCKS = ("received", "closed", "became_overdue", "overdue_closed")


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _segments(period: Period):
    """(monthly ranges, daily ranges) of the period, each [a, b); and the split of the time
    before it: months before the start's month, days of that month before the start."""
    s, e1 = period.start, period.end + timedelta(days=1)
    ms = s if s.day == 1 else _next_month(s)
    me = _first_of_month(e1)
    if ms < me:
        months, days = [(ms, me)], [(s, ms), (me, e1)]
    else:
        months, days = [], [(s, e1)]
    return months, [(a, b) for a, b in days if a < b], _first_of_month(s)


def _ranges(column: str, ranges) -> Q | None:
    q = None
    for a, b in ranges:
        one = Q(**{f"{column}__gte": a, f"{column}__lt": b})
        q = one if q is None else q | one
    return q


def _query(model, *, scope, by, period_q, before_q) -> list[dict]:
    """One query: the sums of the rows in the period (`period_q`, None when the period has
    no rows of this model) and before it (`before_q`)."""
    # Aliases apart from the columns' names: "f_" the period, "pre_" before it.
    sums = {f"pre_{name}": Sum(name, filter=before_q) for name in STOCKS}
    where = before_q
    if period_q is not None:
        sums |= {f"f_{name}": Sum(name, filter=period_q) for name in COUNTS}
        sums["f_received_online"] = Sum("received", filter=period_q & Q(channel="online"))
        where = period_q | before_q
    qs = model.objects.filter(scope_filter(scope)).filter(where)
    if not by:
        return [qs.aggregate(**sums)]
    return list(qs.values(*by).annotate(**sums).order_by())


def sums(*, period: Period, scope: Scope, by: tuple = ()) -> dict:
    """{group values: {count: sum over the period, "pre_<stock>": sum before it}} from the
    monthly rows of the period's whole months and the daily rows of the rest."""
    months, days, first = _segments(period)
    result: dict = {}
    for model, column, period_ranges, before in (
        (MonthlyAggregate, "month", months, Q(month__lt=first)),
        (DailyAggregate, "day", days, Q(day__gte=first, day__lt=period.start)),
    ):
        rows = _query(
            model,
            scope=scope,
            by=by,
            period_q=_ranges(column, period_ranges),
            before_q=before,
        )
        for row in rows:
            key = tuple(row.pop(name) for name in by)
            total = result.setdefault(key, {})
            for name, value in row.items():
                name = name.removeprefix("f_")
                total[name] = total.get(name, 0) + (value or 0)
    return result


def _flows(period: Period, scope: Scope) -> dict:
    """The period's sums for the whole scope (zeros when nothing)."""
    row = sums(period=period, scope=scope).get((), {})  # the table's own question
    return {name: row.get(name, 0) for name in (*COUNTS, "received_online")}


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole × 100 %, two decimals; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def points(rate: Decimal | None, *, maximum: Decimal, threshold: Decimal) -> Decimal | None:
    """Decision 766: full points at or above the threshold, below it rate × max / threshold."""
    if rate is None:
        return None
    if rate >= threshold:
        return maximum
    return (rate * maximum / threshold).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    rate: Decimal | None
    numerator: int
    denominator: int
    points: Decimal | None = None
    maximum: Decimal | None = None
    counts: dict = field(default_factory=dict)


RESOLVED = ("processed", "returned", "stopped")


# Each indicator's formula, once, on the sums of one group (`sums`), so that one scope's
# figures (the functions below) and a table of groups (`grouped`) are the same arithmetic.


def _on_time(t: dict) -> Indicator:
    counts = {
        "early": t["resolved_early"],
        "on_time": t["resolved_on_time"],
        "late": t["resolved_late"],
        "within": t["in_progress_within"],
        "overdue": t["in_progress_overdue"],
    }
    good = counts["early"] + counts["on_time"] + counts["within"]
    total = good + counts["late"] + counts["overdue"]
    rate = ratio(good, total)
    return Indicator(
        rate, good, total, points(rate, maximum=Decimal(20), threshold=HUNDRED), Decimal(20), counts
    )


def _average(f: dict) -> Decimal | None:
    if not f.get("days_count"):
        return None
    mean = Decimal(f["days_sum"]) / Decimal(f["days_count"])
    return mean.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _online(f: dict) -> Indicator:
    total, online = f.get("received", 0), f.get("received_online", 0)
    rate = ratio(online, total)
    return Indicator(
        rate, online, total, points(rate, maximum=Decimal(22), threshold=Decimal(50)), Decimal(22)
    )


def _payments(f: dict) -> Indicator:
    paid, charged = f.get("paid_online", 0), f.get("fee_charged", 0)
    return Indicator(ratio(paid, charged), paid, charged)


def _electronic(f: dict) -> Indicator:
    done, total = f.get("electronic_result", 0), f.get("resolved", 0)
    return Indicator(ratio(done, total), done, total)


def _reuse(f: dict) -> Indicator:
    return Indicator(
        ratio(f.get("reused", 0), f.get("received", 0)), f.get("reused", 0), f.get("received", 0)
    )


def _digitisation(f: dict) -> Indicator:
    done, total = f.get("digitised_electronic", 0), f.get("resolved", 0)
    rate = ratio(done, total)
    return Indicator(
        rate, done, total, points(rate, maximum=Decimal(22), threshold=Decimal(80)), Decimal(22)
    )


def _satisfaction(t: dict) -> Indicator:
    total, negative = t["to_handle"], t["negative"]
    if not total:
        return Indicator(None, 0, 0)
    rate = max(HUNDRED - (ratio(t["late"], total) + ratio(negative, total)), Decimal(0))
    return Indicator(
        rate,
        negative,
        total,
        points(rate, maximum=Decimal(18), threshold=Decimal(90)),
        Decimal(18),
        {"late": t["late"], "negative": negative},
    )


def percentile(histogram: dict[int, int], share: int = 90) -> int | None:
    """The fewest whole days within which `share` % of the histogram's dossiers fall."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(-(-total * share // 100), 1)  # ceil: the rank of the share-th percentile
    seen = 0
    for whole in sorted(histogram):
        seen += histogram[whole]
        if seen >= rank:
            return whole
    return None  # not reached: seen ends at total >= rank


def histograms(*, period: Period, scope: Scope, by: tuple = ()) -> dict:
    """{group values: {whole working days: dossiers resolved in the period}}."""
    months, days, _first = _segments(period)
    result: dict = {}
    for model, column, ranges in (
        (MonthlyHistogram, "month", months),
        (DailyHistogram, "day", days),
    ):
        if not ranges:
            continue
        rows = (
            model.objects.filter(scope_filter(scope), _ranges(column, ranges))
            .values(*by, "days")
            .annotate(n=Sum("count"))
            .order_by()
        )
        for row in rows:
            counts = result.setdefault(tuple(row[name] for name in by), {})
            counts[row["days"]] = counts.get(row["days"], 0) + row["n"]
    return result


def on_time(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period, or in progress at its end, within their due date /
    all of them. Maximum points: the progress group (20), full at 100 %."""
    return _on_time(period_totals(period=period, scope=scope))


def average_processing_days(*, period: Period, scope: Scope) -> Decimal | None:
    """Mean working days from reception to the end (supplement pauses excluded) of the
    dossiers resolved in the period."""
    return _average(_flows(period, scope))


def online_dossiers(*, period: Period, scope: Scope) -> Indicator:
    """Online dossiers / dossiers received in the period; full points (22) at 50 %."""
    return _online(_flows(period, replace(scope, channel="")))


def online_payments(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers paid online / dossiers received in the period that were charged a fee (zero-fee
    cases excluded)."""
    return _payments(_flows(period, scope))


def electronic_results(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period with an electronic result / dossiers resolved."""
    return _electronic(_flows(period, scope))


def reuse(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers received in the period that reused national data / dossiers received."""
    return _reuse(_flows(period, scope))


def digitisation(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period with their components digitised and an electronic
    result / dossiers resolved; full points at 80 % (decision 0059)."""
    return _digitisation(_flows(period, scope))


def within_days(*, period: Period, scope: Scope, share: int = 90) -> int | None:
    """The fewest whole working days N such that `share` % of the dossiers resolved in the
    period were processed within N working days ("90 % processed within N days")."""
    return percentile(histograms(period=period, scope=scope).get((), {}), share)


def online_services(*, on: date | None = None, agency_id: int | None = None) -> Indicator:
    """Procedures offered online (full or partial process) / procedures in force; full
    points (22) at 80 %. `counts` gives the full-process ones apart."""
    qs = Procedure.objects.in_force(on)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    total = qs.count()
    full = qs.filter(service_level=Procedure.ServiceLevel.FULL).count()
    offered = full + qs.filter(service_level=Procedure.ServiceLevel.PARTIAL).count()
    rate = ratio(offered, total)
    return Indicator(
        rate,
        offered,
        total,
        points(rate, maximum=Decimal(22), threshold=Decimal(80)),
        Decimal(22),
        {"full": full},
    )


def satisfaction(*, period: Period, scope: Scope) -> Indicator:
    """100 % − (late ratio + ratio of resolved dossiers rated negatively or complained
    about); full points (18) at 90 %."""
    return _satisfaction(period_totals(period=period, scope=scope))


# ---------------------------------------------------------------------------------------
# The period table (form II.06a)

COLUMNS = (
    "received_online",
    "received_counter",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within",
    "in_progress_overdue",
)


def _row(values: dict) -> dict:
    """The table's columns from the sums (see `sums`): open at the start = received − closed
    before it; open at the end = that + received − closed in the period; overdue alike."""
    v = {name: values.get(name, 0) for name in (*COUNTS, "received_online")}
    pre = {name: values.get(f"pre_{name}", 0) for name in STOCKS}
    carried = pre["received"] - pre["closed"]
    open_at_end = carried + v["received"] - v["closed"]
    overdue = pre["became_overdue"] - pre["overdue_closed"]
    overdue += v["became_overdue"] - v["overdue_closed"]
    return {
        "received_online": v["received_online"],
        "received_counter": v["received"] - v["received_online"],
        "carried_over": carried,
        "resolved_early": v["resolved_early"],
        "resolved_on_time": v["resolved_on_time"],
        "resolved_late": v["resolved_late"],
        "in_progress_within": open_at_end - overdue,
        "in_progress_overdue": overdue,
    }


def _finish(row: dict) -> dict:
    row = dict(row)
    row["received"] = row["received_online"] + row["received_counter"]
    row["to_handle"] = row["received"] + row["carried_over"]
    row["resolved"] = row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
    row["in_progress"] = row["in_progress_within"] + row["in_progress_overdue"]
    row["late"] = row["resolved_late"] + row["in_progress_overdue"]
    row["late_ratio"] = ratio(row["late"], row["to_handle"])
    return row


def period_totals(*, period: Period, scope: Scope) -> dict:
    """The table's figures for the whole scope (its last line), and `negative`: resolved
    dossiers rated negatively or complained about (for satisfaction)."""
    values = sums(period=period, scope=scope).get((), {})
    row = _finish(_row(values))
    row["negative"] = values.get("negative", 0)
    return row


def period_table(*, period: Period, scope: Scope) -> list[dict]:
    """One row per (sector, procedure) with received (online, counter and post, carried
    over), resolved (early, on time, late), in progress (within the deadline, overdue) and
    the late ratio = (late resolved + overdue in progress) / dossiers to handle. Rows with
    nothing to handle are left out; withdrawn dossiers leave the table when withdrawn."""
    groups = sums(period=period, scope=scope, by=("sector_id", "procedure_code"))
    table = [
        _finish({"sector_id": sector_id, "procedure_code": code, **_row(values)})
        for (sector_id, code), values in sorted(groups.items())
    ]
    return [row for row in table if row["to_handle"] or row["resolved"] or row["in_progress"]]


def summary(*, period: Period, scope: Scope) -> dict:
    """Every dossier indicator of the period for the scope, by name (what the dashboard, the
    public page and the exports show): `figures_of` the scope's sums, three or four queries.
    The online-service ratio depends on the catalogue, not the period: `online_services`."""
    return grouped(period=period, scope=scope, by=())[()]


def figures_of(values: dict, histogram: dict[int, int], every_channel: dict | None = None):
    """Every dossier indicator from one group's sums (`sums`) and its histogram of working
    days (`histograms`), with the formulas above; `every_channel`: the group's sums without
    the scope's channel, for the online ratio (default: `values`)."""
    totals = _finish(_row(values))
    totals["negative"] = values.get("negative", 0)
    f = {name: values.get(name, 0) for name in (*COUNTS, "received_online")}
    return {
        "totals": totals,
        "on_time": _on_time(totals),
        "average_days": _average(f),
        "within_days": percentile(histogram),
        "online_dossiers": _online(values if every_channel is None else every_channel),
        "online_payments": _payments(f),
        "electronic_results": _electronic(f),
        "digitisation": _digitisation(f),
        "reuse": _reuse(f),
        "satisfaction": _satisfaction(totals),
    }


def grouped(*, period: Period, scope: Scope, by: tuple) -> dict:
    """`figures_of` for each group of the scope (e.g. by=("procedure_code",)): {group values:
    figures}. Three or four queries whatever the number of groups."""
    values = sums(period=period, scope=scope, by=by)
    every_channel = None
    if scope.channel:
        every_channel = sums(period=period, scope=replace(scope, channel=""), by=by)
    days = histograms(period=period, scope=scope, by=by)
    return {
        key: figures_of(
            v, days.get(key, {}), None if every_channel is None else every_channel.get(key, {})
        )
        for key, v in values.items()
    }
