#!/usr/bin/env python
"""The statistics at national scale (issue 14, decision 0060), on the loaded bench database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/reports.py [--runs 50] [--http] [--keep-up]

Needs the dossiers, facts and aggregates of bench/load_dossiers.py. Three measurements:

  (a) in process (always): p50 / p99 over --runs runs of period_table, period_totals and
      summary for the current year, at national scope and for the busiest agency (with its
      sub-agencies), and of the trend (period_totals of the last 6 months);
  (b) --http: p99 of GET --paths against the production server (deploy/serve, DEBUG off, as
      bench/load_test.py starts it), as a national reader (--national-email, default the
      demo superuser) and as an agency manager (--manager-email, default the Huế department's
      leader); a path that answers 404 (a page not built yet) is skipped with a message;
  (c) --keep-up: bench/load_test.py's insert and submission scenarios, with a Celery worker
      delivering the outbox, once with REPORTS_LIVE=true and once with REPORTS_LIVE=false:
      the submission rate with the statistics subscriber on vs off, and the events it left
      undelivered.

Results go to bench/results/reports-<time>.{txt,json}. Target (issue 14): p99 < 300 ms for
the year's table (national and one agency), the dashboard and the public page; the submission
rate within 10 % with the subscriber on.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
TARGET_MS = 300
sys.path.insert(0, str(ROOT / "bench"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=50, help="runs per in-process measurement")
    parser.add_argument("--year", type=int, default=None, help="default: the current year")
    parser.add_argument("--agency", type=int, default=None, help="default: the busiest one")
    parser.add_argument("--http", action="store_true", help="measure the pages over HTTP")
    parser.add_argument(
        "--paths",
        nargs="+",
        default=["/officer/reports/?kind=year&year={year}", "/statistics/"],
        help="pages to measure ({year} is replaced)",
    )
    parser.add_argument("--requests", type=int, default=200, help="HTTP requests per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--national-email", default="admin@demo.motcua.vn")
    parser.add_argument("--manager-email", default="lanhdao@demo.motcua.vn")
    parser.add_argument("--keep-up", action="store_true", help="submission rate, live on/off")
    parser.add_argument("--duration", type=int, default=20, help="seconds per load_test run")
    parser.add_argument(
        "--drain-seconds", type=int, default=180, help="wait for the worker at most this long"
    )
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocking-threads", type=int, default=4)
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def timed(fn, runs: int) -> dict:
    fn()  # warm: connections, the agency path cache, the plan cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "runs": runs,
        "p50_ms": round(percentile(times, 50), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
    }


# --- (a) in process ---------------------------------------------------------------------------


def in_process(args) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from motcua.reports import indicators as ind
    from motcua.reports.models import DailyAggregate, DossierFact

    year = ind.year(year=args.year or timezone.localdate().year)
    agency = args.agency
    if agency is None:
        busiest = (
            DossierFact.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
        )
        agency = busiest["agency_id"] if busiest else None
    today = timezone.localdate()
    months = ind.month(year=today.year, month=today.month).trend(6)
    info = {
        "facts": DossierFact.objects.count(),
        "daily_rows": DailyAggregate.objects.count(),
        "year": year.key,
        "agency": agency,
    }
    results = {}
    for label, scope in (("national", ind.Scope()), ("agency", ind.Scope(agency_id=agency))):
        results[f"period_table {label}"] = timed(
            lambda s=scope: ind.period_table(period=year, scope=s), args.runs
        )
        results[f"period_totals {label}"] = timed(
            lambda s=scope: ind.period_totals(period=year, scope=s), args.runs
        )
        results[f"summary {label}"] = timed(
            lambda s=scope: ind.summary(period=year, scope=s), args.runs
        )
        results[f"trend of 6 months {label}"] = timed(
            lambda s=scope: [ind.period_totals(period=p, scope=s) for p in months], args.runs
        )
    # The public page's figures with its cache cold (what one miss costs; a hit is a cache
    # read): the headline, the tables per agency and per procedure, the online services.
    from motcua.reports import public

    def public_page(scope):
        ind.summary(period=year, scope=scope)
        public.agency_rows(period=year, scope=scope)
        public.procedure_rows(period=year, scope=scope)
        ind.online_services()
        public.online_services_by_sector()

    for label, scope in (("national", ind.Scope()), ("agency", ind.Scope(agency_id=agency))):
        results[f"public page uncached {label}"] = timed(lambda s=scope: public_page(s), args.runs)
    national = ind.period_totals(period=year, scope=ind.Scope())
    info["year_totals"] = {k: national[k] for k in (*ind.COLUMNS, "to_handle")}
    return {"info": info, "results": results}


# --- (b) HTTP ---------------------------------------------------------------------------------


def http(args, env) -> dict:
    import back_office
    import load_test
    from django.db import connection

    from motcua.accounts.models import User

    sessions = {}
    for label, email in (("national", args.national_email), ("manager", args.manager_email)):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            print(f"  no user {email}: {label} skipped")
            continue
        sessions[label] = back_office.officer_session(user)
    sessions["anonymous"] = ""
    connection.close()
    year = args.year or datetime.now().year
    run_dir = RESULTS / f"reports-{datetime.now():%Y%m%d-%H%M%S}"
    run_dir.mkdir(parents=True, exist_ok=True)
    load_test.collectstatic_if_needed(env)
    process = load_test.start_server(args, env, run_dir / "granian.log")
    results = {}
    try:
        for template in args.paths:
            path = template.format(year=year)
            who = ["anonymous"] if path.startswith("/statistics") else ["national", "manager"]
            for label in who:
                if label not in sessions:
                    continue
                result = get_many(args, path, sessions[label])
                key = f"GET {path} ({label})"
                if result.get("skipped"):
                    print(f"  {key}: {result['skipped']}; skipped")
                results[key] = result
    finally:
        load_test.stop_server(process)
    return results


def get_many(args, path: str, session: str) -> dict:
    """--requests GETs of `path`, --concurrency at a time; latencies of the 200 answers."""
    url = f"http://{HOST}:{args.port}{path}"
    headers = {"Cookie": f"sessionid={session}"} if session else {}

    def one() -> tuple[int, float]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=30
            ) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        return status, (time.perf_counter() - started) * 1000

    status, _ = one()
    if status == 404:
        return {"skipped": "404: the page is not there (yet)"}
    if status != 200:
        return {"skipped": f"HTTP {status} (session refused, or not allowed)"}
    for _ in range(5):
        one()
    times, statuses, lock = [], {}, threading.Lock()
    per_thread = -(-args.requests // args.concurrency)

    def worker():
        for _ in range(per_thread):
            code, ms = one()
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
                if code == 200:
                    times.append(ms)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "p50_ms": round(percentile(times, 50), 1) if times else None,
        "p99_ms": round(percentile(times, 99), 1) if times else None,
        "concurrency": args.concurrency,
    }


# --- (c) keep up ------------------------------------------------------------------------------


def keep_up(args, env) -> dict:
    """load_test.py's insert and submission scenarios, a Celery worker delivering the outbox,
    with the statistics subscriber live and not."""
    from django.db import connection

    from motcua.core.models import OutboxEvent

    results = {}
    for live in ("true", "false"):
        run_env = dict(env, REPORTS_LIVE=live)
        worker = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "motcua", "worker", "--concurrency", "1"]
            + ["--loglevel", "WARNING"],
            cwd=ROOT,
            env=run_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            before = {p.name for p in RESULTS.glob("load_test-*.json")}
            subprocess.run(
                [
                    str(ROOT / ".venv" / "bin" / "python"),
                    str(ROOT / "bench" / "load_test.py"),
                    "--only",
                    "insert",
                    "submission",
                    "--duration",
                    str(args.duration),
                    "--port",
                    str(args.port),
                    "--keep-queue",  # the worker delivers what the submissions queued
                ],
                cwd=ROOT,
                env=run_env,
                check=True,
            )
            # How long the worker takes to deliver the statistics events left queued.
            started, pending = time.monotonic(), None
            while time.monotonic() - started < args.drain_seconds:
                pending = OutboxEvent.objects.filter(
                    next_attempt_at__isnull=False, pending__contains=["reports.refresh_fact"]
                ).count()
                if not pending:
                    break
                time.sleep(1)
            drained = round(time.monotonic() - started, 1)
            connection.close()
        finally:
            load_test.stop_server(worker)
        new = sorted({p.name for p in RESULTS.glob("load_test-*.json")} - before)
        data = json.loads((RESULTS / new[-1]).read_text()) if new else {}
        submission = data.get("results", {}).get("submission", {})
        results[f"live={live}"] = {
            "submission_rps": round(submission.get("rps", 0), 1),
            "submission_p99_ms": round(submission.get("p99_us", 0) / 1000, 1),
            "reports_events_pending_after": pending,
            "drained_in_s": drained if not pending else None,
            "load_test": new[-1] if new else None,
        }
    on = results["live=true"]["submission_rps"]
    off = results["live=false"]["submission_rps"]
    results["slowdown_percent"] = round((off - on) * 100 / off, 1) if off else None
    return results


import load_test  # noqa: E402 - after sys.path has bench/


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL (or --database-url) to the PostgreSQL bench database.")
    args.pool_max = 0
    env = load_test.server_env(args)
    load_test.setup_django(env)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    report = {"at": datetime.now().isoformat(timespec="seconds"), "machine": load_test.machine()}

    print("(a) in process ...", flush=True)
    report["in_process"] = in_process(args)
    info = report["in_process"]["info"]
    lines = [
        f"MotCua statistics at scale, {report['at']}: {info['facts']:,} facts, "
        f"{info['daily_rows']:,} daily aggregate rows; year {info['year']}, agency {info['agency']}",
        f"(a) in process, {args.runs} runs each (target p99 < {TARGET_MS} ms):",
    ]
    for name, r in report["in_process"]["results"].items():
        lines.append(f"  {name:<32} p50 {r['p50_ms']:8.2f} ms   p99 {r['p99_ms']:8.2f} ms")
    if args.http:
        print("(b) HTTP ...", flush=True)
        report["http"] = http(args, env)
        lines.append(f"(b) HTTP, {args.requests} GETs per page, {args.concurrency} at a time:")
        for name, r in report["http"].items():
            if r.get("skipped"):
                lines.append(f"  {name}: skipped ({r['skipped']})")
            else:
                lines.append(
                    f"  {name}: p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms {r['statuses']}"
                )
    if args.keep_up:
        print("(c) keep-up ...", flush=True)
        report["keep_up"] = keep_up(args, env)
        k = report["keep_up"]
        lines.append(
            f"(c) submission rate with the statistics subscriber: "
            f"{k['live=true']['submission_rps']} req/s live, "
            f"{k['live=false']['submission_rps']} req/s off: slowdown {k['slowdown_percent']} % "
            f"(target < 10 %); statistics events still queued after the run delivered in "
            f"{k['live=true']['drained_in_s']} s "
            f"({k['live=true']['reports_events_pending_after']} left)"
        )
    text = "\n".join(lines)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"reports-{stamp}.txt").write_text(text + "\n")
    (RESULTS / f"reports-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"\nsaved bench/results/reports-{stamp}.txt (.json)")


if __name__ == "__main__":
    main()
