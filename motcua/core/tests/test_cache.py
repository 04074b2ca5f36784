import pytest
import redis

from motcua.core.cache import RedisCache


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
