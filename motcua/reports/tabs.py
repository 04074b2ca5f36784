"""The tabs shared by the officer's statistics pages (dashboard, scoring, exports): each
keeps the filter of the page it is on (decision 0062)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.reports.filters import ReportFilter, ScoringFilter

TABS = (
    ("dashboard", _("Tổng quan")),
    ("scoring", _("Chấm điểm")),
    ("exports", _("Xuất báo cáo")),
)


def _query(name: str, form: ReportFilter) -> str:
    period = form.period
    if name == "scoring" and period.kind not in ScoringFilter.kinds:
        # Scoring reads quarters and years: the quarter a month or a range starts in.
        start = period.start
        return form.query(
            kind="quarter", year=start.year, number=(start.month + 2) // 3, start="", end=""
        )
    return form.query()


def tabs(*, current: str, form: ReportFilter) -> list[dict]:
    """[{name, label, url, current}] in the order of TABS."""
    rows = []
    for name, label in TABS:
        query = _query(name, form)
        url = reverse(f"reports:{name}")
        rows.append(
            {
                "name": name,
                "label": label,
                "url": f"{url}?{query}" if query else url,
                "current": name == current,
            }
        )
    return rows
