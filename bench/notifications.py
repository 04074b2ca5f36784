"""What telling the applicant costs, in-process, on the test database (never the benchmark's
data):

    .venv/bin/python -m pytest bench/notifications.py -p no:cacheprovider -s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_<yours> .venv/bin/python -m pytest ...

Prints the mean wall time of notifications.services.notify() for one dossier notice (render
the template in the recipient's language, write the notification and its deliveries, send
the e-mail through Django's in-memory backend and show it in the portal), of the same call
run again for the same event (what an outbox retry costs: it finds the one it made), and of
the header's unread count for an applicant with UNREAD notifications, from the cache and
counted afresh.
"""

import statistics
import time

import pytest
from django.core.cache import cache

from motcua.factories import UserFactory
from motcua.notifications import services

CALLS = 300
UNREAD = 5000


def _mean_ms(call, calls: int) -> float:
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for i in range(calls):
            call(i)
        rounds.append((time.perf_counter() - started) / calls * 1000)
    return statistics.median(rounds)


@pytest.mark.django_db(transaction=True)
def test_what_telling_costs(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(email="bench@bench.motcua.invalid")
    context = {
        "code": "000.00.00.H00-261207-0001",
        "name": "Nguyễn Văn Thử",
        "due_date": "09/12/2026",
    }
    taken = iter(range(10**9))

    def tell(_i, source=None):
        services.notify(
            source=source or f"bench:{next(taken)}", kind="accepted", context=context, user=user
        )

    first = _mean_ms(tell, CALLS)
    again = _mean_ms(lambda i: tell(i, source="bench:0"), CALLS)

    from motcua.notifications.models import Notification

    made = Notification.objects.filter(user=user).first()
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                source=f"bulk:{i}",
                recipient=made.recipient,
                kind="accepted",
                title=made.title,
                text=made.text,
                shown_at=made.shown_at,
            )
            for i in range(UNREAD)
        ]
    )
    services.unread_count(user)
    cached = _mean_ms(lambda i: services.unread_count(user), CALLS)
    cold = _mean_ms(
        lambda i: (cache.delete(services._unread_key(user.pk)), services.unread_count(user)), 100
    )
    print(
        f"\nnotify(), a new dossier notice, e-mail + portal: {first:.2f} ms"
        f"\nnotify() again for the same event (an outbox retry): {again:.2f} ms"
        f"\nunread count with {services.unread_count(user):,} unread: "
        f"{cached:.3f} ms from the cache, {cold:.2f} ms counted"
    )
    assert services.unread_count(user) >= UNREAD
