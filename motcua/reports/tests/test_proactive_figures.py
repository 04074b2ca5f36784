"""The proactive services' figures (issue 17, decision 0086): what each counts, and the
manager dashboard and the public statistics page showing them."""

from datetime import datetime
from decimal import Decimal

import lxml.html
import pytest
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_discard
from motcua.factories import (
    AgencyFactory,
    ProcedureFactory,
    make_organisation,
    make_submitted_dossier,
)
from motcua.proactive.models import ReminderRule
from motcua.reports import indicators as ind
from motcua.reports import proactive

pytestmark = pytest.mark.django_db

NOVEMBER = ind.month(year=2026, month=11)


def at(month, day):
    return timezone.make_aware(datetime(2026, month, day, 10, 0))


def prepared_draft(procedure, applicant, **fields):
    """A draft the agency prepared (as proactive.preparing leaves it)."""
    return Dossier.objects.create(
        procedure=procedure,
        applicant=applicant,
        receiving_agency=procedure.receiving_agency,
        proactive_level=2,
        prepared_at=timezone.now(),
        proactive={"fields_prefilled": 12, "components_held": 2},
        **fields,
    )


def submitted(procedure, applicant, plate, *, level, fields=0, components=0):
    extra = {"proactive_level": level}
    if level >= 2:
        extra["prepared_at"] = timezone.now()
        extra["proactive"] = {"fields_prefilled": fields, "components_held": components}
    return make_submitted_dossier(procedure, applicant, plate=plate, **extra)


@pytest.fixture
def november(org, citizen, clock):
    """In November 2026, at the agency of `org`: a level-2 dossier submitted from its prepared
    draft, a level-3 one, one started from a reminder's link (level 1), one the person started
    alone, a prepared draft still waiting; a draft prepared in October and submitted in
    November; a level-2 dossier of another agency."""
    p = org.procedure
    clock.current = at(10, 28)
    october = prepared_draft(p, citizen)
    clock.current = at(11, 3)
    made = {
        "level2": submitted(p, citizen, "75A-200.01", level=2, fields=10, components=12),
        "level3": submitted(p, citizen, "75A-200.02", level=3, fields=5, components=1),
        "level1": submitted(p, citizen, "75A-200.03", level=1),
        "alone": submitted(p, citizen, "75A-200.04", level=0),
        "waiting": prepared_draft(p, citizen),
    }
    clock.current = at(11, 12)
    Dossier.objects.filter(pk=october.pk).update(
        status=1,
        submitted_at=timezone.now(),
        proactive={"fields_prefilled": 3, "components_held": 1},
    )
    other = make_organisation(ProcedureFactory(name="Cấp giấy phép lái xe"))
    submitted(other.procedure, citizen, "75A-200.05", level=2, fields=50, components=50)
    clock.current = at(12, 7)
    return made


def agency_scope(org):
    return ind.Scope(agency_id=org.procedure.receiving_agency_id)


def test_each_figure_counts_what_it_says(org, november):
    f = proactive.figures(period=NOVEMBER, scope=agency_scope(org))
    # Started in November: the level-2, level-3 and level-1 dossiers and the waiting draft;
    # not the person's own dossier, not October's draft, not the other agency's.
    assert f.started == 4
    assert f.started_by_level == {1: 1, 2: 2, 3: 1}
    # Submitted from a prepared draft in November: level 2, level 3 and October's draft.
    assert f.submitted_prepared == 3
    # (10 + 5 + 3) fields × 20 s + (12 + 1 + 1) components × 300 s = 360 + 4200 = 4560 s.
    assert (f.fields_prefilled, f.components_held) == (18, 14)
    assert f.seconds_saved == 4560
    assert (f.hours_saved, f.minutes_saved) == (1, 16)


def test_the_seconds_are_settings(org, november, settings):
    settings.PROACTIVE_SECONDS_PER_FIELD = 60
    settings.PROACTIVE_SECONDS_PER_COMPONENT = 0
    f = proactive.figures(period=NOVEMBER, scope=agency_scope(org))
    assert f.seconds_saved == 18 * 60


