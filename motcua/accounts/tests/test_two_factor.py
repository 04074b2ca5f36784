import re
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts import two_factor, views
from motcua.accounts.decorators import officer_required
from motcua.accounts.testing import login_officer, officer_device, totp_now
from motcua.accounts.tests.helpers import PASSWORD
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.urls("motcua.accounts.tests.officer_urls")

OFFICER_HOME = "/officer/"
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
CODES = reverse("accounts:two_factor_recovery_codes")
REGENERATE = reverse("accounts:two_factor_regenerate")


@pytest.fixture
def officer(make_officer):
    """An officer who has not set up an authenticator yet."""
    return make_officer(full_name="Lê Thị Cán Bộ", second_factor=False)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def password_login(client, user, next_url=""):
    data = {"login": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def code_in(device, seconds: int) -> str:
    """The code the app will show `seconds` from now (a code already used cannot be reused)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + seconds
    return f"{totp.token():06d}"


def wrong_code(device) -> str:
    valid = {code_in(device, seconds) for seconds in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def shown_codes(html: str) -> list[str]:
    return re.findall(r'<li class="col mb-2" translate="no">([a-z2-7]{4}-[a-z2-7]{4})</li>', html)


def enrolled(officer) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.unconfirmed_totp_device(officer)
    codes = two_factor.confirm_totp_device(user=officer, device=device, code=totp_now(device))
    return device, codes


# --- officer_required ---------------------------------------------------------------------


def test_password_alone_does_not_let_an_officer_in(client, officer):
    officer_device(officer)
    response = password_login(client, officer, next_url=OFFICER_HOME)
    assert response["Location"] == f"{VERIFY}?next=%2Fofficer%2F"
    assert logged_in_as(client) is None
    response = client.get(OFFICER_HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_officer_required_sends_a_visitor_to_login_with_next(client, db):
    response = client.get(OFFICER_HOME + "?q=1")
    assert response["Location"] == f"{LOGIN}?next=/officer/%3Fq%3D1"


def test_officer_required_refuses_a_citizen(client, citizen):
    client.force_login(citizen)
    assert client.get(OFFICER_HOME).status_code == 403


def test_officer_required_asks_a_logged_in_officer_for_the_code(client, officer):
    client.force_login(officer)
    assert client.get(OFFICER_HOME)["Location"] == f"{SETUP}?next=%2Fofficer%2F"
    officer_device(officer)
    assert client.get(OFFICER_HOME)["Location"] == f"{VERIFY}?next=%2Fofficer%2F"


def test_officer_required_without_the_middleware_counts_as_unverified(officer):
    request = RequestFactory().get("/officer/")
    request.user = officer
    response = officer_required(lambda request: None)(request)
    assert response["Location"] == f"{SETUP}?next=%2Fofficer%2F"
    request.user = AnonymousUser()
    assert officer_required(lambda request: None)(request)["Location"].startswith(LOGIN)


def test_login_officer_helper_passes_officer_required(client, officer):
    device = login_officer(client, officer)
    response = client.get(OFFICER_HOME)
    assert response.status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_without_the_setting_a_password_is_enough(client, officer, settings):
    settings.OFFICER_2FA_REQUIRED = False
    response = password_login(client, officer)
    assert response["Location"] == OFFICER_HOME
    assert logged_in_as(client) == str(officer.pk)
    assert client.get(OFFICER_HOME).status_code == 200
    assert client.get(VERIFY)["Location"] == OFFICER_HOME


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret(client, officer):
    password_login(client, officer)
    html = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert '<img src="data:image/svg+xml;base64,' in html
    assert two_factor.secret_base32(device) in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert '<label class="form-label" for="id_code">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html
    uri = two_factor.otpauth_uri(device)
    assert uri.startswith(f"otpauth://totp/MotCua%3A{officer.email.replace('@', '%40')}?")
    assert "issuer=MotCua" in uri
    # A reload keeps the same secret.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_enrolment_with_a_wrong_then_the_right_code(client, officer):
    response = password_login(client, officer, next_url="/officer/?tab=moi")
    assert response["Location"] == f"{SETUP}?next=%2Fofficer%2F%3Ftab%3Dmoi"
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    response = client.post(SETUP, {"code": wrong_code(device), "next": "/officer/?tab=moi"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mã không đúng. Quý vị còn 4 lần thử." in html
    assert 'class="error-summary"' in html
    assert logged_in_as(client) is None

    response = client.post(SETUP, {"code": totp_now(device), "next": "/officer/?tab=moi"})
    assert response["Location"] == f"{CODES}?next=%2Fofficer%2F%3Ftab%3Dmoi"
    assert logged_in_as(client) == str(officer.pk)
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="otp_enrolled", actor=officer).count() == 1
    assert AuditEntry.objects.get(action="login", actor=officer).data == {"second_factor": "totp"}

    html = client.get(response["Location"]).content.decode()
    assert len(set(shown_codes(html))) == 10
    assert 'href="/officer/?tab=moi"' in html
    # Shown once only.
    html = client.get(CODES).content.decode()
    assert shown_codes(html) == []
    assert "Quý vị còn 10 mã khôi phục chưa dùng." in html
    assert client.get(OFFICER_HOME).status_code == 200


def test_an_enrolled_officer_cannot_enrol_again_with_a_password(client, officer):
    enrolled(officer)
    password_login(client, officer)
    assert client.get(SETUP)["Location"] == VERIFY


# --- Verification -------------------------------------------------------------------------------


def test_verification_logs_the_officer_in_and_follows_next(client, officer):
    device = officer_device(officer)
    client.get(LOGIN)
    before = client.session.session_key
    password_login(client, officer, next_url="/officer/?q=2")
    html = client.get(f"{VERIFY}?next=%2Fofficer%2F%3Fq%3D2").content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'name="next" value="/officer/?q=2"' in html

    response = client.post(VERIFY, {"code": totp_now(device), "next": "/officer/?q=2"})
    assert response["Location"] == "/officer/?q=2"
    assert logged_in_as(client) == str(officer.pk)
    assert client.session.session_key != before
    assert client.get(OFFICER_HOME).status_code == 200
    assert AuditEntry.objects.get(action="login", actor=officer).data == {"second_factor": "totp"}


def test_a_code_cannot_be_used_twice(client, officer):
    device = officer_device(officer)
    code = totp_now(device)
    password_login(client, officer)
    client.post(VERIFY, {"code": code})
    assert logged_in_as(client) == str(officer.pk)
    client.post(reverse("accounts:logout"))

    password_login(client, officer)
    response = client.post(VERIFY, {"code": code})
    assert "Mã không đúng." in response.content.decode()
    assert logged_in_as(client) is None
    # The next code from the app is fine.
    client.post(VERIFY, {"code": code_in(device, 30)})
    assert logged_in_as(client) == str(officer.pk)


def test_a_code_with_spaces_is_accepted_and_a_short_one_explained(client, officer):
    device = officer_device(officer)
    password_login(client, officer)
    response = client.post(VERIFY, {"code": "12345"})
    assert "Mã xác thực gồm đúng 6 chữ số." in response.content.decode()
    code = totp_now(device)
    client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})
    assert logged_in_as(client) == str(officer.pk)


def test_a_logged_in_officer_from_before_can_verify_without_logging_in_again(client, officer):
    device = officer_device(officer)
    client.force_login(officer)
    response = client.post(VERIFY, {"code": totp_now(device), "next": OFFICER_HOME})
    assert response["Location"] == OFFICER_HOME
    assert client.get(OFFICER_HOME).status_code == 200
    assert AuditEntry.objects.filter(action="otp_verified", actor=officer).exists()


def test_the_password_step_expires(client, officer, monkeypatch):
    officer_device(officer)
    password_login(client, officer)
    monkeypatch.setattr(views, "PENDING_SECONDS", -1)
    assert client.get(VERIFY)["Location"] == LOGIN


def test_a_verified_officer_is_sent_on(client, officer):
    login_officer(client, officer)
    assert client.get(VERIFY)["Location"] == OFFICER_HOME
    assert client.get(SETUP + "?next=/admin/")["Location"] == "/admin/"


# --- Recovery codes -------------------------------------------------------------------------------


def test_a_recovery_code_works_once(client, officer):
    _device, codes = enrolled(officer)
    password_login(client, officer)
    response = client.post(
        VERIFY, {"recovery_code": two_factor.format_recovery_code(codes[0]).upper()}
    )
    assert response["Location"] == OFFICER_HOME
    assert logged_in_as(client) == str(officer.pk)
    entry = AuditEntry.objects.get(action="otp_recovery_code_used", actor=officer)
    assert entry.data == {"codes_left": 9}
    assert AuditEntry.objects.get(action="login", actor=officer).data == {
        "second_factor": "recovery_code"
    }
    client.post(reverse("accounts:logout"))

    password_login(client, officer)
    response = client.post(VERIFY, {"recovery_code": codes[0]})
    html = response.content.decode()
    assert "Mã không đúng." in html
    assert '<details class="mt-4" open>' in html
    assert 'href="#id_recovery_code"' in html
    assert logged_in_as(client) is None
    client.post(VERIFY, {"recovery_code": codes[1]})
    assert logged_in_as(client) == str(officer.pk)


def test_regenerating_recovery_codes_needs_a_code_and_replaces_the_old_ones(client, officer):
    device, old_codes = enrolled(officer)
    login_officer(client, officer)
    assert client.get(REGENERATE).status_code == 200

    response = client.post(REGENERATE, {"code": wrong_code(device)})
    assert "Mã không đúng." in response.content.decode()
    assert two_factor.recovery_codes_left(officer) == 10

    response = client.post(REGENERATE, {"code": code_in(device, 30)})
    assert response["Location"] == CODES
    new_codes = [code.replace("-", "") for code in shown_codes(client.get(CODES).content.decode())]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert AuditEntry.objects.filter(
        action="otp_recovery_codes_regenerated", actor=officer
    ).exists()

    client.post(reverse("accounts:logout"))
    password_login(client, officer)
    assert "Mã không đúng." in client.post(VERIFY, {"recovery_code": old_codes[0]}).content.decode()
    client.post(VERIFY, {"recovery_code": new_codes[0]})
    assert logged_in_as(client) == str(officer.pk)


def test_regenerating_is_for_verified_officers_only(client, officer, citizen):
    officer_device(officer)
    client.force_login(officer)
    assert client.get(REGENERATE)["Location"].startswith(VERIFY)
    client.force_login(citizen)
    assert client.get(REGENERATE).status_code == 403
    assert client.get(CODES).status_code == 403


# --- Lockout ----------------------------------------------------------------------------------------


def test_repeated_wrong_codes_lock_the_second_factor(client, officer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 900
    device, codes = enrolled(officer)
    password_login(client, officer)
    bad = wrong_code(device)
    client.post(VERIFY, {"code": bad})
    response = client.post(VERIFY, {"code": bad})
    assert "Quý vị còn 1 lần thử." in response.content.decode()
    response = client.post(VERIFY, {"code": bad})
    assert "Vui lòng thử lại sau 15 phút." in response.content.decode()

    for data in ({"code": code_in(device, 30)}, {"recovery_code": codes[0]}):
        response = client.post(VERIFY, data)
        assert "Nhập sai mã quá nhiều lần nên tạm thời bị khóa." in response.content.decode()
        assert logged_in_as(client) is None
    # Logging in again with the password does not lift the lock.
    password_login(client, officer)
    response = client.post(VERIFY, {"code": code_in(device, 30)})
    assert "tạm thời bị khóa" in response.content.decode()


def test_the_lock_is_per_account(client, officer, settings, make_officer):
    settings.LOGIN_MAX_FAILURES = 2
    device = officer_device(officer)
    password_login(client, officer)
    for _ in range(2):
        client.post(VERIFY, {"code": wrong_code(device)})
    other = make_officer()
    other_device = officer_device(other)
    password_login(client, other)
    client.post(VERIFY, {"code": totp_now(other_device)})
    assert logged_in_as(client) == str(other.pk)


def test_a_correct_code_resets_the_count(client, officer, settings):
    settings.LOGIN_MAX_FAILURES = 2
    device = officer_device(officer)
    password_login(client, officer)
    client.post(VERIFY, {"code": wrong_code(device)})
    client.post(VERIFY, {"code": totp_now(device)})
    client.post(reverse("accounts:logout"))
    password_login(client, officer)
    client.post(VERIFY, {"code": wrong_code(device)})
    client.post(VERIFY, {"code": code_in(device, 30)})
    assert logged_in_as(client) == str(officer.pk)


# --- Citizens and redirects ---------------------------------------------------------------------------


def test_citizens_never_see_the_two_factor_pages(client, citizen):
    response = password_login(client, citizen)
    assert response["Location"] == reverse("dossiers:mine")
    for url in (VERIFY, SETUP):
        assert client.get(url)["Location"] == reverse("dossiers:mine")
    assert not TOTPDevice.objects.exists()


def test_a_visitor_on_the_code_pages_is_sent_to_login(client, db):
    assert client.get(VERIFY)["Location"] == LOGIN
    assert client.get(f"{SETUP}?next=/officer/")["Location"] == f"{LOGIN}?next=%2Fofficer%2F"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_is_not_an_open_redirect(client, officer, next_url):
    device = officer_device(officer)
    response = password_login(client, officer, next_url=next_url)
    assert response["Location"] == VERIFY
    response = client.post(VERIFY, {"code": totp_now(device), "next": next_url})
    assert response["Location"] == OFFICER_HOME


def test_profile_asks_an_unverified_officer_for_the_code(client, officer):
    client.force_login(officer)
    assert client.get(reverse("accounts:profile"))["Location"].startswith(SETUP)
    login_officer(client, officer)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{CODES}"' in html


# --- Admin ------------------------------------------------------------------------------------------------


def test_admin_asks_a_superuser_for_the_second_factor(client, make_officer):
    admin = make_officer(is_staff=True, is_superuser=True, second_factor=False)
    client.force_login(admin)
    changelist = reverse("admin:accounts_user_changelist")
    response = client.get(changelist, follow=True)
    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fadmin%2Faccounts%2Fuser%2F"
    login_officer(client, admin)
    assert client.get(changelist).status_code == 200


def test_admin_login_is_the_site_login(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/accounts/user/")
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2Faccounts%2Fuser%2F"
    response = client.get(reverse("admin:login") + "?next=https://evil.example/")
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2F"


def test_the_code_page_is_translated_to_english(client, officer):
    officer_device(officer)
    password_login(client, officer)
    client.post(reverse("set_language"), {"language": "en", "next": VERIFY})
    html = client.get(VERIFY).content.decode()
    assert "Two-step verification" in html
    assert "Use a recovery code" in html


def test_admin_can_reset_but_not_read_an_officers_secret(client, officer, make_officer):
    device, codes = enrolled(officer)
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    html = client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    ).content.decode()
    assert device.key not in html
    static = reverse(
        "admin:otp_static_staticdevice_change", args=[officer.staticdevice_set.get().pk]
    )
    assert codes[0] not in client.get(static).content.decode()
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    client.post(delete, {"post": "yes"})
    password_login(client, officer)
    assert client.get(VERIFY)["Location"] == SETUP
