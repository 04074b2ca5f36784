"""What the manager dashboard shows for a period and a scope (decision 0062): the indicators
with their drill-down figures, the trend over the last periods as charts with their data,
and the period table (form II.06a) grouped by sector with names resolved."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Sector
from motcua.reports import indicators as ind
from motcua.reports.drilldown import FIGURES
from motcua.reports.labels import LABELS, procedure_names

TREND_PERIODS = 6


@dataclass(frozen=True)
class Row:
    """One indicator on the dashboard: its value and the figures it is made of, each with
    the drill-down name of its dossiers."""

    key: str
    label: str
    indicator: ind.Indicator
    numerator: str  # a drilldown.FIGURES name
    denominator: str

    @property
    def numerator_label(self):
        return FIGURES[self.numerator].label

    @property
    def denominator_label(self):
        return FIGURES[self.denominator].label


# The dossiers behind each indicator on the dashboard (drilldown.FIGURES names), in the
# order of its cards; the names are labels.LABELS.
DRILLDOWN = {
    "on_time": ("on_time_good", "on_time_all"),
    "online_dossiers": ("online_dossiers_online", "online_dossiers_received"),
    "online_payments": ("online_payments_paid", "online_payments_charged"),
    "electronic_results": ("electronic_results_done", "electronic_results_resolved"),
    "digitisation": ("digitisation_done", "digitisation_resolved"),
    "reuse": ("reuse_reused", "reuse_received"),
    "satisfaction": ("satisfaction_negative", "satisfaction_total"),
}


def indicators(*, period: ind.Period, scope: ind.Scope) -> dict:
    summary = ind.summary(period=period, scope=scope)
    return {
        "rows": [
            Row(key, LABELS[key], summary[key], numerator, denominator)
            for key, (numerator, denominator) in DRILLDOWN.items()
        ],
        "average_days": summary["average_days"],
        # The average is over the dossiers resolved in the period, as the e-result ratio's
        # denominator (drill-down "electronic_results_resolved").
        "averaged": summary["electronic_results"].denominator,
        "within_days": summary["within_days"],
        "totals": summary["totals"],
        # Procedures in force of the agency itself, whatever the period (catalogue figures).
        "online_services": ind.online_services(agency_id=scope.agency_id),
    }


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def trend(*, period: ind.Period, scope: ind.Scope, count: int = TREND_PERIODS) -> list[dict]:
    """The charts of the last `count` periods of the period's kind, oldest first. Each chart
    carries its own data (labels, series): the page gives it to Chart.js as JSON and renders
    the same numbers as the table beside the chart."""
    periods = period.trend(count)
    points = []
    for p in periods:
        figures = ind.summary(period=p, scope=scope)  # each question asked once
        points.append(
            {
                "on_time": figures["on_time"].rate,
                "online": figures["online_dossiers"].rate,
                "electronic": figures["electronic_results"].rate,
                "received": figures["totals"]["received"],
                "resolved": figures["totals"]["resolved"],
            }
        )
    labels = [p.label for p in periods]

    def chart(key, kind, title, unit, series):
        data = {
            "id": f"chart-{key}",
            "kind": kind,
            "title": str(title),
            "unit": unit,
            "labels": labels,
            "series": [
                {"label": str(label), "data": [_number(point[name]) for point in points]}
                for name, label in series
            ],
        }
        rows = [(label, [s["data"][i] for s in data["series"]]) for i, label in enumerate(labels)]
        return {"data": data, "rows": rows, "script_id": f"chart-{key}-data"}

    return [
        chart(
            "rates",
            "line",
            _("Các tỷ lệ qua %(n)s kỳ gần nhất (%%)") % {"n": count},
            "%",
            [
                ("on_time", _("Đúng hạn")),
                ("online", _("Trực tuyến")),
                ("electronic", _("Kết quả điện tử")),
            ],
        ),
        chart(
            "volume",
            "bar",
            _("Hồ sơ tiếp nhận và đã giải quyết qua %(n)s kỳ gần nhất") % {"n": count},
            "",
            [("received", _("Tiếp nhận")), ("resolved", _("Đã giải quyết"))],
        ),
    ]


def period_table(*, period: ind.Period, scope: ind.Scope) -> dict:
    """Form II.06a: rows grouped by sector, sector and procedure names resolved, and the
    total line."""
    rows = ind.period_table(period=period, scope=scope)
    sectors = dict(
        Sector.objects.filter(pk__in={r["sector_id"] for r in rows}).values_list("pk", "name")
    )
    names = procedure_names(r["procedure_code"] for r in rows)
    groups = []
    for row in rows:
        if not groups or groups[-1]["sector_id"] != row["sector_id"]:
            groups.append(
                {
                    "sector_id": row["sector_id"],
                    "name": sectors.get(row["sector_id"], _("Lĩnh vực không còn")),
                    "rows": [],
                }
            )
        groups[-1]["rows"].append({**row, "procedure_name": names.get(row["procedure_code"], "")})
    return {"groups": groups, "totals": ind.period_totals(period=period, scope=scope)}
