"""Internal scoring per Circular 01/2018 art.13–15 on hand-built histories driven through the
state machine; the answers are worked out here (decision 0061).

The office window is 07:30–17:00 (9.5 h): 0.25 working day is 2 h 22 min 30 s. The standard
workflow: reception at the desk 0.25 day, review by the department 1, the department head
0.25, the leader's approval 0.25, the return at the desk 0.25; the procedure takes 2 days.
"""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.core.events import PetitionChanged, PetitionLate
from motcua.factories import make_submitted_dossier
from motcua.feedback import petitions
from motcua.feedback.models import Petition
from motcua.reports import indicators as ind
from motcua.reports import scoring
from motcua.reports.models import (
    DossierFact,
    DossierScore,
    OfficerScore,
    PetitionFact,
    UnitScore,
)
from motcua.reports.petition_facts import record_petition_changed, record_petition_late
from motcua.workflow.machine import (
    NoteInput,
    RequestSupplementInput,
    SupplementItem,
    perform,
)

pytestmark = pytest.mark.django_db

Q4 = ind.quarter(year=2025, quarter=4)


def at(*args):
    return timezone.make_aware(datetime(*args))


def act(dossier, action, actor, data=None):
    return perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)


def quick(clock, org, dossier, day):
    """Everything on `day` (November 2025), every step well within its deadline: reception
    09:00 → 10:00 (due 11:22: on time, 1); review 10:00 → 11:00 (due the next day: early,
    2); head 11:00 → 11:30 (due 13:22: 1); approval 11:30 → 12:00 (1); return 12:00 → 13:00
    (1). Processed on the day, due two days later: early."""
    clock.set(2025, 11, day, 10, 0)
    act(dossier, "accept", org.desk_officer)
    clock.set(2025, 11, day, 11, 0)
    act(dossier, "forward", org.specialist, NoteInput(note="Đủ điều kiện"))
    clock.set(2025, 11, day, 11, 30)
    act(dossier, "forward", org.head)
    clock.set(2025, 11, day, 12, 0)
    act(dossier, "approve", org.leader)
    clock.set(2025, 11, day, 13, 0)
    act(dossier, "return_result", org.desk_officer)


def slow(clock, org, dossier):
    """Submitted Tuesday 11/11 09:00, accepted 10:00 (reception: 1); the specialist asks for
    a supplement at 15:00; it comes Friday 14/11 08:00 (the review's day starts again: due
    Monday 17/11 08:00; the dossier's two days too: due Tuesday 18/11 08:00). Forwarded
    Monday 10:00 (review late: 0), head 10:30 (1), approved Tuesday 18/11 09:00 (approval due
    Monday 12:52: 0; the dossier late: 0), returned 09:30 (the return step's deadline is capped
    by the dossier's, 08:00: 0)."""
    clock.set(2025, 11, 11, 10, 0)
    act(dossier, "accept", org.desk_officer)
    clock.set(2025, 11, 11, 15, 0)
    items = (SupplementItem(component="Giấy đăng ký xe ô tô", reason="Bản chụp mờ"),)
    act(dossier, "request_supplement", org.specialist, RequestSupplementInput(items=items))
    clock.set(2025, 11, 14, 8, 0)
    act(dossier, "submit_supplement", dossier.applicant, NoteInput(note="Đã bổ sung"))
    clock.set(2025, 11, 17, 10, 0)
    act(dossier, "forward", org.specialist, NoteInput(note="Đủ điều kiện"))
    clock.set(2025, 11, 17, 10, 30)
    act(dossier, "forward", org.head)
    clock.set(2025, 11, 18, 9, 0)
    act(dossier, "approve", org.leader)
    clock.set(2025, 11, 18, 9, 30)
    act(dossier, "return_result", org.desk_officer)


def scores_of(model, dossier, **by):
    row = model.objects.get(dossier_id=dossier.pk, **by)
    return {n: getattr(row, n) for n in ("i1", "i2", "i3", "i4", "i6", "i7") if hasattr(row, n)}


