"""The proactive level each procedure in force is offered at (decision 0086)."""

from datetime import date

import pytest

from motcua.catalogue.models import Procedure
from motcua.factories import AgencyFactory, ProcedureFactory
from motcua.proactive.levels import level_shares, procedure_levels
from motcua.proactive.models import ReminderRule

pytestmark = pytest.mark.django_db


def rule(offer, *, prepare=True, recommend=True, active=True, code=None):
    return ReminderRule.objects.create(
        procedure_code=code or offer,
        name=f"Nhắc {offer}",
        due="valid_until",
        offsets=[30, 10],
        offer_code=offer,
        prepare=prepare,
        recommend=recommend,
        is_active=active,
    )


@pytest.fixture
def catalogue():
    agency = AgencyFactory()
    made = {
        name: ProcedureFactory(code=code, agency=agency, result_group=group)
        for name, code, group in [
            ("badge", "2.002288", ""),
            ("new", "1.000703", "giay-phep-kinh-doanh-van-tai"),
            ("reissue", "2.002286", "giay-phep-kinh-doanh-van-tai"),
            ("alone", "1.000001", "nhom-mot-minh"),
            ("quiet", "1.000002", ""),
        ]
    }
    # Not in force: withdrawn, or not published; they count nowhere, not even as a group.
    ProcedureFactory(code="1.000009", result_group="nhom-mot-minh", effective_to=date(2025, 6, 1))
    ProcedureFactory(code="1.000010", result_group="nhom-mot-minh", is_published=False)
    return made


def test_each_procedure_gets_the_level_its_best_rule_offers(catalogue):
    rule("2.002288", prepare=False)  # reminds only: level 1
    rule("2.002286")  # prepares and recommends, with 1.000703 in its group: level 3
    rule("1.000703", recommend=False)  # prepares: level 2...
    rule("1.000703", prepare=False, code="2.002286")  # ...a weaker rule does not lower it
    rule("1.000001")  # recommends, but nothing else in force leads to its result: level 2
    rule("1.000002", active=False)  # inactive: none
    assert procedure_levels() == {
        "2.002288": 1,
        "1.000703": 2,
        "2.002286": 3,
        "1.000001": 2,
        "1.000002": 0,
    }


def test_the_shares_of_the_procedures_in_force(catalogue):
    rule("2.002288", prepare=False)
    rule("2.002286")
    assert level_shares() == [
        {"level": 0, "procedures": 3, "share": pytest.approx(60)},
        {"level": 1, "procedures": 1, "share": pytest.approx(20)},
        {"level": 2, "procedures": 0, "share": pytest.approx(0)},
        {"level": 3, "procedures": 1, "share": pytest.approx(20)},
    ]


def test_an_agency_counts_its_own_procedures_and_the_whole_catalogue_alternatives(catalogue):
    other = AgencyFactory()
    Procedure.objects.filter(code="1.000703").update(agency=other)
    rule("2.002286")
    assert procedure_levels(agency_id=catalogue["badge"].agency_id) == {
        "2.002288": 0,
        "2.002286": 3,  # its alternative is another agency's
        "1.000001": 0,
        "1.000002": 0,
    }
    assert procedure_levels(agency_id=other.pk) == {"1.000703": 0}


def test_no_procedure_no_share(db):
    assert [row["share"] for row in level_shares()] == [None, None, None, None]


def test_level_3_needs_an_alternative_taking_online_dossiers(catalogue):
    """recommend compares only procedures taking online dossiers: an offline re-issue in the
    group leaves nothing to recommend among."""
    rule("2.002286")
    Procedure.objects.filter(code="1.000703").update(service_level=Procedure.ServiceLevel.NONE)
    assert procedure_levels()["2.002286"] == 2
    Procedure.objects.filter(code="1.000703").update(
        service_level=Procedure.ServiceLevel.FULL, form_schema={}
    )
    assert procedure_levels()["2.002286"] == 2


def test_the_reports_filter_narrows_the_procedures_counted(catalogue):
    rule("2.002286")
    sector = catalogue["reissue"].sector_id
    assert procedure_levels(sector_id=sector) == {"2.002286": 3}
    assert procedure_levels(procedure_code="2.002288") == {"2.002288": 0}
    shares = level_shares(procedure_code="2.002286")
    assert [row["procedures"] for row in shares] == [0, 0, 0, 1]
