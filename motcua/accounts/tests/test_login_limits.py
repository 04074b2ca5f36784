"""Login limits (docs/decisions/0025): counted before the password is checked, on the
account whatever identifier names it, and slowing strangers down instead of locking owners
out."""

import re
import threading
import time

import pytest
from django.test import RequestFactory
from django.urls import reverse

from motcua.accounts import services
from motcua.accounts.tests.helpers import PASSWORD

URL = reverse("accounts:login")


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture(params=["locmem", "redis"])
def counters(request, settings):
    """The rate-limit counters in local memory, then in Redis (skipped without one)."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "motcua.core.cache.RedisCache", "LOCATION": url},
        }
    return request.param


def _guess_in_parallel(monkeypatch, user, *, guesses, addresses, right=None):
    """`guesses` logins at once for `user`, all wrong but guess number `right`; how many
    passwords were checked, and which got in. No database in the threads: the account is
    known."""
    checked, lock = [], threading.Lock()

    def authenticate(request, username, password):
        with lock:
            checked.append(password)
        return user if password == PASSWORD else None

    monkeypatch.setattr(services, "find_user_by_login", lambda login: user)
    monkeypatch.setattr(services, "authenticate", authenticate)
    monkeypatch.setattr(services, "record_audit", lambda **kwargs: None)
    factory, start, results = RequestFactory(), threading.Barrier(guesses), []

    def guess(n):
        request = factory.post(URL, REMOTE_ADDR=addresses(n))
        start.wait()
        try:
            password = PASSWORD if n == right else f"guess-{n}"
            results.append(
                services.attempt_login(request=request, login=user.email, password=password)
            )
        except services.LoginLocked:
            results.append("locked")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(1, guesses + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(checked), [r for r in results if r not in (None, "locked")]


@pytest.mark.django_db
def test_parallel_guesses_from_one_address_check_at_most_the_limit(
    counters, citizen, settings, monkeypatch
):
    settings.LOGIN_MAX_FAILURES = 5
    checked, _logged_in = _guess_in_parallel(
        monkeypatch, citizen, guesses=60, addresses=lambda n: "203.0.113.66"
    )
    assert 1 <= checked <= 5


@pytest.mark.django_db
def test_parallel_guesses_from_many_addresses_check_at_most_the_limit(
    counters, citizen, settings, monkeypatch
):
    settings.LOGIN_MAX_FAILURES = 5
    checked, _logged_in = _guess_in_parallel(
        monkeypatch, citizen, guesses=60, addresses=lambda n: f"198.51.100.{n}"
    )
    assert 1 <= checked <= 5


@pytest.mark.django_db
def test_the_right_password_after_the_limit_does_not_get_in(
    counters, citizen, settings, monkeypatch
):
    # The threads start together, so the right password is not the 40th to be counted: a
    # right password among the first five would log in and clear the counters, which is how
    # it should be. Here the guessers have spent the tries before it comes.
    settings.LOGIN_MAX_FAILURES = 5
    _guess_in_parallel(monkeypatch, citizen, guesses=39, addresses=lambda n: "203.0.113.66")
    checked, logged_in = _guess_in_parallel(
        monkeypatch, citizen, guesses=1, addresses=lambda n: "203.0.113.66", right=1
    )
    assert (checked, logged_in) == (0, [])


def _post(client, login, password, address):
    return client.post(URL, {"login": login, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_email_and_phone_share_the_accounts_counter(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 2
    _post(client, citizen.email, "x", "198.51.100.1")
    _post(client, "0912345678", "x", "198.51.100.2")
    # The account has had its two tries: a third, by either name, waits.
    response = _post(client, citizen.email.upper(), PASSWORD, "198.51.100.3")
    assert "Vui lòng thử lại sau 1 giây" in response.content.decode()
    assert logged_in_as(client) is None


def _wait_in(response) -> int | None:
    found = re.search(r"Vui lòng thử lại sau (\d+) giây", response.content.decode())
    return int(found.group(1)) if found else None


@pytest.mark.django_db
def test_a_strangers_failures_do_not_lock_the_owner_out(client, citizen, settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_DELAY_MAX_SECONDS = 2
    for _ in range(30):
        _post(client, citizen.email, "doan-mo", "203.0.113.66")
    # The stranger's own address is locked for the whole window...
    stranger = _post(client, citizen.email, PASSWORD, "203.0.113.66")
    assert "Vui lòng thử lại sau 15 phút" in stranger.content.decode()
    # ...the owner elsewhere waits at most the cap, then gets in.
    response = _post(client, citizen.email, PASSWORD, "198.51.100.7")
    wait = _wait_in(response)
    if wait is not None:
        assert wait <= 2
        time.sleep(wait)
        response = _post(client, citizen.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert logged_in_as(client) == str(citizen.pk)
