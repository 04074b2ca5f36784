import io

import pytest
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.accounts.testing import login_officer
from motcua.accounts.validators import validate_citizen_id, validate_tax_code
from motcua.catalogue.models import Procedure
from motcua.workflow.management.commands.load_demo import (
    DEMO_ACCOUNTS,
    DEMO_OFFICERS,
    DEMO_PASSWORD,
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
    assert User.objects.count() == len(DEMO_ACCOUNTS) + len(DEMO_OFFICERS)
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