@pytest.fixture
def histories(clock, org, procedure, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 9, 0)  # Monday
        a = make_submitted_dossier(procedure, citizen)
        quick(clock, org, a, 10)
        clock.set(2025, 11, 11, 9, 0)
        b = make_submitted_dossier(procedure, citizen, plate="75A-999.99")
        slow(clock, org, b)
    return a, b


def test_a_quick_dossier_scores_per_dossier_unit_and_officer(histories, org):
    a, _b = histories
    assert scores_of(DossierScore, a) == {"i1": 2, "i3": 2, "i4": 2, "i6": 1, "i7": 2}
    # The desk: reception 1 and return 1; the department: review 2, head 1 → its worst, 1.
    assert scores_of(UnitScore, a, unit_id=org.desk.pk)["i2"] == 1
    assert scores_of(UnitScore, a, unit_id=org.department.pk)["i2"] == 1
    assert scores_of(UnitScore, a, unit_id=org.leadership.pk)["i2"] == 1
    acted = set(OfficerScore.objects.filter(dossier_id=a.pk).values_list("officer_id", "unit_id"))
    assert acted == {
        (org.desk_officer.pk, org.desk.pk),
        (org.specialist.pk, org.department.pk),
        (org.head.pk, org.department.pk),
        (org.leader.pk, org.leadership.pk),
    }


def test_a_slow_dossier_with_a_supplement_from_the_department(histories, org):
    _a, b = histories
    # Late: 0; one supplement: 1; the department asked (and the papers go to the desk): two
    # bodies, 0; late without a petition: 0.
    assert scores_of(DossierScore, b) == {"i1": 0, "i3": 1, "i4": 0, "i6": 1, "i7": 0}
    assert scores_of(UnitScore, b, unit_id=org.department.pk)["i2"] == 0  # review late
    assert scores_of(UnitScore, b, unit_id=org.leadership.pk)["i2"] == 0
    assert scores_of(UnitScore, b, unit_id=org.desk.pk)["i2"] == 0  # the return was late


def test_the_officers_means_total_and_band_for_the_quarter(histories, org):
    rows = {r.id: r for r in scoring.officer_rows(period=Q4, scope=ind.Scope())}
    specialist = rows[org.specialist.pk]
    # (2+0)/2, (1+0)/2, (2+1)/2, (2+0)/2, (2+0)/2 → 1.0 + 0.5 + 1.5 + 1.0 + 1.0 = 5.0: the
    # edge of "fully completed".
    assert specialist.scores == {
        "i1": Decimal("1.0"),
        "i2": Decimal("0.5"),
        "i3": Decimal("1.5"),
        "i4": Decimal("1.0"),
        "i7": Decimal("1.0"),
    }
    assert specialist.total == Decimal("5.0") and specialist.band == "full"
    assert specialist.dossiers == 2 and specialist.figure == f"score_officer_{org.specialist.pk}"
    # The leader: approvals 1 and 0 → 0.5; the rest as above: 5.0 too.
    assert rows[org.leader.pk].total == Decimal("5.0")
    # Another quarter has nothing.
    assert scoring.officer_rows(period=ind.quarter(year=2025, quarter=3), scope=ind.Scope()) == []


def test_the_units_add_the_agency_indicators(histories, org):
    rows = {r.id: r for r in scoring.unit_rows(period=Q4, scope=ind.Scope(agency_id=org.agency.pk))}
    desk = rows[org.desk.pk]
    # Per dossier: 1 (2+0)/2, 2 (1+0)/2, 3 (2+1)/2, 4 (2+0)/2, 6 1, 7 (2+0)/2. The agency:
    # 5: its one procedure has a workflow but not handled at the desk alone → 1; 8: no
    # petition → 2; 9: every procedure online and every dossier online, but one online
    # dossier late → 0.
    assert desk.scores == {
        "i1": Decimal("1.0"),
        "i2": Decimal("0.5"),
        "i3": Decimal("1.5"),
        "i4": Decimal("1.0"),
        "i5": Decimal("1.0"),
        "i6": Decimal("1.0"),
        "i7": Decimal("1.0"),
        "i8": Decimal("2.0"),
        "i9": Decimal("0.0"),
    }
    assert desk.total == Decimal("9.0") and desk.band == "fair"  # the edge of "fair"
    assert scoring.figure_dossier_ids(desk.figure, period=Q4, scope=ind.Scope()).count() == 2


