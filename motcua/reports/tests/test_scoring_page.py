"""The scoring page: who reads it, what it shows, bad filters (decision 0061)."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.factories import AgencyFactory, UnitFactory, make_officer
from motcua.reports import indicators as ind
from motcua.reports.models import OfficerScore, UnitScore

pytestmark = pytest.mark.django_db

URL = "/officer/reports/scoring/"
Q4 = "kind=quarter&year=2025&number=4"


@pytest.fixture
def scored(org):
    """One dossier of the agency resolved in November 2025, handled by the specialist."""
    common = {
        "dossier_id": 1,
        "agency_id": org.agency.pk,
        "agency_path": f"/{org.agency.pk}/",
        "sector_id": 1,
        "ended_at": timezone.make_aware(datetime(2025, 11, 5, 10)),
        "i1": 2,
        "i2": 1,
        "i3": 2,
        "i4": 2,
        "i7": 2,
    }
    UnitScore.objects.create(unit_id=org.department.pk, i6=1, **common)
    OfficerScore.objects.create(unit_id=org.department.pk, officer_id=org.specialist.pk, **common)
    return org


def test_the_url_name():
    assert reverse("reports:scoring") == URL


def test_a_manager_reads_the_units_and_officers_of_the_agency(client, scored):
    login_officer(client, scored.head)  # a unit head manages the agency's figures
    response = client.get(f"{URL}?{Q4}&agency={scored.agency.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Quý 4/2025" in page
    assert scored.department.name in page and scored.specialist.full_name in page
    assert "Hoàn thành 100% nhiệm vụ" in page  # 2 + 1 + 2 + 2 + 2 = 9
    assert f"figure=score_officer_{scored.specialist.pk}" in page
    assert f"figure=score_unit_{scored.department.pk}" in page
    assert "/officer/reports/dossiers/?" in page


def test_a_desk_officer_may_not_read_it(client, scored):
    login_officer(client, scored.desk_officer)
    assert client.get(f"{URL}?{Q4}").status_code == 403


def test_a_citizen_may_not_read_it(client, scored, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code == 403


def test_a_manager_of_another_agency_does_not_read_this_ones_officers(client, scored):
    other = AgencyFactory()
    unit = UnitFactory(agency=other, code="lanh-dao", name="Lãnh đạo Sở khác", kind="leadership")
    leader = make_officer(other, (unit, Role.LEADER), full_name="Đinh Văn Khác")
    login_officer(client, leader)
    response = client.get(f"{URL}?{Q4}&agency={scored.agency.pk}")
    page = response.content.decode()
    assert response.status_code == 200  # the filter refuses the agency, with a message
    assert "Có lỗi cần sửa" in page
    assert scored.specialist.full_name not in page
    assert scored.department.name not in page


def test_a_national_reader_reads_every_agency(client, scored):
    boss = make_officer(None, full_name="Quản trị", is_superuser=True)
    login_officer(client, boss)
    page = client.get(f"{URL}?{Q4}").content.decode()
    assert scored.specialist.full_name in page


@pytest.mark.parametrize("query", ["kind=month&year=2025&number=11", "year=abc", "number=9"])
def test_bad_filters_fall_back_never_a_500(client, scored, query):
    """A month (scoring is by quarter or year), letters for a year, month 9 of a quarter: the
    page says what to fix and shows the default quarter's scores, never a 500."""
    login_officer(client, scored.head)
    response = client.get(f"{URL}?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Có lỗi cần sửa" in page
    today = timezone.localdate()
    default = ind.quarter(year=today.year, quarter=(today.month + 2) // 3)
    assert default.label in page  # the default period, not the one asked for


def test_a_manager_without_a_chosen_agency_reads_their_own(client, scored):
    login_officer(client, scored.head)
    page = client.get(f"{URL}?{Q4}").content.decode()
    assert scored.specialist.full_name in page and "Có lỗi cần sửa" not in page


def test_a_score_drills_down_to_the_dossiers_scored_for_that_unit(client, scored, dossier):
    """The dossier count beside a unit's score opens the dossiers it was scored on, and
    counts the ones the reader may not open (a national reader outside the agency's
    units opens none)."""
    from motcua.reports.facts import refresh_fact

    refresh_fact(dossier_id=dossier.pk)
    UnitScore.objects.filter(dossier_id=1).update(dossier_id=dossier.pk)
    boss = make_officer(None, full_name="Quản trị", is_superuser=True)
    login_officer(client, boss)
    response = client.get(
        f"/officer/reports/dossiers/?figure=score_unit_{scored.department.pk}&{Q4}"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hồ sơ tính điểm cho đơn vị" in page
    assert "1 hồ sơ thuộc đơn vị khác, bạn không có quyền xem." in page
    other = client.get(
        f"/officer/reports/dossiers/?figure=score_unit_{scored.department.pk + 99}&{Q4}"
    )
    assert "không có quyền xem" not in other.content.decode()
    assert client.get(f"/officer/reports/dossiers/?figure=score_unit_x&{Q4}").status_code == 400
