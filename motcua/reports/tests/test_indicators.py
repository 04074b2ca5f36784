"""Every formula of DOMAIN.md section 10 on facts built by hand, the answers worked out here
(decision 0057)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.factories import AgencyFactory, ProcedureFactory
from motcua.reports import aggregates
from motcua.reports import indicators as ind
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db

PARENT, CHILD, OTHER = "/10/", "/10/11/", "/20/"
NOVEMBER = ind.month(year=2025, month=11)


def at(month, day, year=2025):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def fact(pk, *, path, procedure="A", received=None, ended=None, ending="", timeliness="", **f):
    return DossierFact.objects.create(
        dossier_id=pk,
        status=4,
        agency_id=int(path.strip("/").split("/")[-1]),
        agency_path=path,
        sector_id=f.pop("sector_id", 1),
        procedure_id=1 if procedure == "A" else 2,
        procedure_code=procedure,
        channel=f.pop("channel", "online"),
        submitted_at=received or at(11, 1),
        received_at=received,
        ended_at=ended,
        ending=ending,
        timeliness=timeliness,
        **f,
    )


@pytest.fixture
def history(db):
    """Ten dossiers around November 2025; the agency 10 has the sub-agency 11."""
    # 1: received in October, resolved early in November: carried over.
    fact(
        1,
        path=PARENT,
        received=at(10, 20),
        ended=at(11, 5),
        ending="returned",
        timeliness="early",
        processing_days=Decimal("2.5"),
        electronic_result=True,
    )
    # 2: counter, resolved on time; paid at the counter; rated negatively.
    fact(
        2,
        path=CHILD,
        channel="counter",
        received=at(11, 3),
        ended=at(11, 10),
        ending="processed",
        timeliness="on_time",
        processing_days=Decimal("3"),
        fee_charged=True,
        rated=True,
        rated_negative=True,
    )
    # 3: online, two supplement requests: late; paid online; electronic result.
    fact(
        3,
        path=CHILD,
        received=at(11, 4),
        ended=at(11, 20),
        ending="stopped",
        timeliness="late",
        processing_days=Decimal("6.5"),
        supplement_requests=2,
        fee_charged=True,
        paid_online=True,
        electronic_result=True,
    )
    # 4: online, zero fee, still in progress at the end of November, due in December.
    fact(4, path=PARENT, procedure="B", received=at(11, 25), legal_due_at=at(12, 3))
    # 5: by post, in progress and overdue since 20/11; paid online.
    fact(
        5,
        path=CHILD,
        procedure="B",
        channel="post",
        received=at(11, 10),
        legal_due_at=at(11, 20),
        fee_charged=True,
        paid_online=True,
    )
    # 6: received and resolved in October: not in November's table.
    fact(
        6,
        path=PARENT,
        received=at(10, 1),
        ended=at(10, 15),
        ending="returned",
        timeliness="on_time",
    )
    # 7: another agency.
    fact(7, path=OTHER, received=at(11, 12))
    # 8: received in December.
    fact(8, path=PARENT, received=at(12, 2))
    # 9: online, withdrawn the next day: received, never resolved nor in progress.
    fact(9, path=PARENT, procedure="B", received=at(11, 5), ended=at(11, 6), ending="withdrawn")
    # 10: refused at reception: never received.
    fact(10, path=PARENT, ended=at(11, 2), ending="refused")


SCOPE = ind.Scope(agency_id=10)


def test_period_helpers():
    assert ind.month(year=2024, month=2) == ind.Period(date(2024, 2, 1), date(2024, 2, 29))
    assert ind.quarter(year=2025, quarter=4) == ind.Period(date(2025, 10, 1), date(2025, 12, 31))
    assert ind.year(year=2025) == ind.Period(date(2025, 1, 1), date(2025, 12, 31))


def test_the_period_table_counts_carried_over_and_includes_sub_agencies(history):
    totals = ind.period_totals(period=NOVEMBER, scope=SCOPE)
    assert {k: totals[k] for k in ind.COLUMNS} == {
        "received_online": 3,  # 3, 4, 9 (7 is another agency's, 8 December's, 10 refused)
        "received_counter": 2,  # 2 at the counter, 5 by post
        "carried_over": 1,  # 1; 6 ended in October
        "resolved_early": 1,
        "resolved_on_time": 1,
        "resolved_late": 1,
        "in_progress_within": 1,  # 4
        "in_progress_overdue": 1,  # 5
    }
    # Late ratio = (late resolved + overdue in progress) / to handle = 2 / (5 + 1).
    assert totals["to_handle"] == 6 and totals["late_ratio"] == Decimal("33.33")

    rows = ind.period_table(period=NOVEMBER, scope=SCOPE)
    assert [
        (
            r["procedure_code"],
            r["received"],
            r["carried_over"],
            r["resolved"],
            r["in_progress"],
            r["late_ratio"],
        )
        for r in rows
    ] == [
        ("A", 2, 1, 3, 0, Decimal("33.33")),
        ("B", 3, 0, 0, 2, Decimal("33.33")),
    ]
    # The sub-agency alone: 2, 3 and 5.
    child = ind.period_totals(period=NOVEMBER, scope=ind.Scope(agency_id=11))
    assert (child["received"], child["carried_over"], child["late"]) == (3, 0, 2)
    # December: 4 and 5 are carried over, 8 is received.
    december = ind.period_totals(period=ind.month(year=2025, month=12), scope=SCOPE)
    assert (december["carried_over"], december["received"]) == (2, 1)


def test_on_time_ratio_counts_resolved_and_in_progress(history):
    result = ind.on_time(period=NOVEMBER, scope=SCOPE)
    # Early 1 + on time 1 + in progress within 1 = 3, of 3 + late 1 + overdue 1 = 5.
    assert (result.numerator, result.denominator, result.rate) == (3, 5, Decimal("60.00"))
    assert result.counts["late"] == 1 and result.counts["overdue"] == 1
    assert result.points == Decimal("12.00")  # 60 % of the 20 points at a 100 % threshold


def test_average_processing_time_of_the_dossiers_resolved(history):
    # (2.5 + 3 + 6.5) / 3; the October one is not November's.
    assert ind.average_processing_days(period=NOVEMBER, scope=SCOPE) == Decimal("4.00")
    assert ind.average_processing_days(period=ind.month(year=2025, month=9), scope=SCOPE) is None


def test_online_dossier_ratio_and_its_points(history):
    result = ind.online_dossiers(period=NOVEMBER, scope=SCOPE)
    assert (result.numerator, result.denominator, result.rate) == (3, 5, Decimal("60.00"))
    assert result.points == Decimal("22")  # above the 50 % threshold
    child = ind.online_dossiers(period=NOVEMBER, scope=ind.Scope(agency_id=11))
    # 1 of 3 = 33.33 %: 33.33 × 22 / 50 = 14.67 points.
    assert (child.rate, child.points) == (Decimal("33.33"), Decimal("14.67"))


def test_online_payment_ratio_leaves_zero_fee_dossiers_out(history):
    result = ind.online_payments(period=NOVEMBER, scope=SCOPE)
    # Charged: 2 (counter), 3 and 5 (online); 4, 9 charged nothing and are not counted.
    assert (result.numerator, result.denominator, result.rate) == (2, 3, Decimal("66.67"))


def test_electronic_result_ratio_of_the_resolved(history):
    result = ind.electronic_results(period=NOVEMBER, scope=SCOPE)
    assert (result.numerator, result.denominator) == (2, 3)


def test_satisfaction_subtracts_the_late_ratio_and_negative_ratings(history):
    result = ind.satisfaction(period=NOVEMBER, scope=SCOPE)
    # 100 − (2/6 late = 33.33 + 1/6 negative = 16.67) = 50 %: 50 × 18 / 90 = 10 points.
    assert result.rate == Decimal("50.00") and result.points == Decimal("10.00")


def test_scope_by_sector_procedure_and_channel(history):
    fact(11, path=PARENT, sector_id=2, received=at(11, 7), channel="counter")
    sector = ind.period_totals(period=NOVEMBER, scope=ind.Scope(agency_id=10, sector_id=2))
    assert sector["received"] == 1
    procedure = ind.period_totals(period=NOVEMBER, scope=ind.Scope(procedure_id=2))
    assert procedure["received"] == 3
    counter = ind.period_totals(period=NOVEMBER, scope=ind.Scope(agency_id=10, channel="post"))
    assert counter["received"] == 1 and counter["in_progress_overdue"] == 1


def test_online_service_ratio_from_the_catalogue(db):
    agency = AgencyFactory()
    for level in ("full", "full", "partial", "none", "none"):
        ProcedureFactory(agency=agency, service_level=level)
    ProcedureFactory(agency=agency, service_level="full", is_published=False)
    result = ind.online_services(agency_id=agency.pk)
    assert (result.numerator, result.denominator, result.counts["full"]) == (3, 5, 2)
    assert result.points == Decimal("16.50")  # 60 % × 22 / 80
    assert Procedure.objects.filter(agency=agency).count() == 6


def test_within_days_is_the_fewest_whole_days_for_ninety_percent(history):
    # Resolved in November: 1 in 2.5, 2 in 3 and 3 in 6.5 working days. 90 % of 3 dossiers
    # is 2.7, so all three are needed: within 6.5, that is 7 whole days.
    assert ind.within_days(period=NOVEMBER, scope=SCOPE) == 7
    # Half of them is 1.5, so two: within 3 days.
    assert ind.within_days(period=NOVEMBER, scope=SCOPE, share=50) == 3
    # Nothing resolved in September: no figure.
    assert ind.within_days(period=ind.month(year=2025, month=9), scope=SCOPE) is None


def test_within_days_counts_a_part_of_a_day_as_a_whole_day(db):
    # Ten dossiers resolved in November: nine in 0.32 of a day, one in 4.5 days. 90 % of 10
    # is 9: the ninth fastest took 0.32 days, so within 1 whole day (not 0).
    for pk in range(1, 11):
        days = Decimal("4.5") if pk == 10 else Decimal("0.32")
        fact(pk, path=PARENT, received=at(11, 3), ended=at(11, 4), ending="processed",
             timeliness="early", processing_days=days)  # fmt: skip
    assert ind.within_days(period=NOVEMBER, scope=SCOPE) == 1
    # 100 %: the slowest, 4.5 days, so 5.
    assert ind.within_days(period=NOVEMBER, scope=SCOPE, share=100) == 5


def test_digitisation_needs_the_papers_digitised_and_an_electronic_result(history):
    # Resolved in November: 1 (electronic result), 2 (paper result), 3 (electronic result).
    DossierFact.objects.filter(pk__in=[1, 2]).update(digitised=True)
    aggregates.touch_facts(dossier_ids=[1, 2])
    DossierFact.objects.filter(pk=3).update(digitised=False)
    aggregates.touch_facts(dossier_ids=[3])
    DossierFact.objects.filter(pk=5).update(digitised=True, electronic_result=True)  # open
    aggregates.touch_facts(dossier_ids=[5])
    result = ind.digitisation(period=NOVEMBER, scope=SCOPE)
    # Only 1 has both: 1 of 3 = 33.33 %, below the 80 % threshold: 33.33 × 22 / 80 = 9.17.
    assert (result.numerator, result.denominator, result.rate) == (1, 3, Decimal("33.33"))
    assert (result.points, result.maximum) == (Decimal("9.17"), Decimal("22"))
    # Every resolved one digitised, with an electronic result: full points from 80 %.
    DossierFact.objects.filter(pk__in=[1, 2, 3]).update(digitised=True, electronic_result=True)
    aggregates.touch_facts(dossier_ids=[1, 2, 3])
    result = ind.digitisation(period=NOVEMBER, scope=SCOPE)
    assert (result.rate, result.points) == (Decimal("100.00"), Decimal("22"))


def test_satisfaction_counts_a_complaint_like_a_negative_rating_once_per_dossier(history):
    # Complaints about 1 (resolved), 2 (resolved and already rated negatively) and 5 (still
    # in progress: not among the resolved, not counted).
    DossierFact.objects.filter(pk__in=[1, 2, 5]).update(complained=True)
    aggregates.touch_facts(dossier_ids=[1, 2, 5])
    result = ind.satisfaction(period=NOVEMBER, scope=SCOPE)
    # To handle 6; late 2 (3 resolved late, 5 overdue): 33.33 %; negative or complained
    # about: 1 and 2, 2 of 6 = 33.33 %. 100 − 66.66 = 33.34 %: 33.34 × 18 / 90 = 6.67 points.
    assert (result.numerator, result.denominator) == (2, 6)
    assert result.counts == {"late": 2, "negative": 2}
    assert (result.rate, result.points) == (Decimal("33.34"), Decimal("6.67"))


def test_satisfaction_never_goes_below_zero_and_is_none_with_nothing_to_handle(history):
    DossierFact.objects.filter(pk__in=[1, 2, 3]).update(rated_negative=True)
    aggregates.touch_facts(dossier_ids=[1, 2, 3])
    # Late 2 of 6 (33.33) + negative 3 of 6 (50.00) = 83.33: 16.67 %.
    assert ind.satisfaction(period=NOVEMBER, scope=SCOPE).rate == Decimal("16.67")
    assert ind.satisfaction(period=ind.month(year=2025, month=6), scope=SCOPE).rate is None


def test_online_payments_of_zero_fee_dossiers_only_have_no_rate(history):
    # Procedure B: 4 (no fee), 5 (charged, paid online), 9 (no fee, withdrawn): 1 of 1.
    b = ind.online_payments(period=NOVEMBER, scope=ind.Scope(procedure_code="B"))
    assert (b.numerator, b.denominator, b.rate) == (1, 1, Decimal("100.00"))
    # The agency 20 received only 7, which charged nothing: nothing to divide, no rate
    # (not 0 %).
    other = ind.online_payments(period=NOVEMBER, scope=ind.Scope(agency_id=20))
    assert (other.numerator, other.denominator, other.rate) == (0, 0, None)
    # A fee charged at the counter only: charged, not paid online.
    fact(12, path=OTHER, received=at(11, 13), fee_charged=True, channel="counter")
    other = ind.online_payments(period=NOVEMBER, scope=ind.Scope(agency_id=20))
    assert (other.numerator, other.denominator, other.rate) == (0, 1, Decimal("0.00"))


# ---------------------------------------------------------------------------------------
# Periods: labels, keys (the query string), the period before, trends


def test_a_period_has_a_label_and_a_key_that_reads_back():
    cases = [
        (ind.month(year=2026, month=10), "10/2026", "2026-10"),
        (ind.quarter(year=2026, quarter=4), "Quý 4/2026", "2026-Q4"),
        (ind.year(year=2026), "2026", "2026"),
        (
            ind.Period(date(2026, 10, 1), date(2026, 10, 15)),
            "01/10/2026 – 15/10/2026",
            "2026-10-01..2026-10-15",
        ),
    ]
    for period, label, key in cases:
        assert (period.label, period.key) == (label, key)
        back = ind.parse_period(key)
        assert (back, back.kind) == (period, period.kind)


def test_the_period_before_and_a_trend():
    assert ind.month(year=2026, month=1).previous() == ind.month(year=2025, month=12)
    assert ind.month(year=2024, month=3).previous().end == date(2024, 2, 29)  # leap year
    assert ind.quarter(year=2026, quarter=1).previous() == ind.quarter(year=2025, quarter=4)
    assert ind.year(year=2026).previous() == ind.year(year=2025)
    # A range: as many days, just before: 10 days ending 30/09.
    ten_days = ind.Period(date(2026, 10, 1), date(2026, 10, 10))
    assert ten_days.previous() == ind.Period(date(2026, 9, 21), date(2026, 9, 30))
    # The last three quarters, oldest first, ending with this one, each a quarter.
    trend = ind.quarter(year=2026, quarter=1).trend(3)
    assert [p.label for p in trend] == ["Quý 3/2025", "Quý 4/2025", "Quý 1/2026"]
    assert ind.month(year=2026, month=10).trend(1) == [ind.month(year=2026, month=10)]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "abc",
        "10/2026",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-Q",
        "2026-10-15..2026-10-01",  # reversed
        "2000-01-01..2020-01-01",  # twenty years
        "2026-10-01..",
        "2026-02-30..2026-03-01",
        "99999",
    ],
)
def test_a_bad_period_key_reads_as_none(key):
    assert ind.parse_period(key) is None
