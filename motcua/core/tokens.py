"""The access tokens MotCua is given by the systems it calls with OAuth 2.0 client
credentials (the registers, the national portal, a peer installation): kept in the cache
until shortly before they expire, so each call does not ask for a new one."""

from collections.abc import Callable

from django.core.cache import cache

# A token is asked for again this long before it expires (a call on its way must not
# arrive with an expired one).
MARGIN_SECONDS = 30


def lifetime_of(answer: dict) -> int:
    """The token answer's `expires_in`, in seconds; 0 when it is missing or not a number
    (the token is then used once, not kept)."""
    try:
        return int(answer.get("expires_in", 0))
    except (TypeError, ValueError):
        return 0


def cached_token(key: str, fetch: Callable[[], tuple[str, int]], *, fresh: bool = False) -> str:
    """The token kept under `key`, or a new one from `fetch` (which returns the token and its
    lifetime in seconds, or raises the caller's own error). `fresh`: the kept one was refused
    (expired or revoked early), ask again."""
    if not fresh:
        token = cache.get(key)
        if token:
            return token
    token, lifetime = fetch()
    if lifetime > MARGIN_SECONDS:
        cache.set(key, token, lifetime - MARGIN_SECONDS)
    return token


def forget_token(key: str) -> None:
    cache.delete(key)
