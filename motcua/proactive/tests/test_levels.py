"""The proactive level each procedure in force is offered at (decision 0086)."""

from datetime import date

import pytest

from motcua.catalogue.models import Procedure
from motcua.factories import AgencyFactory, ProcedureFactory
from motcua.proactive.levels import procedure_levels
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
    assert procedure_levels(procedure_id=catalogue["new"].pk) == {"1.000703": 0}
    assert procedure_levels(agency_id=catalogue["badge"].agency_id, sector_id=-1) == {}


def test_a_code_with_two_versions_in_force_counts_once(catalogue):
    badge = catalogue["badge"]
    ProcedureFactory(code=badge.code, agency=badge.agency, effective_from=date(2024, 1, 1))
    assert list(procedure_levels()).count("2.002288") == 1


def test_level_3_reads_the_newest_version_in_force(catalogue):
    """As catalogue.selectors.procedure_in_force: an older overlapping version's result group
    does not make the newest one comparable."""
    rule("2.002286")
    newest = catalogue["reissue"]
    ProcedureFactory(
        code="2.002286",
        agency=newest.agency,
        result_group="giay-phep-kinh-doanh-van-tai",
        effective_from=newest.effective_from.replace(year=newest.effective_from.year - 1),
    )
    Procedure.objects.filter(pk=newest.pk).update(result_group="")
    assert procedure_levels()["2.002286"] == 2


def test_two_queries_when_no_rule_recommends(catalogue, django_assert_num_queries):
    rule("2.002288", prepare=False)
    with django_assert_num_queries(2):
        procedure_levels(agency_id=catalogue["badge"].agency_id)