def test_a_petition_about_a_dossier_makes_its_attitude_zero_unless_rejected(
    histories, org, django_capture_on_commit_callbacks
):
    a, _b = histories
    with django_capture_on_commit_callbacks(execute=True):
        petition = petitions.file_petition(
            kind=Petition.Kind.FEEDBACK,
            subject=petitions.Subject(
                about=Petition.About.DOSSIER, agency=org.agency, dossier=a, dossier_code=a.code
            ),
            title="Hẹn nhiều lần",
            content="Cán bộ hẹn nhiều lần.",
            user=a.applicant,
        )
    assert DossierFact.objects.get(pk=a.pk).complained
    assert DossierScore.objects.get(pk=a.pk).i7 == 0
    # The satisfaction indicator (read from the aggregates) counts the complaint at once.
    scope = ind.Scope(agency_id=org.agency.pk)
    assert ind.satisfaction(period=Q4, scope=scope).counts["negative"] == 1
    fact = PetitionFact.objects.get(pk=petition.pk)
    assert fact.dossier_id == a.pk and fact.agency_id == org.agency.pk and fact.filed_at
    with django_capture_on_commit_callbacks(execute=True):
        petitions.reject_petition(petition=petition, officer=org.desk_head, reason="Trùng lặp")
    assert not DossierFact.objects.get(pk=a.pk).complained
    assert DossierScore.objects.get(pk=a.pk).i7 == 2
    assert ind.satisfaction(period=Q4, scope=scope).counts["negative"] == 0


def test_an_open_dossier_has_no_score_and_rebuild_is_idempotent(
    clock, org, procedure, citizen, histories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 20, 9, 0)
        open_one = make_submitted_dossier(procedure, citizen, plate="75A-111.11")
        clock.set(2025, 11, 20, 10, 0)
        act(open_one, "accept", org.desk_officer)
    assert not DossierScore.objects.filter(pk=open_one.pk).exists()
    before = list(OfficerScore.objects.order_by("dossier_id", "officer_id").values())
    DossierScore.objects.all().delete()
    call_command("rebuild_scores")
    assert DossierScore.objects.count() == 2
    after = list(OfficerScore.objects.order_by("dossier_id", "officer_id").values())
    strip = [{k: v for k, v in r.items() if k != "id"} for r in before]
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == strip


# ---------------------------------------------------------------------------------------
# The rules and bands at their edges


@pytest.mark.parametrize(
    ("total", "key"),
    [
        (Decimal("5.0"), "full"),
        (Decimal("4.9"), "most"),
        (Decimal("3.5"), "most"),
        (Decimal("3.4"), "below"),
        (Decimal(0), "below"),
    ],
)
def test_officer_bands(total, key):
    assert scoring.band(total, scoring.OFFICER_BANDS)[0] == key


@pytest.mark.parametrize(
    ("total", "key"),
    [
        (Decimal(15), "excellent"),
        (Decimal("14.9"), "good"),
        (Decimal(12), "good"),
        (Decimal("11.9"), "fair"),
        (Decimal(9), "fair"),
        (Decimal("8.9"), "average"),
        (Decimal(6), "average"),
        (Decimal("5.9"), "weak"),
    ],
)
def test_unit_bands(total, key):
    assert scoring.band(total, scoring.UNIT_BANDS)[0] == key


def test_means_round_half_up_and_an_indicator_without_information_is_left_out():
    assert scoring.mean(21, 20) == Decimal("1.1")  # 1.05 → 1.1, not banker's 1.0
    assert scoring.mean(5, 4) == Decimal("1.3")  # 1.25 → 1.3
    assert scoring.mean(0, 0) is None
    # Art.15(4)(b): None is left out, not counted as 0.
    assert scoring.add_up([Decimal(2), None, Decimal("1.5")]) == Decimal("3.5")
    assert scoring.add_up([None, None]) is None
    assert scoring.band(None, scoring.OFFICER_BANDS) == ("", "")


