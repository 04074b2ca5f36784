"""The dossiers behind each figure of the dashboard and of the period table (decision 0062).

One condition on reports.DossierFact per figure, written with the same terms as the
formulas of indicators.py (decision 0057): `received`, `resolved`, `carried_over`,
`open_at_end`. A figure's count under its condition equals the figure the dashboard shows
(test_drilldown.py checks every one against indicators.summary and period_totals), so
"these are the dossiers behind this number" holds by construction and by test.

Which of those dossiers a reader may open is `dossiers.access.visible_where` (the rule of
`visible_dossiers`), applied in SQL (an EXISTS), never by loading ids.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from motcua.core.db import column, table
from motcua.dossiers.access import visible_where
from motcua.dossiers.models import Dossier
from motcua.reports import indicators as ind
from motcua.reports import scoring
from motcua.reports.models import DossierFact

# ---------------------------------------------------------------------------------------
# The terms of the formulas, as conditions on a fact


def received(period: ind.Period) -> Q:
    """Received (accepted) in the period."""
    return Q(received_at__gte=period.starts_at, received_at__lt=period.ends_at)


def resolved(period: ind.Period) -> Q:
    """Ended in the period by being processed, returned or stopped."""
    return Q(ending__in=ind.RESOLVED, ended_at__gte=period.starts_at, ended_at__lt=period.ends_at)


def carried_over(period: ind.Period) -> Q:
    """Received before the period and still open at its start."""
    start = period.starts_at
    return Q(received_at__lt=start) & (Q(ended_at__isnull=True) | Q(ended_at__gte=start))


def open_at_end(period: ind.Period) -> Q:
    """Received before the period's end and not ended by then."""
    end = period.ends_at
    return Q(received_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))


def within(period: ind.Period) -> Q:
    end = period.ends_at
    return open_at_end(period) & (Q(legal_due_at__gte=end) | Q(legal_due_at=None))


def overdue(period: ind.Period) -> Q:
    return open_at_end(period) & Q(legal_due_at__lt=period.ends_at)


def resolved_as(period: ind.Period, *classes: str) -> Q:
    return resolved(period) & Q(timeliness__in=classes)


CLASSES = ("early", "on_time", "late")


@dataclass(frozen=True)
class Figure:
    label: str
    condition: Callable[[ind.Period], Q]
    # The online-dossier ratio reads every channel whatever the filter's channel (its
    # numerator is the online ones): its dossiers too.
    every_channel: bool = False
    # A scoring figure (decision 0061): the dossiers scored for one officer or unit.
    scored: bool = False


SCORED = {
    "score_officer": _("Hồ sơ tính điểm cho cán bộ (Thông tư 01/2018)"),
    "score_unit": _("Hồ sơ tính điểm cho đơn vị (Thông tư 01/2018)"),
}


def figure_of(name: str) -> Figure | None:
    """The figure a drill-down link names (None for an unknown name)."""
    if name in FIGURES:
        return FIGURES[name]
    kind, _sep, pk = name.rpartition("_")
    if kind in SCORED and pk.isdigit():
        return Figure(SCORED[kind], lambda p: Q(), scored=True)
    return None


