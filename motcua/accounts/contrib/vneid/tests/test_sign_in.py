"""Sign-in with VNeID end to end: MotCua's plugin (Authlib) against the sandbox identity
provider, in process (in_process_http), for each way a person arrives."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts import identity, services
from motcua.accounts.contrib.vneid.testing import (
    PASSWORD,
    applicant,
    approve,
    path_of,
    sign_in,
    start,
)
from motcua.accounts.contrib.vneid_sandbox import provider
from motcua.accounts.models import ExternalIdentity, User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HA = "046190012345"  # Lê Thị Thu Hà, VNeID level 2
DUNG = "079080002468"  # Hoàng Văn Dũng, VNeID level 1, no e-mail
HOME = "/dossiers/"  # settings.LOGIN_REDIRECT_URL


def _session_user(client):
    return client.session.get("_auth_user_id")


def test_the_login_page_offers_vneid_only_when_configured(client, settings):
    page = client.get("/accounts/login/")
    assert "Đăng nhập bằng tài khoản định danh điện tử VNeID" in page.content.decode()
    settings.VNEID_CLIENT_SECRET = ""
    page = client.get("/accounts/login/")
    assert "VNeID" not in page.content.decode()
    assert client.get("/accounts/vneid/login/").status_code == 404
    settings.IDENTITY_PROVIDERS = []
    assert identity.active("vneid") is None


def test_the_button_starts_a_code_flow_with_pkce_state_and_nonce(client, in_process_http):
    url = start(client)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert url.startswith("http://testserver/sandbox/vneid/authorize/")
    assert query["response_type"] == "code"
    assert query["client_id"] == "motcua-sandbox"
    assert query["redirect_uri"] == "http://testserver/accounts/vneid/callback/"
    assert set(query["scope"].split()) >= {"openid", "profile", "citizen_id"}
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]
    # The discovery document was read from the provider.
    assert ("GET", "http://testserver/sandbox/vneid/.well-known/openid-configuration") in (
        in_process_http.calls
    )


def test_a_new_person_gets_an_account_filled_from_the_claims_and_locked(client, in_process_http):
    response = sign_in(client, HA)
    assert response["Location"] == "/accounts/vneid/continue/"
    assert _session_user(client) is None
    choice = client.get("/accounts/vneid/continue/").content.decode()
    assert "Lê Thị Thu Hà" in choice and HA in choice and "15/03/1990" in choice

    response = client.post("/accounts/vneid/continue/", {"action": "create"})
    assert response.status_code == 302
    user = User.objects.get(citizen_id=HA)
    assert int(_session_user(client)) == user.pk
    assert user.kind == User.Kind.CITIZEN
    assert user.full_name == "Lê Thị Thu Hà"
    assert user.date_of_birth == date(1990, 3, 15)
    assert user.address == "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"
    assert user.phone == "0912345678"
    assert user.email == "citizen@demo.motcua.vn"
    assert not user.has_usable_password()
    assert (user.identity_provider, user.identity_assurance) == ("vneid", "2")
    assert user.has_verified_identity and user.is_verified
    assert not services.user_must_verify(user)
    link = ExternalIdentity.objects.get(user=user)
    assert link.subject == provider.subject(HA) and link.assurance == "2"
    assert client.session["identity_assurance"] == "2"
    assert AuditEntry.objects.filter(action="identity_account_created", actor=user).exists()

    # The profile shows the verified fields read-only and refuses a change even if posted.
    page = client.get("/accounts/profile/").content.decode()
    assert "Đã xác thực qua VNeID (mức 2)" in page
    assert 'name="full_name"' in page and "disabled" in page
    assert "Liên kết VNeID" not in page
    client.post(
        "/accounts/profile/",
        {
            "full_name": "Người Khác",
            "citizen_id": "001090012345",
            "date_of_birth": "01/01/1991",
            "phone": "0912345678",
            "address": "Địa chỉ mới",
        },
    )
    user.refresh_from_db()
    assert (user.full_name, user.citizen_id, user.date_of_birth) == (
        "Lê Thị Thu Hà",
        HA,
        date(1990, 3, 15),
    )
    assert user.address == "Địa chỉ mới"  # the rest of the profile stays editable
    with pytest.raises(ValidationError):
        services.update_profile(user=user, full_name="Người Khác", citizen_id=HA)


def test_a_new_account_leaves_out_an_address_or_phone_someone_else_has(client, in_process_http):
    applicant(email="citizen@demo.motcua.vn", phone="0912345678", citizen_id="")
    sign_in(client, HA)
    client.post("/accounts/vneid/continue/", {"action": "create"})
    user = User.objects.get(citizen_id=HA, identity_provider="vneid")
    assert user.email is None and user.phone is None


def test_level_one_is_recorded_as_such(client, in_process_http):
    sign_in(client, DUNG)
    client.post("/accounts/vneid/continue/", {"action": "create"})
    user = User.objects.get(citizen_id=DUNG)
    assert user.identity_assurance == "1" and user.email is None
    assert "Đã xác thực qua VNeID (mức 1)" in client.get("/accounts/profile/").content.decode()


def test_a_known_subject_signs_in(client, in_process_http):
    user = applicant(citizen_id=HA, full_name="Le Thi Thu Ha")
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    response = sign_in(client, HA, next_url="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    assert int(_session_user(client)) == user.pk
    assert client.session["identity_provider"] == "vneid"
    assert client.session["identity_assurance"] == "2"
    user.refresh_from_db()
    assert user.full_name == "Lê Thị Thu Hà"  # refreshed from the verified claims
    assert user.identity_verified_at is not None
    link = ExternalIdentity.objects.get(user=user)
    assert link.last_sign_in_at is not None and link.assurance == "2"
    assert AuditEntry.objects.filter(action="identity_sign_in", actor=user).exists()


def test_next_elsewhere_is_ignored(client, in_process_http):
    user = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    response = sign_in(client, HA, next_url="https://evil.example/")
    assert response["Location"] == HOME


def test_officers_are_refused(client, in_process_http, make_officer, org):
    officer = make_officer(org.agency, full_name="Cán bộ", second_factor=False)
    ExternalIdentity.objects.create(user=officer, provider="vneid", subject=provider.subject(HA))
    response = sign_in(client, HA)
    assert response["Location"] == "/accounts/login/"
    assert _session_user(client) is None
    page = client.get("/accounts/login/").content.decode()
    assert "Tài khoản cán bộ không đăng nhập bằng VNeID" in page
    assert AuditEntry.objects.filter(action="identity_sign_in_failed").exists()


def test_a_signed_in_officer_cannot_start(client, in_process_http, make_officer, org):
    from motcua.accounts.testing import login_officer

    officer = make_officer(org.agency, full_name="Cán bộ")
    login_officer(client, officer)
    response = client.get("/accounts/vneid/login/")
    assert response["Location"] == "/accounts/profile/"
    assert not ExternalIdentity.objects.exists()


def test_a_signed_in_applicant_links_their_account(client, in_process_http, citizen):
    client.force_login(citizen)
    assert "Liên kết VNeID" in client.get("/accounts/profile/").content.decode()
    response = sign_in(client, HA)
    assert response["Location"] == "/accounts/profile/"
    citizen.refresh_from_db()
    assert citizen.citizen_id == HA and citizen.full_name == "Lê Thị Thu Hà"
    assert citizen.phone == "0912345678"  # the account's own number stays
    assert citizen.identity_assurance == "2"
    assert ExternalIdentity.objects.get(user=citizen).subject == provider.subject(HA)
    assert AuditEntry.objects.filter(action="identity_linked", actor=citizen).exists()
    assert "Đã liên kết tài khoản với VNeID" in client.get("/accounts/profile/").content.decode()


def test_an_account_verified_as_someone_else_is_not_linked(client, in_process_http, citizen):
    from django.utils import timezone

    User.objects.filter(pk=citizen.pk).update(
        identity_provider="vneid", identity_assurance="2", identity_verified_at=timezone.now()
    )
    client.force_login(citizen)
    response = sign_in(client, HA)
    assert response["Location"] == "/accounts/profile/"
    assert not ExternalIdentity.objects.exists()
    citizen.refresh_from_db()
    assert citizen.citizen_id == "001090012345"
    assert "số định danh cá nhân khác" in client.get("/accounts/profile/").content.decode()


def test_a_subject_linked_to_another_account_is_not_linked_again(client, in_process_http, citizen):
    other = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=other, provider="vneid", subject=provider.subject(HA))
    client.force_login(citizen)
    sign_in(client, HA)
    assert ExternalIdentity.objects.get().user == other
    assert int(_session_user(client)) == citizen.pk


def test_the_choice_then_a_password_login_links_the_account(client, in_process_http):
    user = applicant(email="ha@example.vn", citizen_id="", email_verified_at=None)
    sign_in(client, HA)
    response = client.post("/accounts/vneid/continue/", {"action": "link"})
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert "sẽ được liên kết" in page
    response = client.post("/accounts/login/", {"login": "ha@example.vn", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOME  # verified by VNeID: no e-mail code asked
    assert int(_session_user(client)) == user.pk
    user.refresh_from_db()
    assert user.citizen_id == HA and user.has_verified_identity
    assert ExternalIdentity.objects.get().user == user
    assert "identity_pending" not in client.session
    assert client.session["identity_assurance"] == "2"


def test_the_pending_identity_expires(client, in_process_http, settings):
    applicant(email="ha@example.vn")
    sign_in(client, HA)
    session = client.session
    pending = session["identity_pending"]
    pending["at"] -= settings.VNEID_PENDING_SECONDS + 1
    session["identity_pending"] = pending
    session.save()
    client.post("/accounts/login/", {"login": "ha@example.vn", "password": PASSWORD})
    assert not ExternalIdentity.objects.exists()
    response = client.get("/accounts/vneid/continue/")
    assert response["Location"] == "/accounts/login/"


def test_a_matching_id_number_alone_never_links(client, in_process_http):
    applicant(citizen_id=HA, email_verified_at=None)
    response = sign_in(client, HA)
    assert response["Location"] == "/accounts/vneid/continue/"
    assert not ExternalIdentity.objects.exists()
    assert _session_user(client) is None


def test_cancel_on_the_choice_page(client, in_process_http):
    sign_in(client, HA)
    client.post("/accounts/vneid/continue/", {"action": "cancel"})
    assert "identity_pending" not in client.session
    assert not User.objects.filter(citizen_id=HA).exists()


def test_refusing_at_the_provider_signs_nobody_in(client, in_process_http):
    url = start(client)
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = client.post(f"{parts.path}?{parts.query}", {**params, "action": "refuse"})
    back = response["Location"]
    assert "error=access_denied" in back
    response = client.get(path_of(back))
    assert response["Location"] == "/accounts/login/"
    assert _session_user(client) is None
    assert "chưa đồng ý" in client.get("/accounts/login/").content.decode()


def test_a_wrong_sandbox_password_is_refused_at_the_provider(client, in_process_http):
    url = start(client)
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = client.post(
        f"{parts.path}?{parts.query}",
        {**params, "citizen_id": HA, "password": "sai", "action": "sign_in"},
    )
    assert response.status_code == 400
    assert "không đúng" in response.content.decode()


def test_logout_ends_the_provider_session_too(client, in_process_http):
    user = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    sign_in(client, HA)
    assert client.cookies["vneid_sandbox_session"].value
    response = client.post("/accounts/logout/")
    assert _session_user(client) is None
    end = urlsplit(response["Location"])
    assert end.path == "/sandbox/vneid/logout/"
    query = {k: v[0] for k, v in parse_qs(end.query).items()}
    assert query["post_logout_redirect_uri"] == "http://testserver/accounts/vneid/logged-out/"
    assert query["id_token_hint"] and query["state"]
    back = client.get(f"{end.path}?{end.query}")
    assert back["Location"].startswith("http://testserver/accounts/vneid/logged-out/?state=")
    assert client.cookies["vneid_sandbox_session"].value == ""  # deleted by the provider
    home = client.get(path_of(back["Location"]), follow=True)
    assert "đăng xuất khỏi MotCua và VNeID" in home.content.decode()


def test_logout_with_the_provider_down_still_logs_out(client, in_process_http):
    import requests

    user = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    sign_in(client, HA)
    from motcua.accounts.contrib.vneid import plugin

    plugin.forget_clients()
    in_process_http.fail("/sandbox/vneid/", requests.ConnectionError("down"))
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"
    assert _session_user(client) is None


def test_a_password_login_logs_out_locally_only(client, in_process_http, citizen):
    client.post("/accounts/login/", {"login": citizen.email, "password": PASSWORD})
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"


def test_a_wrong_logout_state_is_only_a_local_logout(client, in_process_http):
    response = client.get("/accounts/vneid/logged-out/?state=forged", follow=True)
    text = response.content.decode()
    assert "Quý vị đã đăng xuất." in text and "VNeID." not in text


def test_approve_helper_signs_in_through_the_page(client, in_process_http):
    back = approve(client, start(client), DUNG)
    assert back.startswith("http://testserver/accounts/vneid/callback/?code=")


def test_leaving_the_choice_unanswered_links_nothing_on_the_next_login(client, in_process_http):
    """Someone walks away from the choice page; the next person to log in on this browser
    does not get their VNeID."""
    other = applicant(email="next@example.vn")
    sign_in(client, HA)
    client.post("/accounts/login/", {"login": "next@example.vn", "password": PASSWORD})
    assert int(_session_user(client)) == other.pk
    assert not ExternalIdentity.objects.exists()
    other.refresh_from_db()
    assert not other.has_verified_identity


def test_changing_ones_mind_on_the_login_page(client, in_process_http):
    applicant(email="ha@example.vn")
    sign_in(client, HA)
    client.post("/accounts/vneid/continue/", {"action": "link"})
    page = client.get("/accounts/login/").content.decode()
    assert "Không liên kết" in page
    client.post("/accounts/vneid/continue/", {"action": "cancel"})
    client.post("/accounts/login/", {"login": "ha@example.vn", "password": PASSWORD})
    assert not ExternalIdentity.objects.exists()


def test_the_admin_shows_the_link(client, in_process_http):
    from motcua.accounts.testing import login_officer

    user = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    admin = User.objects.create_superuser("root@example.vn", PASSWORD, full_name="Quản trị")
    login_officer(client, admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    assert provider.subject(HA) in page.content.decode()


def test_the_login_page_names_whose_identity_waits_to_be_linked(client, in_process_http):
    applicant(email="ha@example.vn", citizen_id="")
    sign_in(client, HA)
    client.post("/accounts/vneid/continue/", {"action": "link"})
    page = client.get("/accounts/login/").content.decode()
    assert "Lê Thị Thu Hà, 0461*****345" in page


def test_a_password_login_to_an_account_of_another_id_number_links_nothing(client, in_process_http):
    """At a shared computer: A chose "link" and left; B logs in to B's own account, whose
    typed ID number is not A's. A's VNeID is not linked to B."""
    other = applicant(email="b@example.vn", citizen_id="001090012345")
    sign_in(client, HA)
    client.post("/accounts/vneid/continue/", {"action": "link"})
    client.post("/accounts/login/", {"login": "b@example.vn", "password": PASSWORD})
    assert not ExternalIdentity.objects.exists()
    other.refresh_from_db()
    assert other.citizen_id == "001090012345" and not other.has_verified_identity


def test_without_the_id_number_from_vneid_nothing_is_vouched_for(
    client, in_process_http, citizen, settings
):
    """A number typed on the profile never becomes verified: when the provider does not
    release the ID number (the scope left out), the link is refused."""
    settings.VNEID_SCOPES = "openid profile phone"
    client.force_login(citizen)
    sign_in(client, HA)
    citizen.refresh_from_db()
    assert not citizen.has_verified_identity and citizen.citizen_id == "001090012345"
    assert not ExternalIdentity.objects.exists()
    assert "không cung cấp số định danh" in client.get("/accounts/profile/").content.decode()


def test_an_organisation_account_is_not_linked_to_a_persons_vneid(client, in_process_http):
    firm = applicant(kind=User.Kind.ORGANISATION, organisation_name="Hương Giang", citizen_id="")
    client.force_login(firm)
    sign_in(client, HA)
    assert not ExternalIdentity.objects.exists()
    firm.refresh_from_db()
    assert not firm.has_verified_identity
