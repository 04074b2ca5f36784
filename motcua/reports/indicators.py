"""The Decision 766 indicators and the period table (form II.06a), from the facts.

Keyword-only functions over a Period (a date range, local days, both ends included) and a
Scope (an agency with its sub-agencies, a sector, a procedure, a channel). Formulas as in
DOMAIN.md section 10, as implemented: decision 0057. They read reports.DossierFact through
its indexes; the scale plan (daily aggregates) is in decision 0056.
"""

import calendar
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue.models import Procedure
from motcua.reports.models import DossierFact

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


def facts(*, scope: Scope) -> QuerySet:
    qs = DossierFact.objects.all()
    if scope.agency_id is not None:
        qs = qs.filter(agency_path__contains=f"/{scope.agency_id}/")
    if scope.sector_id is not None:
        qs = qs.filter(sector_id=scope.sector_id)
    if scope.procedure_id is not None:
        qs = qs.filter(procedure_id=scope.procedure_id)
    if scope.procedure_code:
        qs = qs.filter(procedure_code=scope.procedure_code)
    if scope.channel:
        qs = qs.filter(channel=scope.channel)
    return qs


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


def _received(qs, period):
    return qs.filter(received_at__gte=period.starts_at, received_at__lt=period.ends_at)


def _resolved(qs, period):
    return qs.filter(
        ending__in=RESOLVED, ended_at__gte=period.starts_at, ended_at__lt=period.ends_at
    )


