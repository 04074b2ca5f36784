"""Rate limits on counters in the cache: count first, then decide.

Every attempt is counted with one atomic increment before anything is checked, and the
decision is taken on the count that increment returned, so parallel requests each see a
different count and no more than the limit get through (a read-then-write limiter let 12
of 60 parallel guesses past a limit of 5).

Two kinds of limit (docs/decisions/0025-delays-not-lockouts.md):

- `limit`: past `limit` attempts in the window every attempt is refused until the window
  ends. For what only the one who triggers it suffers (an account from one address).
- `throttle`: past `free` attempts in the window, one attempt at a time passes a gate that
  then stays shut for a delay doubling from 1 second up to `cap`. For what a stranger could
  otherwise lock for its owner (an account, a dossier code, an address shared behind NAT):
  they can slow it down by at most `cap` seconds a try, never lock it.

The counters must not fail open: when the cache cannot be reached every call here raises
Unavailable, and the request is refused with a 503 (core.middleware).
"""

import hashlib
import math
import threading
import time

from django.core.cache import cache
from django.utils.translation import ngettext

from motcua.core.cache import CacheUnavailable

_lock = threading.Lock()


class Unavailable(Exception):
    """The counters cannot be reached; refuse the attempt rather than let it through."""


class Limited(Exception):
    """Over the limit: the attempt is refused; `seconds` until it may be tried again."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = max(1, int(seconds))


def _key(scope: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def _store():
    """The cache's strict side when it has one (Redis); local memory never fails."""
    return getattr(cache, "strict", cache)


def hit(scope: str, ident: str, *, window: int, delta: int = 1) -> int:
    """Count `delta` attempts (atomically) and return the count in the window."""
    key, store = _key(scope, ident), _store()
    try:
        if hasattr(store, "hit"):
            return store.hit(key, window, delta)
        with _lock:
            if store.add(key, delta, timeout=window):
                return delta
            try:
                return store.incr(key, delta)
            except ValueError:  # expired between add and incr
                store.set(key, delta, timeout=window)
                return delta
    except CacheUnavailable as exc:
        raise Unavailable(str(exc)) from exc


def limit(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Count one attempt; raise Limited once more than `limit` were made in the window."""
    count = hit(scope, ident, window=window)
    if count > limit:
        raise Limited(window)
    return count


def delay_for(count: int, *, free: int, cap: int) -> int:
    """Seconds the gate stays shut after the `count`-th attempt (1, 2, 4, ... up to cap)."""
    return min(2 ** min(count - free, 30), cap)


def throttle(scope: str, ident: str, *, free: int, window: int, cap: int) -> int:
    """Count one attempt; from the `free`-th in the window on, let it pass only through the
    gate, which it shuts for delay_for(count); raise Limited while the gate is shut."""
    count = hit(scope, ident, window=window)
    if count < free:
        return count
    delay = delay_for(count, free=free, cap=cap)
    gate, store = _key(f"{scope}:gate", ident), _store()
    until = time.time() + delay
    try:
        if store.add(gate, until, timeout=delay):
            return count
        shut_until = store.get(gate) or until
    except CacheUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    raise Limited(math.ceil(shut_until - time.time()))


def forgive(scope: str, ident: str, *, window: int) -> None:
    """Take back one counted attempt (it turned out well)."""
    hit(scope, ident, window=window, delta=-1)


def reset(scope: str, ident: str) -> None:
    """Forget the counter and the gate (after a success that proves the right to them)."""
    try:
        _store().delete_many([_key(scope, ident), _key(f"{scope}:gate", ident)])
    except CacheUnavailable as exc:
        raise Unavailable(str(exc)) from exc


def wait_text(seconds: int) -> str:
    """ "30 giây", "15 phút": how long to wait, for the refusal messages."""
    if seconds < 60:
        return ngettext("%(n)d giây", "%(n)d giây", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}
