import time

import pytest

from motcua.core import ratelimit


def test_delays_double_from_one_second_up_to_the_cap():
    delays = [ratelimit.delay_for(count, free=3, cap=10) for count in range(3, 10)]
    assert delays == [1, 2, 4, 8, 10, 10, 10]
    assert ratelimit.delay_for(10**6, free=3, cap=30) == 30


def test_limit_counts_first_and_refuses_past_the_limit():
    assert [ratelimit.limit("t", "a", limit=2, window=60) for _ in range(2)] == [1, 2]
    with pytest.raises(ratelimit.Limited) as refused:
        ratelimit.limit("t", "a", limit=2, window=60)
    assert refused.value.seconds == 60
    ratelimit.limit("t", "b", limit=2, window=60)  # another identity is not touched


def test_throttle_lets_one_attempt_through_its_gate_per_delay():
    ratelimit.throttle("t", "a", free=2, window=60, cap=30)
    ratelimit.throttle("t", "a", free=2, window=60, cap=30)  # through the gate: 1 s
    with pytest.raises(ratelimit.Limited) as refused:
        ratelimit.throttle("t", "a", free=2, window=60, cap=30)
    assert refused.value.seconds == 1
    time.sleep(1.05)
    ratelimit.throttle("t", "a", free=2, window=60, cap=30)  # 4th: the gate shuts for 4 s
    with pytest.raises(ratelimit.Limited) as refused:
        ratelimit.throttle("t", "a", free=2, window=60, cap=30)
    assert refused.value.seconds == 4


def test_reset_and_forgive():
    ratelimit.limit("t", "a", limit=1, window=60)
    ratelimit.forgive("t", "a", window=60)
    ratelimit.limit("t", "a", limit=1, window=60)
    ratelimit.reset("t", "a")
    ratelimit.limit("t", "a", limit=1, window=60)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 giây"), (59, "59 giây"), (60, "1 phút"), (900, "15 phút"), (61, "2 phút")],
)
def test_wait_text(seconds, text):
    assert ratelimit.wait_text(seconds) == text