def test_october_counts_the_draft_prepared_then(org, november):
    f = proactive.figures(period=ind.month(year=2026, month=10), scope=agency_scope(org))
    assert (f.started, f.submitted_prepared) == (1, 0)


def test_a_discarded_prepared_draft_no_longer_counts_as_started(org, citizen, november):
    dossier_discard(dossier=november["waiting"], applicant=citizen)
    f = proactive.figures(period=NOVEMBER, scope=agency_scope(org))
    assert f.started == 3 and f.started_by_level[2] == 1


def test_the_nation_counts_every_agency(org, november):
    f = proactive.figures(period=NOVEMBER, scope=ind.Scope())
    assert (f.started, f.submitted_prepared) == (5, 4)


def test_an_agency_counts_its_sub_agencies_dossiers(org, citizen, november, clock):
    """The dossiers received by an agency below the filtered one count for it (as in the
    facts); the levels stay those of the procedures the filtered agency itself handles."""
    parent = org.procedure.receiving_agency
    child = AgencyFactory(parent=parent)
    clock.current = at(11, 20)
    below = ProcedureFactory(agency=child)
    submitted(below, citizen, "75A-200.06", level=2, fields=1, components=0)
    clock.current = at(12, 7)
    with_below = proactive.figures(period=NOVEMBER, scope=ind.Scope(agency_id=parent.pk))
    assert (with_below.started, with_below.submitted_prepared) == (5, 4)
    assert with_below.fields_prefilled == 19
    assert sum(row["procedures"] for row in with_below.levels) == 1
    alone = proactive.figures(period=NOVEMBER, scope=ind.Scope(agency_id=child.pk))
    assert (alone.started, alone.submitted_prepared) == (1, 1)


def test_one_query_for_the_dossiers(org, november, django_assert_num_queries):
    # The agency tree (one level: no sub-agency), the dossiers' aggregate, the procedures
    # in force, the rules.
    with django_assert_num_queries(4):
        proactive.figures(period=NOVEMBER, scope=agency_scope(org))


def text(node) -> str:
    return " ".join(node.text_content().split())


def test_the_manager_dashboard_shows_them(client, org, november):
    ReminderRule.objects.create(
        procedure_code=org.procedure.code,
        name="Nhắc cấp lại",
        due="valid_until",
        offsets=[30],
        offer_code=org.procedure.code,
        prepare=True,
        recommend=False,
    )
    login_officer(client, org.leader)
    response = client.get("/officer/reports/", {"kind": "month", "year": 2026, "number": 11})
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    started = text(doc.get_element_by_id("proactive-started"))
    assert "Hồ sơ bắt đầu chủ động 4" in started
    assert "1 từ lời nhắc, 2 được chuẩn bị sẵn, 1 được chuẩn bị sẵn kèm khuyến nghị" in started
    submitted_card = doc.get_element_by_id("proactive-submitted")
    assert text(submitted_card.find_class("stat-value")[0]) == "3"
    assert "75,00 % so với số hồ sơ bắt đầu chủ động trong kỳ" in text(submitted_card)
    saved = text(doc.get_element_by_id("proactive-saved"))
    assert "1 giờ 16 phút" in saved and "18 trường điền sẵn × 20 giây" in saved

    # The agency's one procedure is offered at level 2.
    def cells(level):
        return [text(td) for td in doc.get_element_by_id(f"proactive-level-{level}").xpath("td")]

    assert cells(2) == ["1", "100,00 %"]
    assert cells(0) == ["0", "0,00 %"]


def test_the_public_page_shows_them_without_personal_data(client, org, citizen, november):
    response = client.get(
        "/statistics/",
        {"kind": "month", "year": 2026, "number": 11, "agency": org.procedure.agency_id},
    )
    assert response.status_code == 200
    body = response.content.decode()
    doc = lxml.html.fromstring(body)
    assert "Hồ sơ bắt đầu chủ động 4" in text(doc.get_element_by_id("proactive-started"))
    assert "1 giờ 16 phút" in text(doc.get_element_by_id("proactive-saved"))
    assert citizen.full_name not in body and "75A-200.01" not in body
    english = client.get(
        "/statistics/",
        {"kind": "month", "year": 2026, "number": 11, "lang": "en"},
    )
    assert "Proactive public services" in english.content.decode()