def on_time(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period, or in progress at its end, within their due date /
    all of them. Maximum points: the progress group (20), full at 100 %."""
    t = period_totals(period=period, scope=scope)  # the period table's own counts
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
        rate,
        good,
        total,
        points(rate, maximum=Decimal(20), threshold=HUNDRED),
        Decimal(20),
        counts,
    )


def average_processing_days(*, period: Period, scope: Scope) -> Decimal | None:
    """Mean working days from reception to the end (supplement pauses excluded) of the
    dossiers resolved in the period."""
    value = _resolved(facts(scope=scope), period).aggregate(v=Avg("processing_days"))["v"]
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def online_dossiers(*, period: Period, scope: Scope) -> Indicator:
    """Online dossiers / dossiers received in the period; full points (22) at 50 %."""
    qs = _received(facts(scope=replace(scope, channel="")), period)
    total = qs.count()
    online = qs.filter(channel="online").count()
    rate = ratio(online, total)
    return Indicator(
        rate, online, total, points(rate, maximum=Decimal(22), threshold=Decimal(50)), Decimal(22)
    )


def online_payments(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers paid online / dossiers received in the period that were charged a fee (zero-fee
    cases excluded)."""
    qs = _received(facts(scope=scope), period).filter(fee_charged=True)
    total = qs.count()
    paid = qs.filter(paid_online=True).count()
    return Indicator(ratio(paid, total), paid, total)


def electronic_results(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period with an electronic result / dossiers resolved."""
    qs = _resolved(facts(scope=scope), period)
    total = qs.count()
    done = qs.filter(electronic_result=True).count()
    return Indicator(ratio(done, total), done, total)


def reuse(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers received in the period that reused national data / dossiers received."""
    qs = _received(facts(scope=scope), period)
    total = qs.count()
    reused = qs.filter(reused_data=True).count()
    return Indicator(ratio(reused, total), reused, total)


def digitisation(*, period: Period, scope: Scope) -> Indicator:
    """Dossiers resolved in the period with their components digitised and an electronic
    result / dossiers resolved; full points at 80 % (decision 0059)."""
    qs = _resolved(facts(scope=scope), period)
    total = qs.count()
    done = qs.filter(digitised=True, electronic_result=True).count()
    rate = ratio(done, total)
    return Indicator(
        rate, done, total, points(rate, maximum=Decimal(22), threshold=Decimal(80)), Decimal(22)
    )


def within_days(*, period: Period, scope: Scope, share: int = 90) -> int | None:
    """The fewest whole working days N such that `share` % of the dossiers resolved in the
    period were processed within N working days ("90 % processed within N days")."""
    days = sorted(
        _resolved(facts(scope=scope), period)
        .exclude(processing_days=None)
        .values_list("processing_days", flat=True)
    )
    if not days:
        return None
    rank = -(-len(days) * share // 100)  # ceil: the rank of the share-th percentile
    value = days[max(rank, 1) - 1]
    return math.ceil(value)  # not -(-value // 1): a Decimal's // truncates toward zero


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
    table = period_totals(period=period, scope=scope)
    resolved = _resolved(facts(scope=scope), period)
    total = table["to_handle"]
    negative = resolved.filter(Q(rated_negative=True) | Q(complained=True)).count()
    if not total:
        return Indicator(None, 0, 0)
    rate = HUNDRED - (ratio(table["late"], total) + ratio(negative, total))
    rate = max(rate, Decimal(0))
    return Indicator(
        rate,
        negative,
        total,
        points(rate, maximum=Decimal(18), threshold=Decimal(90)),
        Decimal(18),
        {"late": table["late"], "negative": negative},
    )


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


def _row_counts(qs, period: Period) -> dict:
    start, end = period.starts_at, period.ends_at
    in_period = Q(received_at__gte=start, received_at__lt=end)
    resolved = Q(ending__in=RESOLVED, ended_at__gte=start, ended_at__lt=end)
    open_at_end = Q(received_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    return {
        "received_online": Count("pk", filter=in_period & Q(channel="online")),
        "received_counter": Count("pk", filter=in_period & ~Q(channel="online")),
        "carried_over": Count(
            "pk",
            filter=Q(received_at__lt=start) & (Q(ended_at__isnull=True) | Q(ended_at__gte=start)),
        ),
        "resolved_early": Count("pk", filter=resolved & Q(timeliness="early")),
        "resolved_on_time": Count("pk", filter=resolved & Q(timeliness="on_time")),
        "resolved_late": Count("pk", filter=resolved & Q(timeliness="late")),
        "in_progress_within": Count(
            "pk", filter=open_at_end & (Q(legal_due_at__gte=end) | Q(legal_due_at=None))
        ),
        "in_progress_overdue": Count("pk", filter=open_at_end & Q(legal_due_at__lt=end)),
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
    """The table's figures for the whole scope (its last line)."""
    qs = facts(scope=scope).filter(received_at__lt=period.ends_at)
    return _finish(qs.aggregate(**_row_counts(qs, period)))


def period_table(*, period: Period, scope: Scope) -> list[dict]:
    """One row per (sector, procedure) with received (online, counter and post, carried
    over), resolved (early, on time, late), in progress (within the deadline, overdue) and
    the late ratio = (late resolved + overdue in progress) / dossiers to handle. Rows with
    nothing to handle are left out; withdrawn dossiers leave the table when withdrawn."""
    qs = facts(scope=scope).filter(received_at__lt=period.ends_at)
    rows = (
        qs.values("sector_id", "procedure_code")
        .annotate(**_row_counts(qs, period))
        .order_by("sector_id", "procedure_code")
    )
    table = [_finish(row) for row in rows]
    return [row for row in table if row["to_handle"] or row["resolved"] or row["in_progress"]]


def summary(*, period: Period, scope: Scope) -> dict:
    """Every dossier indicator of the period for the scope, by name (what the dashboard, the
    public page and the exports show). The online-service ratio depends on the catalogue, not
    the period: `online_services`."""
    return {
        "on_time": on_time(period=period, scope=scope),
        "average_days": average_processing_days(period=period, scope=scope),
        "within_days": within_days(period=period, scope=scope),
        "online_dossiers": online_dossiers(period=period, scope=scope),
        "online_payments": online_payments(period=period, scope=scope),
        "electronic_results": electronic_results(period=period, scope=scope),
        "digitisation": digitisation(period=period, scope=scope),
        "reuse": reuse(period=period, scope=scope),
        "satisfaction": satisfaction(period=period, scope=scope),
        "totals": period_totals(period=period, scope=scope),
    }
