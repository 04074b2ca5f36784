"""The dependencies' health, for load balancers and operators (docs/production.md).

`check_all()` asks the database, the cache's Redis server, the Celery broker and the default
file storage at once, each in its own thread, and gives up on any that has not answered within
CHECK_SECONDS: a dependency that hangs is reported down instead of holding the probe (and a
server thread) for the length of its own timeout. What is not configured (no Redis, no broker)
is reported as such and is not a failure.
"""

import re
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.utils.module_loading import import_string

OK = "ok"
DOWN = "down"
NOT_CONFIGURED = "not configured"

# The whole probe answers within this; Redis gets half of it to connect and half to reply.
CHECK_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 0.5
# A small file the storage check looks for, and writes when it is missing (decision 22).
STORAGE_PROBE = "health/probe.txt"


class NotConfigured(Exception):
    """The deployment does not use this dependency."""


def check_database() -> dict:
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _ping_redis(url: str) -> None:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_cache() -> dict:
    """Ping the Redis servers of the default cache themselves: the cache backend answers its
    default when Redis is away, so a cache.get() would say nothing."""
    cache = settings.CACHES["default"]
    if not issubclass(import_string(cache["BACKEND"]), RedisCache):
        raise NotConfigured
    servers = cache["LOCATION"]
    if isinstance(servers, str):
        servers = re.split("[;,]", servers)
    for url in servers:
        _ping_redis(url.strip())
    return {}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        raise NotConfigured
    if urlsplit(url).scheme in ("redis", "rediss"):
        _ping_redis(url)
    else:
        from kombu import Connection

        with Connection(url, connect_timeout=CHECK_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=CHECK_SECONDS)
    return {}


def check_storage() -> dict:
    """One look-up (a stat on disk, a HEAD on S3) per probe; the probe file is written only
    when it is missing, so a fresh or read-only storage is caught too."""
    if not default_storage.exists(STORAGE_PROBE):
        default_storage.save(STORAGE_PROBE, ContentFile(b"ok\n"))
    return {}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


class _Probe(threading.Thread):
    def __init__(self, name: str, check: Callable[[], dict]):
        super().__init__(name=f"health-{name}", daemon=True)
        self.check = check
        self.result: dict | None = None

    def run(self) -> None:
        started = time.perf_counter()
        try:
            result = {"status": OK, **self.check()}
        except NotConfigured:
            result = {"status": NOT_CONFIGURED}
        except Exception as exc:  # whatever the failure, the dependency is down
            # The class only: the message may name hosts and users, and /health/ is public.
            result = {"status": DOWN, "error": exc.__class__.__name__}
        finally:
            # This thread's own database connection (back to the pool, if there is one).
            connections.close_all()
        result["ms"] = round(1000 * (time.perf_counter() - started), 1)
        self.result = result


def check_all(timeout: float = CHECK_SECONDS) -> dict[str, dict]:
    """Each dependency's {"status": ok | down | not configured, ...}, within `timeout`."""
    probes = {name: _Probe(name, check) for name, check in CHECKS.items()}
    for probe in probes.values():
        probe.start()
    deadline = time.monotonic() + timeout
    results = {}
    for name, probe in probes.items():
        probe.join(max(0.0, deadline - time.monotonic()))
        # A probe still running is left to end on its own timeout; its answer comes too late.
        results[name] = probe.result or {"status": DOWN, "error": "timeout"}
    return results
