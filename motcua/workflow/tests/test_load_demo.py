import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.accounts import representation
from motcua.accounts.models import Authorisation, OrganisationMember, User
from motcua.accounts.testing import login_officer
from motcua.accounts.validators import validate_citizen_id, validate_tax_code
from motcua.catalogue.models import Procedure
from motcua.workflow.management.commands.load_demo import (
    DEMO_ACCOUNTS,
    DEMO_OFFICERS,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
)

pytestmark = pytest.mark.django_db


def _load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_creates_catalogue_and_accounts_once_and_prints_them(client):
    _load_demo()
    User.objects.filter(email="citizen@demo.motcua.vn").update(full_name="Đã đổi")
    output = _load_demo()

    assert Procedure.objects.count() == 78
    assert User.objects.count() == len(DEMO_ACCOUNTS) + len(DEMO_OFFICERS) + len(DEMO_PEOPLE)
    assert "motcua@demo.motcua.vn" in output and "Cán bộ một cửa" in output
    desk = User.objects.get(email="motcua@demo.motcua.vn")
    assert desk.kind == User.Kind.OFFICER and desk.memberships.get().unit.kind == "desk"
    for login in ("citizen@demo.motcua.vn", "0912345678", "admin@demo.motcua.vn", DEMO_PASSWORD):
        assert login in output
    # The sandbox VNeID's people, to sign in with the VNeID button.
    assert "Đăng nhập VNeID thử nghiệm" in output and "046092004567" in output

    citizen = User.objects.get(email="citizen@demo.motcua.vn")
    assert citizen.full_name == "Lê Thị Thu Hà"  # reset to the documented demo profile
    assert citizen.is_verified and citizen.kind == User.Kind.CITIZEN
    validate_citizen_id(citizen.citizen_id, citizen.date_of_birth)

    company = User.objects.get(kind=User.Kind.ORGANISATION)
    validate_tax_code(company.tax_code)
    assert company.representative and company.organisation_name

    admin = User.objects.get(email="admin@demo.motcua.vn")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    login_officer(client, admin)
    assert client.get("/admin/catalogue/procedure/").status_code == 200


def test_load_demo_gives_the_company_its_members_and_the_citizen_an_agent_once():
    _load_demo()
    _load_demo()
    company = User.objects.get(kind=User.Kind.ORGANISATION)
    roles = {
        m.user.full_name: m.role
        for m in OrganisationMember.objects.filter(organisation=company).select_related("user")
    }
    assert roles == {
        "Trần Văn Bình": "administrator",
        "Nguyễn Minh Khoa": "applicant",
        "Phạm Thị Lan": "follower",
    }
    khoa = User.objects.get(citizen_id="046092004567")
    assert khoa.has_verified_identity
    assert representation.standing(khoa, company.pk, act=True).via == "member"
    lan = User.objects.get(citizen_id="046195007890")
    assert representation.standing(lan, company.pk, act=True) is None
    citizen = User.objects.get(email="citizen@demo.motcua.vn")
    agent = User.objects.get(citizen_id="079080002468")
    (authorisation,) = Authorisation.objects.filter(principal=citizen)
    assert authorisation.valid_until > timezone.localdate()
    assert representation.standing(agent, citizen.pk, act=True).authorisation == authorisation


def test_signing_in_with_the_vneid_sandbox_lands_in_the_demo_account_with_its_membership():
    from motcua.accounts.contrib.vneid_sandbox.provider import subject
    from motcua.accounts.models import ExternalIdentity

    _load_demo()
    _load_demo()
    link = ExternalIdentity.objects.get(provider="vneid", subject=subject("046092004567"))
    assert link.user.full_name == "Nguyễn Minh Khoa"
    assert OrganisationMember.objects.get(user=link.user).role == "applicant"
    assert ExternalIdentity.objects.filter(provider="vneid").count() == 5  # Hà and 4 people
