"""The agency administrator registers the agency's API clients (decision 0072)."""

import re
import uuid

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.api.models import ApiClient
from motcua.api.testing import basic, make_client, token_for
from motcua.core.models import AuditEntry
from motcua.factories import AgencyFactory, ProcedureFactory, make_organisation

pytestmark = pytest.mark.django_db

NEW = reverse("api_clients:new")


def register(client, **fields):
    data = {
        "agency": fields.pop("agency"),
        "name": "Phần mềm một cửa của Sở",
        "scopes": ["dossiers:read", "actions:write"],
        "rate_limit_per_minute": 120,
        **fields,
    }
    return client.post(NEW, data, follow=True)


def shown_secret(response) -> tuple[str, str]:
    body = response.content.decode()
    client_id = re.search(r'data-testid="client-id">([^<]+)<', body).group(1)
    secret = re.search(r'data-testid="client-secret">([^<]+)<', body).group(1)
    return client_id, secret


def token_response(http, client_id, secret, scope="dossiers:read"):
    return http.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )


def test_the_admin_registers_a_client_and_sees_its_secret_once(client, org):
    login_officer(client, org.admin)
    form = client.get(NEW)
    assert form.status_code == 200
    assert "Thực hiện thao tác xử lý hồ sơ thay cán bộ" in form.content.decode()  # scope text
    response = register(client, agency=org.agency.pk)
    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1
    api_client = ApiClient.objects.get()
    assert api_client.agency == org.agency and api_client.created_by == org.admin
    assert api_client.scopes == ["dossiers:read", "actions:write"]
    assert api_client.rate_limit_per_minute == 120
    client_id, secret = shown_secret(response)
    assert client_id == api_client.client_id
    assert secret not in api_client.application.client_secret  # stored hashed
    assert token_response(client, client_id, secret).status_code == 200
    again = client.get(reverse("api_clients:detail", args=[api_client.pk]))
    assert secret not in again.content.decode()  # once only
    entry = AuditEntry.objects.get(action="api_client.registered")
    assert entry.actor == org.admin and entry.target == f"api_client:{api_client.pk}"
    assert entry.data["scopes"] == ["dossiers:read", "actions:write"]


def test_a_registration_without_name_or_scope_is_refused_with_messages(client, org):
    login_officer(client, org.admin)
    response = client.post(
        NEW, {"agency": org.agency.pk, "name": " ", "rate_limit_per_minute": "nhiều"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nhập tên hệ thống kết nối." in body
    assert "Chọn ít nhất một phạm vi." in body
    assert "Nhập số yêu cầu bằng chữ số, ví dụ 600." in body
    assert not ApiClient.objects.exists()


def test_a_new_secret_replaces_the_old_one_at_the_token_endpoint(client, org):
    login_officer(client, org.admin)
    client_id, old = shown_secret(register(client, agency=org.agency.pk))
    api_client = ApiClient.objects.get()
    token = token_response(client, client_id, old).json()["access_token"]
    rotated = client.post(reverse("api_clients:secret", args=[api_client.pk]), follow=True)
    _same_id, new = shown_secret(rotated)
    assert new != old
    assert token_response(client, client_id, old).status_code == 401
    assert token_response(client, client_id, new).status_code == 200
    # The token the old secret got stops working too.
    used = client.get(
        f"/api/v1/dossiers/{uuid.uuid4()}/actions/?officer=a@b.vn",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert used.status_code == 401
    assert AuditEntry.objects.filter(action="api_client.secret_rotated", actor=org.admin).exists()


def test_a_disabled_client_gets_no_token_until_enabled_again(client, org):
    api_client, secret = make_client(org.agency, scopes=["actions:write"])
    held = token_for(client, api_client, secret)
    login_officer(client, org.admin)
    client.post(reverse("api_clients:active", args=[api_client.pk]), {"active": "0"})
    api_client.refresh_from_db()
    assert not api_client.is_active
    refused = client.get(
        f"/api/v1/dossiers/{uuid.uuid4()}/actions/?officer=a@b.vn",
        HTTP_AUTHORIZATION=f"Bearer {held}",
    )
    assert refused.status_code == 401
    assert token_response(client, api_client.client_id, secret, "actions:write").status_code == 401
    client.post(reverse("api_clients:active", args=[api_client.pk]), {"active": "1"})
    assert token_for(client, api_client, secret)
    actions = list(
        AuditEntry.objects.filter(target=f"api_client:{api_client.pk}")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["api_client.disabled", "api_client.enabled"]


def test_the_admin_changes_scopes_and_limit(client, org):
    api_client, _secret = make_client(org.agency, scopes=["dossiers:read"], rate=600)
    login_officer(client, org.admin)
    response = client.post(
        reverse("api_clients:detail", args=[api_client.pk]),
        {"name": api_client.name, "scopes": ["procedures:read"], "rate_limit_per_minute": 60},
    )
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.scopes == ["procedures:read"] and api_client.rate_limit_per_minute == 60
    entry = AuditEntry.objects.get(action="api_client.changed")
    assert entry.data["changed"]["scopes"] == [["dossiers:read"], ["procedures:read"]]


def test_another_agencys_admin_finds_nothing(client, org):
    api_client, _secret = make_client(org.agency)
    other = make_organisation(ProcedureFactory(receiving_agency=AgencyFactory()))
    login_officer(client, other.admin)
    assert client.get(reverse("api_clients:detail", args=[api_client.pk])).status_code == 404
    rotate = client.post(reverse("api_clients:secret", args=[api_client.pk]))
    assert rotate.status_code == 404
    listing = client.get(reverse("api_clients:list"))
    assert api_client.name not in listing.content.decode()
    refused = client.post(NEW, {"agency": org.agency.pk, "name": "X", "scopes": ["dossiers:read"]})
    assert refused.status_code == 400 and not ApiClient.objects.filter(name="X").exists()
    assert not AuditEntry.objects.filter(action__startswith="api_client.").exists()


def test_only_agency_admins_have_the_page_and_its_link(client, org):
    login_officer(client, org.desk_officer)
    assert client.get(reverse("api_clients:list")).status_code == 403
    assert reverse("api_clients:list") not in client.get(reverse("workflow:inbox")).content.decode()
    login_officer(client, org.admin)
    assert reverse("api_clients:list") in client.get(reverse("workflow:workflows")).content.decode()


def test_the_django_admin_shows_a_client_but_never_its_secret(client, org):
    from motcua.factories import make_officer

    admin_user = make_officer(is_staff=True, is_superuser=True)
    api_client, secret = make_client(org.agency)
    login_officer(client, admin_user)
    page = client.get(reverse("admin:api_apiclient_change", args=[api_client.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert api_client.client_id in body and "Chỉ lưu bản băm" in body
    assert secret not in body and api_client.application.client_secret not in body
    client.post(
        reverse("admin:api_apiclient_change", args=[api_client.pk]),
        {
            "name": api_client.name,
            "scopes": '["procedures:read"]',
            "rate_limit_per_minute": 30,
            "is_active": "on",
        },
    )
    api_client.refresh_from_db()
    assert api_client.scopes == ["procedures:read"] and api_client.rate_limit_per_minute == 30
    assert AuditEntry.objects.get(action="api_client.changed").actor == admin_user
