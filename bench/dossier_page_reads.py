"""Time the officer dossier page's two reads in-process (no HTTP), on the test database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python -m pytest bench/dossier_page_reads.py -p no:cacheprovider -s

Builds test_page_reads.dossier_with_everything and prints the mean wall time of
officer_dossier and dossier_page_data over CALLS calls, three rounds each.
"""

import statistics
import time

from motcua.workflow import dossier_page
from motcua.workflow.tests.test_page_reads import dossier_with_everything

CALLS = 200


def _rounds(call) -> list[float]:
    for _ in range(20):
        call()
    means = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(CALLS):
            call()
        means.append((time.perf_counter() - started) / CALLS * 1000)
    return means


def test_time_the_dossier_pages_reads(make_organisation):
    from django.db import connection

    dossier = dossier_with_everything(make_organisation)
    officer = dossier.registered_by

    def officer_dossier():
        officer.__dict__.pop("_motcua_memberships", None)  # as on each request: from the cache
        assert dossier_page.officer_dossier(officer, dossier.uuid) is not None

    def page_data():
        dossier_page.dossier_page_data(dossier)

    print(f"\n{connection.vendor}, {CALLS} calls a round, ms per call:")
    for name, call in (("officer_dossier", officer_dossier), ("dossier_page_data", page_data)):
        means = _rounds(call)
        print(
            f"  {name:18} {' '.join(f'{m:6.3f}' for m in means)}  median {statistics.median(means):.3f}"
        )