FIGURES: dict[str, Figure] = {
    # The period table's columns (form II.06a)
    "received_online": Figure(
        _("Tiếp nhận trực tuyến"), lambda p: received(p) & Q(channel="online")
    ),
    "received_counter": Figure(
        _("Tiếp nhận trực tiếp, bưu chính"), lambda p: received(p) & ~Q(channel="online")
    ),
    "carried_over": Figure(_("Kỳ trước chuyển sang"), carried_over),
    "received": Figure(_("Tiếp nhận trong kỳ"), received),
    "to_handle": Figure(
        _("Tổng số hồ sơ phải giải quyết"), lambda p: received(p) | carried_over(p)
    ),
    "resolved_early": Figure(_("Giải quyết trước hạn"), lambda p: resolved_as(p, "early")),
    "resolved_on_time": Figure(_("Giải quyết đúng hạn"), lambda p: resolved_as(p, "on_time")),
    "resolved_late": Figure(_("Giải quyết trễ hạn"), lambda p: resolved_as(p, "late")),
    "resolved": Figure(_("Đã giải quyết"), lambda p: resolved_as(p, *CLASSES)),
    "in_progress_within": Figure(_("Đang giải quyết trong hạn"), within),
    "in_progress_overdue": Figure(_("Đang giải quyết quá hạn"), overdue),
    "in_progress": Figure(_("Đang giải quyết"), open_at_end),
    "late": Figure(
        _("Trễ hạn (đã giải quyết trễ hạn và đang quá hạn)"),
        lambda p: resolved_as(p, "late") | overdue(p),
    ),
    # The indicators' numerators and denominators
    "on_time_good": Figure(
        _("Giải quyết, đang giải quyết trước hạn, đúng hạn"),
        lambda p: resolved_as(p, "early", "on_time") | within(p),
    ),
    "on_time_all": Figure(
        _("Đã giải quyết và đang giải quyết"), lambda p: resolved_as(p, *CLASSES) | open_at_end(p)
    ),
    "online_dossiers_online": Figure(
        _("Hồ sơ trực tuyến tiếp nhận trong kỳ"),
        lambda p: received(p) & Q(channel="online"),
        every_channel=True,
    ),
    "online_dossiers_received": Figure(
        _("Hồ sơ tiếp nhận trong kỳ, mọi kênh"), received, every_channel=True
    ),
    "online_payments_paid": Figure(
        _("Hồ sơ thanh toán trực tuyến"),
        lambda p: received(p) & Q(fee_charged=True, paid_online=True),
    ),
    "online_payments_charged": Figure(
        _("Hồ sơ có phí, lệ phí"), lambda p: received(p) & Q(fee_charged=True)
    ),
    "electronic_results_done": Figure(
        _("Hồ sơ có kết quả điện tử"), lambda p: resolved(p) & Q(electronic_result=True)
    ),
    "electronic_results_resolved": Figure(_("Hồ sơ kết thúc trong kỳ"), resolved),
    "digitisation_done": Figure(
        _("Hồ sơ số hoá thành phần và có kết quả điện tử"),
        lambda p: resolved(p) & Q(digitised=True, electronic_result=True),
    ),
    "digitisation_resolved": Figure(_("Hồ sơ kết thúc trong kỳ"), resolved),
    "reuse_reused": Figure(
        _("Hồ sơ tái sử dụng dữ liệu"), lambda p: received(p) & Q(reused_data=True)
    ),
    "reuse_received": Figure(_("Hồ sơ tiếp nhận trong kỳ"), received),
    "satisfaction_negative": Figure(
        _("Hồ sơ bị đánh giá không hài lòng hoặc bị phản ánh"),
        lambda p: resolved(p) & (Q(rated_negative=True) | Q(complained=True)),
    ),
    "satisfaction_total": Figure(
        _("Tổng số hồ sơ phải giải quyết"), lambda p: received(p) | carried_over(p)
    ),
}


def behind(*, figure: str, period: ind.Period, scope: ind.Scope) -> QuerySet:
    """The facts of the dossiers counted in `figure` (a KeyError for an unknown name)."""
    entry = figure_of(figure)
    if entry is None:
        raise KeyError(figure)
    if entry.scored:
        ids = scoring.figure_dossier_ids(figure, period=period, scope=scope)
        return DossierFact.objects.filter(dossier_id__in=ids)
    if entry.every_channel:
        scope = replace(scope, channel="")
    return ind.facts(scope=scope).filter(entry.condition(period))


def visible_to(user) -> RawSQL:
    """The facts of the dossiers `user` may open: dossiers.access's own rule (visible_where,
    written on the dossier table) in an EXISTS on the fact's dossier, one SQL statement."""
    where, params = visible_where(user)
    sql = (
        f"EXISTS (SELECT 1 FROM {table(Dossier)} WHERE "  # noqa: S608 - names from the models
        f"{column(Dossier, 'id')} = {column(DossierFact, 'dossier_id')} AND {where})"
    )
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - our text


@dataclass(frozen=True)
class Listing:
    facts: QuerySet  # the ones the reader may open, newest reception first
    total: int
    shown: int

    @property
    def hidden(self) -> int:
        return self.total - self.shown


def listing(*, user, figure: str, period: ind.Period, scope: ind.Scope) -> Listing:
    """The figure's dossiers the reader may open, and how many they may not."""
    facts = behind(figure=figure, period=period, scope=scope)
    mine = facts.filter(visible_to(user))
    return Listing(
        mine.order_by("-received_at", "-dossier_id"), total=facts.count(), shown=mine.count()
    )
