"""/health/ names each dependency that is down; /health/live/ only says the process answers."""

import socket
import time

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.urls import reverse

from motcua.core import health

pytestmark = pytest.mark.django_db


def unused_redis_url() -> str:
    """A Redis URL nobody listens at: the port was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def redis_cache(settings, url):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "motcua.core.cache.RedisCache", "LOCATION": url},
    }


def get_health(client):
    started = time.monotonic()
    response = client.get(reverse("core:health"))
    return response, time.monotonic() - started


def test_health_is_ok_with_the_embedded_defaults(client):
    response, _ = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["vendor"] == connection.vendor
    # No Redis and no broker configured: said so, not counted as failures.
    assert body["checks"]["cache"]["status"] == "not configured"
    assert body["checks"]["broker"]["status"] == "not configured"
    assert body["checks"]["storage"]["status"] == "ok"
    assert "no-store" in response["Cache-Control"]  # no proxy keeps an old answer


def test_health_is_ok_when_redis_and_the_broker_answer(client, settings, redis_url):
    redis_cache(settings, redis_url)
    settings.CELERY_BROKER_URL = redis_url
    response, _ = get_health(client)
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "ok",
    }


def test_health_fails_naming_the_cache_when_its_redis_is_down(client, settings):
    redis_cache(settings, unused_redis_url())
    response, seconds = get_health(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["down"] == ["cache"]
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    assert seconds < 2


def test_health_fails_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = unused_redis_url()
    response, _ = get_health(client)
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_health_fails_naming_the_database_when_it_is_down(client, monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response, _ = get_health(client)
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    # The class of the error only: its message may name hosts and users.
    database = body["checks"]["database"]
    assert database["status"] == "down" and database["error"] == "OperationalError"
    assert "refused" not in response.content.decode()


def test_health_fails_naming_the_storage_when_files_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "media"},
        },
    }
    response, _ = get_health(client)
    assert response.status_code == 503
    assert response.json()["down"] == ["storage"]


def test_a_dependency_that_hangs_is_down_within_a_second(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "storage", lambda: time.sleep(3) or {})
    response, seconds = get_health(client)
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "down"
    assert response.json()["checks"]["storage"]["error"] == "timeout"
    assert seconds < 2


def test_liveness_answers_without_the_database_or_the_network(
    client, settings, django_assert_num_queries
):
    redis_cache(settings, unused_redis_url())
    settings.CELERY_BROKER_URL = unused_redis_url()
    with django_assert_num_queries(0):
        response = client.get(reverse("core:live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
