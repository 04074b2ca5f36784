"""Who reads which agency's figures (reports.access), and the one filter form of every
statistics page (reports.filters.ReportFilter) on good and bad query strings (issue 14)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.http import QueryDict

from motcua.accounts.models import Role
from motcua.factories import AgencyFactory, UnitFactory, UserFactory, make_officer
from motcua.reports import access
from motcua.reports import indicators as ind
from motcua.reports.filters import ReportFilter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)  # the fourth quarter of 2026


@pytest.fixture
def agencies(db):
    """A ministry's department (parent) with a sub-agency, and an unrelated agency."""
    parent = AgencyFactory(name="Cục Đường bộ Việt Nam")
    child = AgencyFactory(name="Khu Quản lý đường bộ II", parent=parent)
    other = AgencyFactory(name="Sở Giao thông vận tải Huế")
    return parent, child, other


def officer(agency, role, **fields):
    unit = UnitFactory(agency=agency, kind="desk" if role == Role.DESK else "specialist")
    return make_officer(agency, (unit, role), **fields)


@pytest.fixture
def manager(agencies):
    return officer(agencies[0], Role.LEADER, full_name="Võ Thị Lan")


@pytest.fixture
def national(agencies):
    return make_officer(agencies[2], full_name="Quản trị", is_superuser=True)


def names(queryset):
    return sorted(a.name for a in queryset)


# ---------------------------------------------------------------------------------------
# access


def test_a_national_reader_reads_every_agency_and_the_whole_country(agencies, national):
    parent, child, other = agencies
    assert access.is_national(national) and access.can_read_reports(national)
    assert names(access.readable_agencies(national)) == names(agencies)
    assert access.can_read_agency(national, None)  # the national scope
    assert access.can_read_agency(national, other.pk)
    assert access.default_agency_id(national) is None

    # The permission alone, without being a superuser or managing any agency, is enough.
    reader = make_officer(other, full_name="Thanh tra Bộ")
    assert not access.can_read_reports(reader)
    reader.user_permissions.add(Permission.objects.get(codename="view_national"))
    reader = type(reader).objects.get(pk=reader.pk)  # permissions are cached on the user
    assert access.is_national(reader) and access.can_read_agency(reader, None)


def test_a_manager_of_a_parent_agency_reads_its_sub_agencies_and_nothing_else(agencies, manager):
    parent, child, other = agencies
    assert access.can_read_reports(manager) and not access.is_national(manager)
    assert access.managed_agency_ids(manager) == {parent.pk}
    assert names(access.readable_agencies(manager)) == names([parent, child])
    assert access.can_read_agency(manager, child.pk)
    assert not access.can_read_agency(manager, other.pk)
    assert not access.can_read_agency(manager, None)  # not the whole country
    assert access.default_agency_id(manager) == parent.pk

    # A unit head of the sub-agency reads the sub-agency, not its parent.
    head = officer(child, Role.UNIT_HEAD)
    assert names(access.readable_agencies(head)) == [child.name]
    assert not access.can_read_agency(head, parent.pk)


def test_a_manager_of_two_agencies_reads_both_with_their_sub_agencies(agencies):
    parent, child, other = agencies
    grandchild = AgencyFactory(name="Trạm thu phí Pháp Vân", parent=child)
    both = make_officer(
        parent,
        (UnitFactory(agency=parent, kind="specialist"), Role.LEADER),
        (UnitFactory(agency=other, kind="specialist"), Role.AGENCY_ADMIN),
    )
    assert names(access.readable_agencies(both)) == names([parent, child, grandchild, other])
    assert access.can_read_agency(both, grandchild.pk)


@pytest.mark.parametrize("role", [Role.DESK, Role.SPECIALIST])
def test_desk_officers_and_specialists_read_no_figures(agencies, role):
    parent, child, _other = agencies
    user = officer(parent, role)
    assert not access.can_read_reports(user)
    assert not access.readable_agencies(user).exists()
    assert not access.can_read_agency(user, parent.pk)
    assert not access.can_read_agency(user, None)
    assert access.default_agency_id(user) is None


def test_a_citizen_and_a_visitor_read_no_figures(agencies):
    from django.contrib.auth.models import AnonymousUser

    for user in (UserFactory(), AnonymousUser()):
        assert not access.can_read_reports(user)
        assert not access.can_read_agency(user, agencies[0].pk)


