#!/usr/bin/env python
"""Where a submission and a tracking request spend their time, in-process (no HTTP server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/profile_requests.py [--requests 300] [--top 25]

Uses the production settings of bench/load_test.py (DEBUG off, Redis cache, Celery broker) and
the Django test client: prints the SQL of one request of each kind, the mean wall time per
request over --requests sequential requests, and a cProfile of as many more.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database.")
    import load_test

    env = load_test.server_env(
        argparse.Namespace(database_url=database_url, pool_max=0, blocking_threads=1)
    )
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    load_test.setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    n = args.requests
    user = load_test.submitter()
    uuids = load_test.make_drafts(user, 2 * n + 30)
    pairs = load_test.tracking_pairs(2 * n + 30)
    client = Client()
    client.force_login(user)
    anonymous = Client()

    def submit(i):
        response = client.post(f"/dossiers/{uuids[i]}/submit/", {"declaration": "on"})
        assert response.status_code == 302 and "/submitted/" in response["Location"], response

    def track(i):
        code, phone = pairs[i]
        response = anonymous.post("/track/", {"code": code, "secret": phone})
        assert response.status_code == 200, response.status_code

    load_test.reset_tracking_limits()
    for name, one in (("submission", submit), ("tracking", track)):
        for i in range(10):
            one(i)
        with CaptureQueriesContext(connection) as queries:
            one(10)
        print(f"\n=== {name}: {len(queries.captured_queries)} queries")
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
        started = time.perf_counter()
        for i in range(11, 11 + n):
            one(i)
        print(f"mean {(time.perf_counter() - started) / n * 1000:.1f} ms per request (sequential)")
        profile = cProfile.Profile()
        profile.enable()
        for i in range(11 + n, 11 + 2 * n):
            one(i)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