def test_an_officer_whose_indicator_has_no_information(db):
    """A dossier stopped before its time was measured has no indicator 1 or 7: the mean and
    the total leave them out."""
    common = {
        "agency_id": 7,
        "agency_path": "/7/",
        "sector_id": 1,
        "ended_at": at(2025, 11, 5, 10),
        "officer_id": 99,
        "unit_id": 3,
    }
    OfficerScore.objects.create(dossier_id=1, i1=None, i2=2, i3=2, i4=1, i7=None, **common)
    OfficerScore.objects.create(dossier_id=2, i1=None, i2=1, i3=1, i4=1, i7=None, **common)
    (row,) = scoring.officer_rows(period=Q4, scope=ind.Scope(agency_id=7))
    assert row.scores["i1"] is None and row.scores["i7"] is None
    assert row.total == Decimal("1.5") + Decimal("1.5") + Decimal("1.0")
    assert row.band == "most"


@pytest.mark.parametrize(("supplements", "score"), [(0, 2), (1, 1), (2, 0), (3, 0)])
def test_contacts(supplements, score):
    assert scoring.contacts_score(supplements) == score


def test_bodies_and_attitude():
    assert scoring.bodies_score(set(), {1}) == 2
    assert scoring.bodies_score({1}, {1}) == 1
    assert scoring.bodies_score({1, 2}, {1}) == 0
    assert scoring.attitude_score("early", False) == 2
    assert scoring.attitude_score("on_time", False) == 1
    assert scoring.attitude_score("early", True) == 0
    assert scoring.attitude_score("", False) is None


# ---------------------------------------------------------------------------------------
# Petitions as facts and indicator 8


def changed(pk, action, **fields):
    values = {"code": f"PAKN-{pk}", "status": action, "agency_id": 7}
    return PetitionChanged(petition_id=pk, action=action, **{**values, **fields})


def test_petition_facts_on_time_late_prolonged_and_rejected(db):
    from motcua.catalogue.models import Agency
    from motcua.factories import AgencyFactory

    agency = AgencyFactory()
    assert isinstance(agency, Agency)
    aid = agency.pk
    filed, due = at(2025, 11, 3, 9), at(2025, 11, 24, 9)
    # 1: answered before its deadline; 2: answered after; 3: escalated unanswered (kéo dài);
    # 4: rejected.
    for pk in (1, 2, 3, 4):
        record_petition_changed(changed(pk, "filed", agency_id=aid, due_at=due), at=filed)
    record_petition_changed(changed(1, "answered", agency_id=aid), at=at(2025, 11, 20, 9))
    record_petition_changed(changed(2, "answered", agency_id=aid), at=at(2025, 11, 25, 9))
    record_petition_late(PetitionLate(petition_id=3, code="PAKN-3", stage="resolve", agency_id=aid))
    record_petition_changed(changed(4, "rejected", agency_id=aid), at=at(2025, 11, 4, 9))
    facts = {f.pk: f for f in PetitionFact.objects.all()}
    assert facts[1].on_time and not facts[1].late
    assert facts[2].late and not facts[2].on_time
    assert facts[3].prolonged and facts[3].late
    assert facts[4].rejected
    assert scoring.petition_counts(agency_id=aid, period=Q4) == {
        "handled": 3,
        "on_time": 1,
        "prolonged": 1,
    }
    assert scoring.petitions_score(agency_id=aid, period=Q4) == 0


def test_indicator_eight_at_ninety_per_cent(db):
    from motcua.factories import AgencyFactory

    aid = AgencyFactory().pk
    filed, due = at(2025, 10, 1, 9), at(2025, 10, 22, 9)
    assert scoring.petitions_score(agency_id=aid, period=Q4) == 2  # none at all
    for pk in range(1, 11):
        record_petition_changed(changed(pk, "filed", agency_id=aid, due_at=due), at=filed)
        record_petition_changed(changed(pk, "answered", agency_id=aid), at=at(2025, 10, 20, 9))
    assert scoring.petitions_score(agency_id=aid, period=Q4) == 2  # 10 of 10 on time
    record_petition_changed(changed(11, "filed", agency_id=aid, due_at=due), at=filed)
    record_petition_changed(changed(11, "answered", agency_id=aid), at=at(2025, 10, 23, 9))
    assert scoring.petitions_score(agency_id=aid, period=Q4) == 1  # 10 of 11: 90.9 %
    record_petition_changed(changed(12, "filed", agency_id=aid, due_at=due), at=filed)
    record_petition_changed(changed(12, "answered", agency_id=aid), at=at(2025, 10, 23, 9))
    assert scoring.petitions_score(agency_id=aid, period=Q4) == 0  # 10 of 12: 83.3 %


