"""The wait before the next try of something sent to an outside system: exponential backoff.

Shared by the deliveries that keep their own retry schedule (webhooks, pushes to the national
portal): `base` seconds after the first failure, doubled after each, never more than `cap`.
"""

from datetime import timedelta


def backoff(attempts: int, *, base: int, cap: int) -> timedelta:
    """The wait after `attempts` failed tries (1 → base, 2 → 2 × base, … capped at `cap`)."""
    seconds = base * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, cap))