# ---------------------------------------------------------------------------------------
# The filter


def form(query: str, user, **kwargs):
    return ReportFilter(QueryDict(query), user=user, today=TODAY, **kwargs)


def test_without_a_query_a_manager_lands_on_this_quarter_of_their_agency(agencies, manager):
    f = ReportFilter(None, user=manager, today=TODAY)
    assert f.period == ind.quarter(year=2026, quarter=4) and f.period.kind == "quarter"
    assert f.scope == ind.Scope(agency_id=agencies[0].pk)
    # A national reader lands on the whole country.
    national = make_officer(agencies[2], is_superuser=True)
    assert ReportFilter(None, user=national, today=TODAY).scope == ind.Scope()


def test_a_month_of_a_sub_agency_and_its_query_string_round_trip(agencies, manager):
    child = agencies[1]
    f = form(f"kind=month&year=2026&number=10&agency={child.pk}&channel=online", manager)
    assert f.is_valid(), f.errors
    assert f.period == ind.month(year=2026, month=10) and f.period.label == "10/2026"
    assert f.scope == ind.Scope(agency_id=child.pk, channel="online")
    again = form(f.query(), manager)
    assert (again.period, again.period.kind, again.scope) == (f.period, "month", f.scope)
    # A link to the same figures for another channel changes only that.
    assert form(f.query(channel="counter"), manager).scope.channel == "counter"


def test_a_range_of_dates_in_day_month_year(agencies, manager):
    f = form(f"kind=range&start=01/10/2026&end=15/10/2026&agency={agencies[0].pk}", manager)
    assert f.is_valid(), f.errors
    assert f.period == ind.Period(date(2026, 10, 1), date(2026, 10, 15))
    assert f.period.label == "01/10/2026 – 15/10/2026"
    again = form(f.query(), manager)
    assert again.is_valid() and again.period == f.period


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("kind=month&year=abc&number=10", "year", "Nhập một số"),
        ("kind=month&year=2026&number=13", "number", "nhỏ hơn hoặc bằng với 12"),
        ("kind=quarter&year=2026&number=5", "number", "Quý là một số từ 1 đến 4."),
        (
            "kind=range&start=15/10/2026&end=01/10/2026",
            "end",
            "Ngày kết thúc phải sau ngày bắt đầu.",
        ),
        ("kind=range&start=01/01/2000&end=01/01/2020", "end", "Khoảng ngày dài tối đa 10 năm."),
        ("kind=range&start=01/01/2026", "__all__", "Hãy nhập cả ngày bắt đầu và ngày kết thúc."),
        ("kind=week&year=2026", "kind", "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_a_bad_query_string_says_why_and_falls_back_to_the_default(
    agencies, manager, query, field, message
):
    f = form(f"{query}&agency={agencies[1].pk}", manager)
    assert not f.is_valid()
    assert any(message in error for error in f.errors[field]), f.errors
    # Never a 500: the page still has a period and a scope, the defaults, which are the
    # manager's own agency (not the whole country) and this quarter.
    assert f.period == ind.quarter(year=2026, quarter=4)
    assert f.scope.agency_id == agencies[0].pk


def test_an_agency_the_user_may_not_read_is_refused(agencies, manager):
    other = agencies[2]
    f = form(f"kind=year&year=2025&agency={other.pk}", manager)
    assert not f.is_valid() and "agency" in f.errors
    assert f.scope.agency_id == agencies[0].pk  # back to their own agency, never the other
    # Nor may a manager ask for the whole country by leaving the agency empty: that reads
    # their own agency (decision 0059).
    f = form("kind=year&year=2025&agency=", manager)
    assert f.is_valid() and f.scope.agency_id == agencies[0].pk


def test_the_public_page_reads_any_agency_and_the_whole_country(agencies):
    other = agencies[2]
    f = ReportFilter(QueryDict(f"kind=year&year=2025&agency={other.pk}"), public=True)
    assert f.is_valid(), f.errors
    assert f.period == ind.year(year=2025) and f.scope.agency_id == other.pk
    assert ReportFilter(QueryDict("kind=year&year=2025"), public=True).scope == ind.Scope()
