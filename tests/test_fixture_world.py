"""The organisation and officers every app's tests are built on (motcua.factories)."""

from motcua.accounts import two_factor
from motcua.accounts.models import Role
from motcua.factories import STANDARD_WORKFLOW
from motcua.workflow.models import Workflow


def test_the_organisation_has_one_officer_per_role_each_with_a_second_factor(org, procedure):
    assert org.procedure == procedure and org.agency == procedure.receiving_agency
    assert {unit.agency for unit in (org.desk, org.department, org.leadership)} == {org.agency}
    assert (org.desk.kind, org.department.kind, org.leadership.kind) == (
        "desk",
        "specialist",
        "leadership",
    )
    roles = {
        "desk_officer": (org.desk, Role.DESK),
        "desk_head": (org.desk, Role.UNIT_HEAD),
        "specialist": (org.department, Role.SPECIALIST),
        "head": (org.department, Role.UNIT_HEAD),
        "leader": (org.leadership, Role.LEADER),
        "admin": (org.desk, Role.AGENCY_ADMIN),
    }
    for attribute, (unit, role) in roles.items():
        officer = getattr(org, attribute)
        assert officer.kind == "officer" and officer.agency == org.agency
        assert [(m.unit, m.role) for m in officer.memberships.all()] == [(unit, role)]
        assert two_factor.confirmed_totp_device(officer) is not None
    assert Workflow.objects.get(procedure=procedure) == org.workflow
    assert org.workflow.definition == STANDARD_WORKFLOW


def test_make_officer_holds_every_membership_and_may_lack_the_second_factor(org, make_officer):
    both = make_officer(
        org.agency, (org.desk, Role.DESK), (org.department, Role.SPECIALIST), full_name="Hai Việc"
    )
    assert {(m.unit, m.role) for m in both.memberships.all()} == {
        (org.desk, Role.DESK),
        (org.department, Role.SPECIALIST),
    }
    newcomer = make_officer(second_factor=False, email="moi@example.vn")
    assert newcomer.agency is None and not newcomer.memberships.exists()
    assert newcomer.email == "moi@example.vn"
    assert two_factor.confirmed_totp_device(newcomer) is None
