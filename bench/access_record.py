"""What recording a view of personal data costs an officer page, in-process, on the test
database (its own, never the benchmark's data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_<yours> \
        .venv/bin/python -m pytest bench/access_record.py -p no:cacheprovider -s

Commits as production does (no transaction around the calls: the pages run in autocommit,
so the record's INSERT is the page's only write and commits on its own). Prints the mean wall
time of access_log.record_view over CALLS calls (and of a SELECT 1, the price of a round
trip on this machine now), and of the officer dossier page through Django's test client with
and without the record, in turns. On a machine busy with other work the page's two figures
differ by more than the record costs; the record's own time is the figure to read.
"""

import statistics
import time

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.dossiers import access_log
from motcua.dossiers.models import AccessRecord
from motcua.workflow.tests.test_page_reads import dossier_with_everything

CALLS = 1000
PAGES = 200


def _rounds(call, calls) -> list[float]:
    for _ in range(20):
        call()
    means = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - started) / calls * 1000)
    return means


def _paired(first, second, calls, rounds=10) -> tuple[list[float], list[float]]:
    """`first` and `second` timed in turns, so that a machine busy with something else slows
    both alike."""
    for _ in range(10):
        first(), second()
    a, b = [], []
    for _ in range(rounds):
        for call, means in ((first, a), (second, b)):
            started = time.perf_counter()
            for _ in range(calls):
                call()
            means.append((time.perf_counter() - started) / calls * 1000)
    return a, b


def _line(name, means) -> str:
    return (
        f"  {name:28} min {min(means):7.3f}  median {statistics.median(means):7.3f}"
        f"  max {max(means):7.3f}"
    )


@pytest.mark.django_db(transaction=True)
def test_time_the_record_of_a_view(client, make_organisation, monkeypatch):
    from django.db import connection

    dossier = dossier_with_everything(make_organisation)
    officer = dossier.registered_by

    def record():
        officer.__dict__.pop("_motcua_memberships", None)  # as on each request: from the cache
        access_log.record_view(actor=officer, kind=AccessRecord.Kind.DOSSIER, dossier=dossier)

    login_officer(client, officer)
    url = reverse("workflow:dossier", args=[dossier.uuid])

    def page():
        assert client.get(url).status_code == 200

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    print(f"\n{connection.vendor}, autocommit, ms per call:")
    print(_line(f"record_view ({CALLS} a round)", _rounds(record, CALLS)))
    print(_line("  a SELECT 1, for scale", _rounds(select_one, CALLS)))

    real = access_log.record_view
    recording = [True]

    def maybe(**kwargs):
        return real(**kwargs) if recording[0] else None

    monkeypatch.setattr(access_log, "record_view", maybe)

    def page_with():
        recording[0] = True
        page()

    def page_without():
        recording[0] = False
        page()

    with_record, without = _paired(page_with, page_without, PAGES // 10)
    print(_line(f"dossier page ({PAGES // 10} x 10)", with_record))
    print(_line("  without the record", without))
    cost = statistics.median(with_record) - statistics.median(without)
    print(f"  the record's share of the page: {cost:.3f} ms")
