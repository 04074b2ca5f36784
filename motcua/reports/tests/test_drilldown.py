"""Each figure's dossiers are the ones its formula counts (decision 0062): the drill-down
conditions against indicators.py on the hand-built history of test_indicators."""

import pytest

from motcua.reports import drilldown
from motcua.reports import indicators as ind
from motcua.reports.tests.test_indicators import NOVEMBER, history  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def expected_figures(period, scope) -> dict:
    totals = ind.period_totals(period=period, scope=scope)
    s = ind.summary(period=period, scope=scope)
    table = {
        name: totals[name]
        for name in (*ind.COLUMNS, "received", "to_handle", "resolved", "in_progress", "late")
    }
    ratios = {}
    for key, numerator, denominator in (
        ("on_time", "on_time_good", "on_time_all"),
        ("online_dossiers", "online_dossiers_online", "online_dossiers_received"),
        ("online_payments", "online_payments_paid", "online_payments_charged"),
        ("electronic_results", "electronic_results_done", "electronic_results_resolved"),
        ("digitisation", "digitisation_done", "digitisation_resolved"),
        ("reuse", "reuse_reused", "reuse_received"),
    ):
        ratios[numerator] = s[key].numerator
        ratios[denominator] = s[key].denominator
    ratios["satisfaction_negative"] = s["satisfaction"].numerator
    ratios["satisfaction_total"] = totals["to_handle"]
    return table | ratios


@pytest.mark.parametrize(
    "scope",
    [
        ind.Scope(agency_id=10),
        ind.Scope(agency_id=10, channel="online"),
        ind.Scope(agency_id=11, channel="counter"),
        ind.Scope(),
        ind.Scope(procedure_code="B"),
    ],
    ids=str,
)
@pytest.mark.parametrize("period", [NOVEMBER, ind.month(year=2025, month=10)], ids=str)
def test_every_figure_lists_as_many_dossiers_as_it_counts(history, scope, period):  # noqa: F811
    expected = expected_figures(period, scope)
    assert set(expected) == set(drilldown.FIGURES)  # every figure is checked
    counted = {
        name: drilldown.behind(figure=name, period=period, scope=scope).count()
        for name in drilldown.FIGURES
    }
    assert counted == expected


def test_the_figures_of_november_are_these_dossiers(history):  # noqa: F811
    def ids(figure, scope=None):
        scope = scope or ind.Scope(agency_id=10)
        facts = drilldown.behind(figure=figure, period=NOVEMBER, scope=scope)
        return set(facts.values_list("dossier_id", flat=True))

    assert ids("carried_over") == {1}
    assert ids("received") == {2, 3, 4, 5, 9}
    assert ids("received_online") == {3, 4, 9}
    assert ids("late") == {3, 5}
    assert ids("in_progress_overdue") == {5}
    assert ids("online_payments_paid") == {3, 5}
    # The online ratio reads every channel whatever the filter's channel.
    counter = ind.Scope(agency_id=10, channel="counter")
    assert ids("online_dossiers_received", counter) == {2, 3, 4, 5, 9}
    assert ids("received", counter) == {2}