def test_the_time_saved_never_shows_60_minutes():
    f = proactive.ProactiveFigures(
        started=1,
        started_by_level={1: 0, 2: 1, 3: 0},
        submitted_prepared=1,
        fields_prefilled=179,
        components_held=0,
        seconds_per_field=20,
        seconds_per_component=300,
        levels=[],
    )
    assert f.seconds_saved == 3580  # 59 min 40 s: "1 giờ 0 phút", not "0 giờ 60 phút"
    assert (f.hours_saved, f.minutes_saved) == (1, 0)


def test_the_levels_follow_the_dashboards_sector_and_procedure(org, november):
    other = ProcedureFactory(name="Cấp giấy phép lái xe", agency=org.procedure.agency)
    scope = ind.Scope(agency_id=org.procedure.agency_id, procedure_code=other.code)
    f = proactive.figures(period=NOVEMBER, scope=scope)
    assert sum(row["procedures"] for row in f.levels) == 1
    everything = proactive.figures(period=NOVEMBER, scope=agency_scope(org))
    assert sum(row["procedures"] for row in everything.levels) == 2


def test_the_shares_of_the_procedures_in_force(org):
    """Each level's count and share of the procedures in force (two decimals)."""
    agency = org.procedure.agency
    alone = ProcedureFactory(agency=agency, result_group="nhom-mot-minh")
    ProcedureFactory(agency=agency)
    for offer, prepare in [(org.procedure.code, False), (alone.code, True)]:
        ReminderRule.objects.create(
            procedure_code=offer,
            name="Nhắc",
            due="valid_until",
            offsets=[30],
            offer_code=offer,
            prepare=prepare,
            recommend=True,  # nothing to compare: level 2 at most
        )
    assert proactive.level_shares(ind.Scope(agency_id=agency.pk)) == [
        {"level": 0, "procedures": 1, "share": Decimal("33.33")},
        {"level": 1, "procedures": 1, "share": Decimal("33.33")},
        {"level": 2, "procedures": 1, "share": Decimal("33.33")},
        {"level": 3, "procedures": 0, "share": Decimal("0.00")},
    ]


def test_no_procedure_no_share(db):
    shares = proactive.level_shares(ind.Scope(agency_id=AgencyFactory().pk))
    assert [row["share"] for row in shares] == [None, None, None, None]


def test_one_in_three_shows_as_33_33_percent(client, org, citizen, clock):
    """The shares show two decimals, as every other rate on the page: 1 of 3 is "33,33 %",
    not "33,30 %"."""
    p = org.procedure
    ProcedureFactory(agency=p.agency)
    ProcedureFactory(agency=p.agency)
    ReminderRule.objects.create(
        procedure_code=p.code,
        name="Nhắc cấp lại",
        due="valid_until",
        offsets=[30],
        offer_code=p.code,
        prepare=True,
        recommend=False,
    )
    clock.current = at(11, 3)
    submitted(p, citizen, "75A-200.01", level=2, fields=1, components=0)
    prepared_draft(p, citizen)
    prepared_draft(p, citizen)
    clock.current = at(12, 7)
    response = client.get(
        "/statistics/", {"kind": "month", "year": 2026, "number": 11, "agency": p.agency_id}
    )
    doc = lxml.html.fromstring(response.content.decode())
    submitted_card = doc.get_element_by_id("proactive-submitted")
    assert text(submitted_card.find_class("stat-value")[0]) == "1"
    assert "33,33 % so với số hồ sơ bắt đầu chủ động trong kỳ" in text(submitted_card)
    level2 = doc.get_element_by_id("proactive-level-2")
    assert [text(td) for td in level2.xpath("td")] == ["1", "33,33 %"]
    level0 = doc.get_element_by_id("proactive-level-0")
    assert [text(td) for td in level0.xpath("td")] == ["2", "66,67 %"]
