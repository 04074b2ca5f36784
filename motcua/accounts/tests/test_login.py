import time

import pytest
from django.urls import reverse

from motcua.accounts.tests.helpers import PASSWORD
from motcua.core.models import AuditEntry
from motcua.factories import UserFactory

URL = reverse("accounts:login")


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_it_shows_the_form(client, db):
    html = client.get(URL).content.decode()
    assert "E-mail hoặc số điện thoại" in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_it_logs_in_by_email_in_any_case(client, citizen):
    response = client.post(URL, {"login": citizen.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:mine")
    assert logged_in_as(client) == str(citizen.pk)
    assert AuditEntry.objects.filter(action="login", actor=citizen).exists()


@pytest.mark.parametrize("login", ["0912345678", "+84912345678", "+84 912 345 678", "84912345678"])
def test_it_logs_in_by_phone_in_any_format(client, citizen, login):
    response = client.post(URL, {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client) == str(citizen.pk)


def test_it_rotates_the_session_key(client, citizen):
    client.get(URL)
    client.session["probe"] = 1
    before = client.session.session_key
    client.post(URL, {"login": citizen.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_wrong_password_is_refused_with_one_message(client, citizen):
    response = client.post(URL, {"login": citizen.email, "password": "sai-mat-khau"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thư điện tử, số điện thoại hoặc mật khẩu không đúng." in html
    assert 'class="error-summary"' in html
    assert logged_in_as(client) is None
    assert AuditEntry.objects.filter(action="login_failed").count() == 1


def test_unknown_account_gets_the_same_message(client, db):
    response = client.post(URL, {"login": "khong-co@example.vn", "password": "x"})
    assert "Thư điện tử, số điện thoại hoặc mật khẩu không đúng." in response.content.decode()


def test_inactive_account_cannot_log_in(client, db):
    user = UserFactory(is_active=False)
    client.post(URL, {"login": user.email, "password": PASSWORD})
    assert logged_in_as(client) is None


def test_wrong_password_five_times_locks_login(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900
    for _ in range(5):
        client.post(URL, {"login": citizen.email, "password": "sai-mat-khau"})
    response = client.post(URL, {"login": citizen.email, "password": PASSWORD})
    html = response.content.decode()
    assert "Vui lòng thử lại sau 15 phút" in html
    assert logged_in_as(client) is None


def test_lockout_counts_email_and_phone_of_the_same_identifier_form(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client.post(URL, {"login": "+84 912 345 678", "password": "x"})
    client.post(URL, {"login": "0912345678", "password": "x"})
    response = client.post(URL, {"login": "84912345678", "password": PASSWORD})
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert logged_in_as(client) is None


def test_locked_login_does_not_check_the_password(client, citizen, settings, monkeypatch):
    settings.LOGIN_MAX_FAILURES = 1
    client.post(URL, {"login": citizen.email, "password": "x"})
    calls = []
    monkeypatch.setattr("motcua.accounts.services.authenticate", lambda *a, **k: calls.append(1))
    client.post(URL, {"login": citizen.email, "password": PASSWORD})
    assert calls == []


def test_lockout_of_one_account_leaves_others_alone(client, citizen, other_citizen, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post(URL, {"login": citizen.email, "password": "x"})
    client.post(URL, {"login": other_citizen.email, "password": PASSWORD})
    assert logged_in_as(client) == str(other_citizen.pk)


def test_one_address_is_locked_after_four_times_the_account_limit(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 2
    victim = UserFactory()
    for n in range(8):
        client.post(URL, {"login": f"khach{n}@example.vn", "password": "x"})
    response = client.post(URL, {"login": victim.email, "password": PASSWORD})
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert logged_in_as(client) is None


def test_login_unlocks_after_the_window(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(2):
        client.post(URL, {"login": citizen.email, "password": "x"})
    response = client.post(URL, {"login": citizen.email, "password": PASSWORD})
    assert "Vui lòng thử lại sau 1 giây" in response.content.decode()
    time.sleep(1.1)
    client.post(URL, {"login": citizen.email, "password": PASSWORD})
    assert logged_in_as(client) == str(citizen.pk)


def test_success_resets_the_account_counter(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client.post(URL, {"login": citizen.email, "password": "x"})
    client.post(URL, {"login": citizen.email, "password": PASSWORD})
    client.logout()
    client.post(URL, {"login": citizen.email, "password": "x"})
    client.post(URL, {"login": citizen.email, "password": PASSWORD})
    assert logged_in_as(client) == str(citizen.pk)


def test_it_follows_a_local_next(client, citizen):
    response = client.post(
        URL, {"login": citizen.email, "password": PASSWORD, "next": "/dossiers/?page=2"}
    )
    assert response["Location"] == "/dossiers/?page=2"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_open_redirect_next_is_refused(client, citizen, next_url):
    response = client.post(URL, {"login": citizen.email, "password": PASSWORD, "next": next_url})
    assert response["Location"] == reverse("dossiers:mine")


def test_the_next_from_the_query_string_is_kept_in_the_form(client, db):
    html = client.get(URL + "?next=/dossiers/").content.decode()
    assert 'name="next" value="/dossiers/"' in html
    html = client.get(URL + "?next=https://evil.example/").content.decode()
    assert 'name="next" value="https://evil' not in html


def test_unverified_applicant_is_sent_to_verify(client, db):
    user = UserFactory(email_verified_at=None)
    response = client.post(URL, {"login": user.email, "password": PASSWORD, "next": "/dossiers/"})
    assert response["Location"] == reverse("accounts:verify") + "?next=%2Fdossiers%2F"
    assert logged_in_as(client) == str(user.pk)


def test_logout_via_get_is_refused(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_as(client) == str(citizen.pk)


def test_logout_via_post_ends_the_session_and_is_audited(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:home")
    assert logged_in_as(client) is None
    assert AuditEntry.objects.filter(action="logout", actor=citizen).exists()


def test_base_template_shows_the_logout_form_when_logged_in(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in html


def test_the_session_user_is_read_as_the_orm_reads_it(db):
    """EmailOrPhoneBackend.get_user, cached: every field as the ORM gives it, and no user
    for a deactivated account or an unknown id (the session is then anonymous)."""
    from motcua.accounts.backends import EmailOrPhoneBackend
    from motcua.accounts.models import User

    backend = EmailOrPhoneBackend()
    user = UserFactory(full_name="Đặng Thị Hoa", phone="0912000111")
    got = backend.get_user(user.pk)
    want = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert got.check_password(PASSWORD) and got.password == want.password
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None


def test_the_session_user_comes_from_the_cache_until_the_row_changes(db, django_assert_num_queries):
    from motcua.accounts.backends import EmailOrPhoneBackend

    backend = EmailOrPhoneBackend()
    user = UserFactory(full_name="Đặng Thị Hoa")
    with django_assert_num_queries(1):
        backend.get_user(user.pk)
    with django_assert_num_queries(0):
        assert backend.get_user(user.pk).full_name == "Đặng Thị Hoa"
    user.full_name = "Đặng Thị Hoà"
    user.set_password("another password 42")
    user.save()
    got = backend.get_user(user.pk)
    assert got.full_name == "Đặng Thị Hoà" and got.check_password("another password 42")
    user.delete()
    assert backend.get_user(got.pk) is None
