"""Failure counters in the cache: login lockout and public tracking limits."""

import hashlib

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def is_blocked(scope: str, ident: str, *, limit: int) -> bool:
    return (cache.get(_key(scope, ident)) or 0) >= limit


def blocked_any(scope: str, idents: list[str], *, limit: int) -> bool:
    keys = [_key(scope, ident) for ident in idents]
    return any((count or 0) >= limit for count in cache.get_many(keys).values())


def register_failure(scope: str, ident: str, *, window: int) -> int:
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
