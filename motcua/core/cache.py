"""Django's Redis cache backend, with one Redis client per connection pool, that degrades
when Redis cannot be reached.

Django's client builds a new `redis.Redis` for every cache call, and with it redis-py's
table of response callbacks (about 170 entries), which cost more than the round trip to
Redis (decision 16). A `redis.Redis` is thread-safe over its
connection pool, so one per pool is enough.

The cache holds nothing that cannot be had again (sessions are `cached_db`, counts are
recounted), so with Redis down a read is a miss and a write does nothing: the pages keep
working from the database; a delete that could not be done (a session user or a unit
membership forgotten) is done before this process's next call that reaches Redis. Sockets
time out quickly, and after a failure Redis is left alone
for RETRY_SECONDS, so a dead or hanging Redis costs a request nothing or one short timeout.
Rate limits must not fail open: they use `cache.strict`, whose calls raise CacheUnavailable
instead (motcua.core.ratelimit).
"""

import logging
import threading
import time
from functools import partial

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("motcua.cache")

# Seconds; CACHES["default"]["OPTIONS"] may set socket_connect_timeout / socket_timeout.
CONNECT_TIMEOUT = 0.25
READ_TIMEOUT = 0.5
# After a failure, calls fail at once for this long before Redis is tried again.
RETRY_SECONDS = 2.0
# At most one warning in the log per location this often while Redis stays down.
WARN_EVERY_SECONDS = 60.0

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_state_lock = threading.Lock()
_down_until: dict[str, float] = {}
_warned_at: dict[str, float] = {}
# Keys this process failed to delete while Redis was away, deleted before its next call gets
# through: a forgotten session user or unit membership must not come back after an outage.
_lost_deletes: dict[str, set[str]] = {}


class CacheUnavailable(Exception):
    """Redis could not be reached (connection refused, timed out, or recently down)."""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", READ_TIMEOUT)
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def hit(self, key, window: int, delta: int = 1) -> int:
        """Add `delta` to the counter `key`, created with a lifetime of `window` seconds; the
        new count. One MULTI/EXEC: the counter always has its expiry, and no caller ever
        sees another's count."""
        with self.get_client(key, write=True).pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incrby(key, delta)
            return pipe.execute()[1]


class _Strict:
    """The cache's own operations (and `hit`), raising CacheUnavailable when Redis is down."""

    def __init__(self, cache: "RedisCache"):
        self._cache = cache

    def __getattr__(self, name):
        method = getattr(django_redis.RedisCache, name).__get__(self._cache)
        return partial(self._cache._guarded, method)

    def hit(self, key, window: int, delta: int = 1) -> int:
        key = self._cache.make_and_validate_key(key)
        return self._cache._guarded(self._cache._cache.hit, key, window, delta)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)
        self.strict = _Strict(self)

    def _guarded(self, method, *args, **kwargs):
        now = time.monotonic()
        if _down_until.get(self._location, 0.0) > now:
            raise CacheUnavailable(self._location)
        try:
            self._delete_lost_keys()
            return method(*args, **kwargs)
        except _UNREACHABLE as exc:
            with _state_lock:
                _down_until[self._location] = now + RETRY_SECONDS
                warn = now - _warned_at.get(self._location, -WARN_EVERY_SECONDS) >= (
                    WARN_EVERY_SECONDS
                )
                if warn:
                    _warned_at[self._location] = now
            if warn:
                log.warning("cache: Redis unreachable, serving without it: %r", exc)
            raise CacheUnavailable(self._location) from exc

    def _delete_lost_keys(self) -> None:
        if not _lost_deletes.get(self._location):
            return
        with _state_lock:
            keys = _lost_deletes.pop(self._location, set())
        try:
            self._cache.delete_many(list(keys))
        except _UNREACHABLE:
            self._delete_later(keys)
            raise

    def _delete_later(self, keys) -> None:
        with _state_lock:
            _lost_deletes.setdefault(self._location, set()).update(keys)

    def _lenient(self, fallback, method, *args, **kwargs):
        try:
            return self._guarded(method, *args, **kwargs)
        except CacheUnavailable:
            return fallback

    def add(self, *args, **kwargs):
        return self._lenient(False, super().add, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._lenient(default, super().get, key, default, version)

    def set(self, *args, **kwargs):
        return self._lenient(None, super().set, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._lenient(False, super().touch, *args, **kwargs)

    def delete(self, key, version=None):
        made = self.make_and_validate_key(key, version=version)
        try:
            return self._guarded(self._cache.delete, made)
        except CacheUnavailable:
            self._delete_later([made])
            return False

    def get_many(self, *args, **kwargs):
        return self._lenient({}, super().get_many, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._lenient(False, super().has_key, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        try:
            return self._guarded(super().incr, key, delta, version)
        except CacheUnavailable:
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from None

    def set_many(self, data, *args, **kwargs):
        return self._lenient(list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, keys, version=None):
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if not made:
            return
        try:
            self._guarded(self._cache.delete_many, made)
        except CacheUnavailable:
            self._delete_later(made)

    def clear(self):
        return self._lenient(False, super().clear)
