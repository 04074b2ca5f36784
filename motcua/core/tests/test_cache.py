import uuid

import pytest

from motcua.core.cache import RedisCache

URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    cache = RedisCache(URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["k", "n"])


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