# ---------------------------------------------------------------------------------------
# The agency's indicators 5 and 9


def test_one_stop_organisation(db):
    from motcua.factories import AgencyFactory, ProcedureFactory, UnitFactory
    from motcua.workflow.models import Workflow

    agency = AgencyFactory()  # a province: 20 % of the procedures handled at the desk for 2
    UnitFactory(agency=agency, code="mot-cua", name="Bộ phận Một cửa", kind="desk")
    on = Q4.end
    assert scoring.one_stop_score(agency_id=agency.pk, on=on) is None  # no procedure
    at_desk = {"steps": [{"key": k, "unit": "mot-cua", "days": 1} for k in ("a", "b", "c")]}
    elsewhere = {"steps": [{"key": "a", "unit": "mot-cua", "days": 1}, {"key": "b", "unit": "x"}]}
    procedures = [ProcedureFactory(agency=agency) for _ in range(5)]
    for p in procedures[:4]:
        Workflow.objects.create(procedure=p, version=1, definition=elsewhere)
    assert scoring.one_stop_score(agency_id=agency.pk, on=on) == 0  # one without a workflow
    Workflow.objects.create(procedure=procedures[4], version=1, definition=elsewhere)
    assert scoring.one_stop_score(agency_id=agency.pk, on=on) == 1  # 0 of 5 at the desk
    Workflow.objects.create(procedure=procedures[4], version=2, definition=at_desk)
    assert scoring.one_stop_score(agency_id=agency.pk, on=on) == 2  # 1 of 5: 20 %


def test_online_services(db):
    from motcua.catalogue.models import Procedure
    from motcua.factories import AgencyFactory, ProcedureFactory

    agency = AgencyFactory()
    path = f"/{agency.pk}/"
    ProcedureFactory(agency=agency, service_level=Procedure.ServiceLevel.FULL)
    for _ in range(4):
        ProcedureFactory(agency=agency, service_level=Procedure.ServiceLevel.NONE)

    def received(pk, channel, **fields):
        DossierFact.objects.create(
            dossier_id=pk,
            status=10,
            agency_id=agency.pk,
            agency_path=path,
            sector_id=1,
            procedure_id=1,
            procedure_code="A",
            channel=channel,
            submitted_at=at(2025, 11, 3, 9),
            received_at=at(2025, 11, 3, 9),
            ended_at=at(2025, 11, 4, 9),
            ending="returned",
            timeliness=fields.pop("timeliness", "early"),
            **fields,
        )

    for pk in range(1, 8):
        received(pk, "counter")
    for pk in range(8, 11):
        received(pk, "online")
    # 1 of 5 procedures online (20 %), 3 of 10 dossiers online (30 %), none late: 2.
    assert scoring.online_score(agency_id=agency.pk, period=Q4) == 2

    def change(*pks, **fields):  # saved one by one: the aggregates follow (decision 0060)
        for fact in DossierFact.objects.filter(pk__in=pks):
            for name, value in fields.items():
                setattr(fact, name, value)
            fact.save()

    change(10, channel="counter")  # 20 % online: 1
    assert scoring.online_score(agency_id=agency.pk, period=Q4) == 1
    change(9, channel="counter")  # 10 %: 0
    assert scoring.online_score(agency_id=agency.pk, period=Q4) == 0
    change(9, 10, channel="online")
    change(8, timeliness="late")  # an online dossier late: 0
    assert scoring.online_score(agency_id=agency.pk, period=Q4) == 0
