import os

import pytest
import redis

from motcua.core.cache import RedisCache

# Databases 8-15 belong to the tests, one per xdist worker, so that flushing one never
# touches a development server's data (database 0) or another worker's keys.
REDIS_HOST = "redis://127.0.0.1:6379"


def _test_database() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 15 - int(worker.removeprefix("gw")) % 8


@pytest.fixture
def redis_url():
    url = f"{REDIS_HOST}/{_test_database()}"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        message = f"no Redis answers at {REDIS_HOST}"
        # CI starts Redis (.ci/run): there, a silent skip would hide the backend's tests.
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_cache(redis_url):
    return RedisCache(redis_url, {"KEY_PREFIX": "motcua-tests"})


def test_redis_cache_reads_writes_and_counts(redis_cache):
    redis_cache.set("k", {"a": 1}, 30)
    assert redis_cache.get("k") == {"a": 1}
    assert redis_cache.get_many(["k", "missing"]) == {"k": {"a": 1}}
    assert redis_cache.add("n", 1, 30) and not redis_cache.add("n", 5, 30)
    assert redis_cache.incr("n") == 2
    redis_cache.delete("k")
    assert redis_cache.get("k") is None


def test_redis_cache_reuses_one_client_per_pool(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client


def test_redis_cache_keys_expire_and_stay_in_their_database(redis_cache, redis_url):
    redis_cache.set("k", "v", 30)
    raw = redis.Redis.from_url(redis_url)
    [key] = raw.keys("*")
    assert key.decode().startswith("motcua-tests:") and 0 < raw.ttl(key) <= 30
    redis_cache.clear()
    assert raw.dbsize() == 0
