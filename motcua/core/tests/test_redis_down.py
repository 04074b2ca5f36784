"""Redis down: pages that do not need it keep working from the database; what a rate limit
protects is refused with a clear 503, never let through and never a 500."""

import logging
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.accounts.tests.helpers import PASSWORD
from motcua.core import cache as motcua_cache
from motcua.core import ratelimit
from motcua.core.cache import RedisCache

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused
UNAVAILABLE = "Chức năng này tạm thời không hoạt động. Vui lòng thử lại sau ít phút."


def _redis_cache(settings, location):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "motcua.core.cache.RedisCache", "LOCATION": location},
    }
    motcua_cache._down_until.clear()
    motcua_cache._warned_at.clear()


@pytest.fixture
def redis_down(settings):
    _redis_cache(settings, DEAD_REDIS)
    yield
    motcua_cache._down_until.clear()


@pytest.fixture
def redis_up(settings, redis_url):
    _redis_cache(settings, redis_url)


@pytest.mark.django_db
def test_home_page_works_without_redis(client, redis_down):
    response = client.get(reverse("catalogue:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_logged_in_pages_work_without_redis(client, citizen, redis_down):
    client.force_login(citizen)  # the session is kept in the database
    response = client.get(reverse("dossiers:mine"))
    assert response.status_code == 200
    assert citizen.display_name in response.content.decode()


def test_officer_pages_work_without_redis(client, org, redis_down):
    login_officer(client, org.desk_officer)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    assert org.desk_officer.full_name in response.content.decode()


@pytest.mark.django_db
def test_login_is_refused_with_a_503_not_let_through(client, citizen, redis_down, monkeypatch):
    checks = []
    monkeypatch.setattr("motcua.accounts.services.authenticate", lambda *a, **k: checks.append(1))
    response = client.post(reverse("accounts:login"), {"login": citizen.email, "password": "x"})
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert response["Retry-After"]
    assert checks == []  # no password was checked without the counters


@pytest.mark.django_db
def test_tracking_is_refused_with_a_503(client, redis_down):
    response = client.post(reverse("dossiers:track"), {"code": "X", "secret": "0912345678"})
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_is_in_english_for_english_readers(client, redis_down):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("dossiers:track"), {"code": "X", "secret": "0912345678"})
    assert response.status_code == 503
    assert "Please try again in a few minutes." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:password_reset", {"email": "an@example.vn"}),
        ("results:verify_upload", {}),
        (
            "accounts:register",
            {
                "kind": "citizen",
                "full_name": "Lê Thị Cúc",
                "email": "cuc@example.vn",
                "password1": "Hoa-sen-no-2026",
                "password2": "Hoa-sen-no-2026",
            },
        ),
    ],
)
def test_other_limited_forms_are_refused_with_a_503(client, redis_down, name, data):
    response = client.post(reverse(name), data)
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


@pytest.mark.django_db
def test_with_redis_up_login_works(client, citizen, redis_up):
    url = reverse("accounts:login")
    wrong = client.post(url, {"login": citizen.email, "password": "x"})
    assert wrong.status_code == 200
    right = client.post(url, {"login": citizen.email, "password": PASSWORD})
    assert right.status_code == 302


def test_a_dead_redis_costs_milliseconds_and_one_warning(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="motcua.cache")
    started = time.perf_counter()
    for _ in range(50):
        assert cache.get("anything") is None
        cache.set("anything", 1)
    assert time.perf_counter() - started < 0.5
    assert len([r for r in caplog.records if r.name == "motcua.cache"]) == 1
    with pytest.raises(ratelimit.Unavailable):
        ratelimit.hit("x", "y", window=60)


def test_a_hanging_redis_times_out_quickly_then_is_left_alone(settings):
    # 192.0.2.1 (TEST-NET-1) is never routed: the connection hangs or fails at once.
    _redis_cache(settings, "redis://192.0.2.1:6379/0")
    started = time.perf_counter()
    assert cache.get("anything") is None
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        assert cache.get("anything") is None
    assert first < 1.0
    assert time.perf_counter() - started < 0.05
    motcua_cache._down_until.clear()


def test_counters_on_redis_always_expire(redis_url):
    redis_cache = RedisCache(redis_url, {"KEY_PREFIX": "motcua-tests"})
    assert [redis_cache.strict.hit("n", 30) for _ in range(3)] == [1, 2, 3]
    raw = redis_cache._cache.get_client()
    [key] = raw.keys("*")
    assert 0 < raw.ttl(key) <= 30


@pytest.mark.django_db
def test_a_database_away_for_a_moment_is_a_503_not_a_500(client, citizen, monkeypatch):
    """A PostgreSQL restart cost the clients of bench/faults.py a few 500s: the request
    changed nothing, and the page says to try again."""
    from django.db import OperationalError

    from motcua.dossiers import views

    def restarting(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views.services, "track_dossier", restarting)
    response = client.post(reverse("dossiers:track"), {"code": "X-1", "secret": "0912345678"})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert UNAVAILABLE in response.content.decode()


def test_a_delete_lost_while_redis_was_away_is_done_once_it_is_back(settings, redis_url):
    """A user deactivated or a unit taken away during an outage: the cached copy that grants
    access is deleted before anything is read again, not served for its whole lifetime."""
    _redis_cache(settings, redis_url)
    cache.set("session-user:7", "active officer", 3600)
    cache.set("memberships:7", ["desk"], 3600)
    location = cache._location
    motcua_cache._down_until[location] = time.monotonic() + 60  # Redis away
    cache.delete("session-user:7")
    cache.delete_many(["memberships:7"])
    motcua_cache._down_until.clear()  # back (the keys never left Redis)
    try:
        assert cache.get("session-user:7") is None
        assert cache.get("memberships:7") is None
    finally:
        motcua_cache._lost_deletes.clear()
