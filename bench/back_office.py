#!/usr/bin/env python
"""Back-office load test: the officer pages of a busy unit on PostgreSQL, with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/back_office.py [--duration 15] [--connections 4]

Needs the dossiers of bench/load_dossiers.py (which routes most of them to the Huế
department "quan-ly-van-tai"), Redis on 127.0.0.1:6379 and wrk. Starts the production server
as bench/load_test.py does (granian on 127.0.0.1, 2 workers, DEBUG off), logs in two demo
officers with a verified second factor (session rows written as django.contrib.auth.login and
django_otp.login would), and measures, each for --duration seconds after a warm-up:

  inbox     GET /officer/?tab=todo          the busy unit's specialist: first page of "todo"
  search    GET /officer/?q=<code>          the agency's desk officer: search by dossier code
  dossier   GET /officer/dossiers/<uuid>/   the specialist: a dossier the unit may see
  desk      GET /officer/                   the desk officer's default inbox ("new"); extra

rotating through --samples real codes and uuids. Then (unless --no-single) the same with one
connection, which is the time one request takes with no queueing. Per page: req/s, p50, p90,
p99, the CPU time of the granian processes per request and how busy the machine was before;
p99 over 50 ms (the target) is flagged.

It also prints EXPLAIN (ANALYZE, BUFFERS) of the SQL that the motcua.workflow read modules run for
these pages (and for the name/phone/plate search and the "all" tab), flags queries slower
than --slow-ms, and for each slow query with a known fix tries it inside a transaction that
is rolled back: a candidate index (built, explained, gone with the rollback) or a rewritten
query. The database is left as it was; no migration is written. --profile N times N
requests per page in-process (database, template, other) with a cProfile.

Results: bench/results/back_office.json, back_office-<time>.txt (the report),
back_office-explain-<time>.txt (SQL and plans), and in run-bo-<time>/ the Lua scripts, data
files, granian logs and profiles.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import load_test  # noqa: E402 - the server, wrk and machine helpers are shared

RESULTS = ROOT / "bench" / "results"
HOST = load_test.HOST
TARGET_P99_MS = 50
SCENARIOS = ("inbox", "search", "dossier", "desk")
MARKERS = {  # what a correct page contains
    "inbox": 'href="/officer/dossiers/',
    "search": 'href="/officer/dossiers/',
    "dossier": 'id="state-title"',
    "desk": 'href="/officer/dossiers/',
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--blocking-threads", type=int, default=4, help="per granian worker")
    parser.add_argument(
        "--pool-max", type=int, default=0, help="DATABASE_POOL_MAX (default: blocking threads)"
    )
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--samples", type=int, default=200, help="codes / uuids to rotate")
    parser.add_argument("--agency", default="000.00.18.H56", help="the busy agency")
    parser.add_argument("--unit", default="quan-ly-van-tai", help="the busy unit (code)")
    parser.add_argument("--desk-email", default="motcua@demo.motcua.vn")
    parser.add_argument("--specialist-email", default="chuyenvien@demo.motcua.vn")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument(
        "--no-single", action="store_true", help="skip the one-connection measurements"
    )
    parser.add_argument("--single-duration", type=int, default=8)
    parser.add_argument(
        "--officers",
        type=int,
        default=40,
        help="then this many connections, each an officer who pauses between pages "
        "(exponential think time); 0 to skip",
    )
    parser.add_argument(
        "--rate", type=float, default=100.0, help="with --officers: requests per second in all"
    )
    parser.add_argument("--no-http", action="store_true", help="only the EXPLAIN part")
    parser.add_argument("--no-explain", action="store_true", help="only the HTTP part")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also time N requests per page in-process (test client, no HTTP): database, "
        "template and other time, and a cProfile",
    )
    parser.add_argument(
        "--no-try-fixes",
        action="store_true",
        help="do not try candidate indexes and query rewrites on slow queries",
    )
    parser.add_argument("--slow-ms", type=float, default=10.0, help="flag queries slower than")
    return parser.parse_args()


# --- Officers and their sessions -------------------------------------------------------------------


def officer(email: str):
    from motcua.accounts.models import User

    user = User.objects.filter(email__iexact=email, kind=User.Kind.OFFICER).first()
    if user is None:
        sys.exit(f"No officer {email}: run bench/load_dossiers.py (it creates the demo officers).")
    return user


def officer_session(user) -> str:
    """A session as the login view leaves it after the second factor; returns its key.

    django.contrib.auth.login stores the user id, backend and password hash; django_otp.login
    stores the persistent id of the confirmed device the code was checked on. The officer's
    confirmed TOTP device is used, or one is created (as motcua.accounts.testing does).
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.accounts import two_factor

    device = two_factor.confirmed_totp_device(user) or TOTPDevice.objects.create(
        user=user, name=two_factor.TOTP_DEVICE_NAME, confirmed=True
    )
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


# --- Data to rotate through ----------------------------------------------------------------------


def busy_unit(args):
    from motcua.accounts.models import Unit

    unit = Unit.objects.filter(agency__identifier=args.agency, code=args.unit).first()
    if unit is None:
        sys.exit(f"No unit {args.unit} at {args.agency}: run bench/load_dossiers.py first.")
    return unit


def sample_codes(agency_id: int, n: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM dossiers_dossier TABLESAMPLE SYSTEM (2) REPEATABLE (7) "
            "WHERE receiving_agency_id = %s AND status > 0 AND code IS NOT NULL LIMIT %s",
            [agency_id, n],
        )
        return [row[0] for row in cursor.fetchall()]


def sample_uuids(user, unit_id: int, n: int) -> list[str]:
    """Half from the unit's "todo" queue, half from everything the unit has had (mostly
    returned dossiers, with their whole timeline)."""
    from django.db import connection

    from motcua.workflow import queues

    todo = [
        str(u)
        for u in queues.queue(user, "todo").values_list("uuid", flat=True)[: n // 2 * 10][::10]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.uuid FROM workflow_dossieraccess a TABLESAMPLE SYSTEM (2) REPEATABLE (7) "
            "JOIN dossiers_dossier d ON d.id = a.dossier_id WHERE a.unit_id = %s LIMIT %s",
            [unit_id, n - len(todo)],
        )
        seen = [str(row[0]) for row in cursor.fetchall()]
    return todo + seen


# --- EXPLAIN -----------------------------------------------------------------------------------------


def captured(fn) -> list[str]:
    """The SQL a selector call runs (client-side bound by psycopg: executable as is)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def explain(sql: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS), run twice: the second run's figures (warm cache)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    text = "\n".join(lines)
    execution = float(re.search(r"Execution Time: ([\d.]+) ms", text).group(1))
    planning = float(re.search(r"Planning Time: ([\d.]+) ms", text).group(1))
    top = next((line for line in lines if "Buffers:" in line), "")  # the top node's buffers
    hit = int((re.search(r"shared hit=(\d+)", top) or [0, 0])[1])
    read = int((re.search(r"read=(\d+)", top) or [0, 0])[1])
    return {"ms": execution, "planning_ms": planning, "hit": hit, "read": read, "plan": lines}


def what(sql: str) -> str:
    """A short name for a captured query: its main table and kind."""
    table = re.search(r'FROM "(\w+)"', sql)
    table = table.group(1) if table else "?"
    if "COUNT(" in sql and "FILTER" in sql:
        return f"{table}: queue counts (aggregate)"
    if "COUNT(" in sql:
        return f"{table}: count"
    limits = re.findall(r"LIMIT (\d+)", sql)  # the last one: EXISTS subqueries have LIMIT 1
    return f"{table}: rows" + (f" (LIMIT {limits[-1]})" if limits else "")


# What the officer pages run (queues, search, counts, dossier_page), by key: (label, page it belongs to, call).
# "page" is the measured page whose queries these are ("-": not measured over HTTP).
def selector_calls(code: str, dossier_uuid: str, words: dict) -> list[tuple]:
    from django.test import override_settings

    from motcua.dossiers.models import Dossier
    from motcua.workflow import counts, dossier_page, queues, search

    def uncached_counts(user, now):
        # What a page runs when the unit's counts are not in the cache (after a change).
        with override_settings(INBOX_COUNTS_SECONDS=0):
            return counts.inbox_counts(user, now)

    dossier = Dossier.objects.get(uuid=dossier_uuid)  # for dossier_page_data alone

    calls = [
        (
            "counts_spec",
            "inbox counts, specialist",
            "inbox",
            lambda s, d, now: uncached_counts(s, now),
        ),
        (
            "todo_spec",
            "todo queue page 1, specialist",
            "inbox",
            lambda s, d, now: queues.queue_rows(s, "todo", start=0, size=25, now=now),
        ),
        (
            "counts_desk",
            "inbox counts, desk",
            "search, desk",
            lambda s, d, now: uncached_counts(d, now),
        ),
        (
            "code_desk",
            "search by code, desk",
            "search",
            lambda s, d, now: search.search_rows(d, code, start=0, size=25, now=now),
        ),
        (
            "dossier_spec",
            "officer_dossier, specialist",
            "dossier",
            lambda s, d, now: dossier_page.officer_dossier(s, dossier_uuid),
        ),
        (
            "data_spec",
            "dossier page data, specialist",
            "dossier",
            lambda s, d, now: dossier_page.dossier_page_data(dossier),
        ),
        (
            "new_desk",
            "new queue page 1, desk",
            "desk",
            lambda s, d, now: queues.queue_rows(d, "new", start=0, size=25, now=now),
        ),
        (
            "todo_desk",
            "todo queue page 1, desk (results to return)",
            "-",
            lambda s, d, now: queues.queue_rows(d, "todo", start=0, size=25, now=now),
        ),
        (
            "overdue_spec",
            "overdue queue page 1, specialist",
            "-",
            lambda s, d, now: queues.queue_rows(s, "overdue", start=0, size=25, now=now),
        ),
        (
            "all_spec",
            "all tab page 1, specialist",
            "-",
            lambda s, d, now: queues.queue_rows(s, "all", start=0, size=25, now=now),
        ),
    ]
    for label, text in words.items():
        calls.append(
            (
                f"{label}_desk",
                f"search by {label} ({text!r}), desk",
                "-",
                lambda s, d, now, text=text: search.search_rows(d, text, start=0, size=25),
            )
        )
    return calls


def explain_queries(spec, desk, calls) -> list[dict]:
    """EXPLAIN every query the calls run (the officers' memberships once)."""
    from django.utils import timezone

    from motcua.accounts.models import User

    now = timezone.now()
    results, seen = [], set()
    for key, label, page, fn in calls:
        # Fresh user objects: memberships are cached on them, as within one request.
        s, d = User.objects.get(pk=spec.pk), User.objects.get(pk=desk.pk)
        for sql in captured(lambda fn=fn, s=s, d=d: fn(s, d, now)):
            if "accounts_membership" in sql:
                if "membership" in seen:
                    continue
                seen.add("membership")
                entry = {
                    "key": "memberships",
                    "label": "memberships of the officer (every page)",
                    "page": "all",
                }
            else:
                entry = {"key": key, "label": f"{label}: {what(sql)}", "page": page}
            results.append({**entry, "sql": sql, **explain(sql)})
    return results


# Fixes to try when a query is slow: each builds its index inside a transaction, explains
# the query again, and rolls back. Nothing is kept. Fixes measured here and adopted since
# (the counts' index-only scan, the trigram index's condition, the "all" tab's index) are in
# the application now.

INDEX_TRGM_FULL = (
    "CREATE INDEX dossier_search_trgm_all ON dossiers_dossier USING gin (search_text gin_trgm_ops)"
)


def fix_trials(words: dict) -> list[dict]:
    """What to try, per query key: a rewritten call, an index, or both."""
    return [
        {
            "key": f"{label}_desk",
            "match": "LIMIT",
            "fix": "index: trigram GIN without the WHERE (query unchanged)",
            "index": INDEX_TRGM_FULL,
            "call": None,
        }
        for label in words
    ]


def try_fixes(slow: list[dict], spec, desk, trials: list[dict]) -> list[dict]:
    """Each candidate index is built once, in a transaction rolled back after the EXPLAINs."""
    from django.db import connection, transaction
    from django.utils import timezone

    from motcua.accounts.models import User

    now = timezone.now()
    groups: dict[str | None, list] = {}
    for query in slow:
        for trial in trials:
            if trial["key"] != query["key"] or trial["match"] not in query["sql"]:
                continue
            sql = query["sql"]
            if trial["call"] is not None:
                s, d = User.objects.get(pk=spec.pk), User.objects.get(pk=desk.pk)
                rewritten = [
                    q
                    for q in captured(lambda t=trial, s=s, d=d: t["call"](s, d, now))
                    if "accounts_membership" not in q and trial["match"] in q
                ]
                sql = rewritten[-1]
                if sql == query["sql"]:
                    continue  # the code already does this
            groups.setdefault(trial["index"], []).append((query, trial, sql))
    tried = []
    for index_sql, items in groups.items():
        build = size = 0.0
        index_name = index_sql.split()[2] if index_sql else None
        afters = []
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if index_sql:
                        started = time.monotonic()
                        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                        cursor.execute(index_sql)
                        build = time.monotonic() - started
                        cursor.execute("SELECT pg_relation_size(%s::regclass)", [index_name])
                        size = cursor.fetchone()[0]
                    afters = [explain(sql) for _query, _trial, sql in items]
                raise _Rollback
        except _Rollback:
            pass
        for (query, trial, sql), after in zip(items, afters, strict=True):
            tried.append(
                {
                    "query": query["label"],
                    "fix": trial["fix"],
                    "index_sql": index_sql,
                    "rewritten_sql": sql if trial["call"] is not None else None,
                    "before_ms": query["ms"],
                    "after_ms": after["ms"],
                    "index_used": bool(index_name)
                    and any(index_name in line for line in after["plan"]),
                    "size_mb": round(size / 2**20, 1),
                    "build_s": round(build, 1),
                    "plan_after": after["plan"],
                }
            )
    order = {id(q): i for i, q in enumerate(slow)}
    labels = {q["label"]: order[id(q)] for q in slow}
    tried.sort(key=lambda t: labels.get(t["query"], 0))
    return tried


class _Rollback(Exception):
    pass


# --- wrk -------------------------------------------------------------------------------------

LUA_GET = r"""
local headers = {["Cookie"] = "sessionid=@SESSION@"}
local think_ms = @THINK@
function init(args)
  math.randomseed(os.time() + 7919 * tid)
  load_requests(args, function(path) return wrk.format("GET", path, headers) end)
end
request = next_request
-- An officer reads the page before the next click: exponential think time (0: none).
-- wrk times each request from when it is sent, so the pause is not in the latency.
function delay()
  if think_ms <= 0 then return 0 end
  return -math.log(1 - math.random()) * think_ms
end
function response(status, headers, body)
  count(status)
  if status ~= 200 or not body:find('@MARKER@', 1, true) then unexpected = unexpected + 1 end
end
"""


def run_wrk(
    args, run_dir, name, seconds, data, session, *, connections, threads, think_ms=0.0
) -> dict:
    script = run_dir / (f"{name}-officers.lua" if think_ms else f"{name}.lua")
    script.write_text(
        load_test.LUA_COMMON
        + LUA_GET.replace("@SESSION@", session)
        .replace("@MARKER@", MARKERS[name])
        .replace("@THINK@", f"{think_ms:.1f}")
    )
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{args.port}/officer/",
        "--",
        str(threads),
        str(data),
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"^BENCH (\{.*\})$", out.stdout, re.M)
    if out.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    result = json.loads(match.group(1))
    result["command"] = " ".join(command)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["socket_errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    result["errors"] = result["s4xx"] + result["s5xx"] + result["socket_errors"]
    return result


def check_page(args, path: str, session: str, marker: str) -> tuple[int, int]:
    """One request before the run: the session must be accepted (no 2FA redirect)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(
        f"http://{HOST}:{args.port}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    try:
        with opener.open(request, timeout=30) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as exc:
        sys.exit(f"{path}: HTTP {exc.code} ({exc.headers.get('Location', '')}); session refused?")
    if marker not in body:
        sys.exit(f"{path}: the page does not contain {marker!r}")
    return status, len(body)


# --- Running the server and wrk ---------------------------------------------------------------


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time (all cores) that was busy over `seconds`, in %.

    Taken while this benchmark's server and wrk are idle: it is the work of others (tests,
    browsers) that the measurement next to it competes with.
    """

    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return round(100 * (1 - (idle1 - idle0) / max(1, total1 - total0)), 1)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by granian: its process and all descendants.

    Per request, this is what a page costs the application server, whatever else runs on
    the machine (waiting for the CPU is not counted).
    """
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = int(fields[11]) + int(fields[12])
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(p, 0) for p in family) / os.sysconf("SC_CLK_TCK")


def measure(args, env, run_dir, data, files, sessions) -> tuple[dict, dict, dict]:
    """Start the server, check each page once, then wrk: --connections, then one connection,
    then --officers with think time."""
    results, single, officers = {}, {}, {}
    process = load_test.start_server(args, env, run_dir / "granian.log")

    def timed(name, label, seconds, **load):
        _paths, who = data[name]
        busy = cpu_busy(2)
        print(f"{label}: {name} for {seconds} s ...", flush=True)
        cpu = server_cpu(process.pid)
        r = run_wrk(args, run_dir, name, seconds, files[name], sessions[who], **load)
        r["others_busy_pct"] = busy
        r["server_cpu_ms"] = 1000 * (server_cpu(process.pid) - cpu) / max(1, r["requests"])
        print(
            f"  {r['rps']:,.1f} req/s, p50 {r['p50_us'] / 1000:.1f} ms, "
            f"p99 {r['p99_us'] / 1000:.1f} ms, server CPU {r['server_cpu_ms']:.1f} ms/request, "
            f"errors {r['errors']}, wrong pages {r['unexpected']}",
            flush=True,
        )
        return r

    try:
        for name in args.only:
            paths, who = data[name]
            check_page(args, paths[0], sessions[who], MARKERS[name])
        saturating = {"connections": args.connections, "threads": args.threads}
        for name in args.only:
            if args.warmup:
                _paths, who = data[name]
                run_wrk(args, run_dir, name, args.warmup, files[name], sessions[who], **saturating)
            results[name] = timed(
                name, f"{args.connections} connections", args.duration, **saturating
            )
        if not args.no_single:
            for name in args.only:
                single[name] = timed(
                    name, "one connection", args.single_duration, connections=1, threads=1
                )
        if args.officers:
            think = 1000 * args.officers / args.rate
            label = f"{args.officers} officers, about {args.rate:g} req/s"
            for name in args.only:
                officers[name] = timed(
                    name,
                    label,
                    args.duration,
                    connections=args.officers,
                    threads=args.threads,
                    think_ms=think,
                )
    finally:
        load_test.stop_server(process)
    return results, single, officers


# --- In-process profile ---------------------------------------------------------------------


def profile_pages(args, data, sessions, run_dir) -> dict:
    """Time N sequential requests per page with the test client: where the time goes.

    database: the time of the SQL queries (an execute wrapper around the connection);
    template: rendering the page template, without the queries run from inside it;
    other: the rest (middleware, session and authentication, the view and its Python work).
    Then a cProfile of N more requests: the application functions that take the most time
    are listed, the whole profile goes to run-bo-<time>/profile-<page>.txt.
    """
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.template.backends.django import Template
    from django.test import Client

    spent = {"db": 0.0, "queries": 0, "template": 0.0, "db_in_template": 0.0, "depth": 0}
    render = Template.render

    def timed_render(self, *a, **k):  # the outermost render only (forms render inside)
        spent["depth"] += 1
        started = time.perf_counter()
        try:
            return render(self, *a, **k)
        finally:
            spent["depth"] -= 1
            if not spent["depth"]:
                spent["template"] += time.perf_counter() - started

    def timed_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            spent["db"] += elapsed
            spent["queries"] += 1
            if spent["depth"]:
                spent["db_in_template"] += elapsed

    out = {}
    n = args.profile
    Template.render = timed_render
    try:
        with connection.execute_wrapper(timed_query):
            for name in args.only:
                paths, who = data[name]
                client = Client(HTTP_HOST=HOST)
                client.cookies["sessionid"] = sessions[who]
                for i in range(5):
                    response = client.get(paths[i % len(paths)])
                    assert response.status_code == 200, (name, response.status_code)
                spent.update(db=0.0, queries=0, template=0.0, db_in_template=0.0)
                started = time.perf_counter()
                for i in range(n):
                    client.get(paths[i % len(paths)])
                total = time.perf_counter() - started
                r = out[name] = {
                    "ms": 1000 * total / n,
                    "db_ms": 1000 * spent["db"] / n,
                    "queries": spent["queries"] / n,
                    "template_ms": 1000 * (spent["template"] - spent["db_in_template"]) / n,
                }
                r["other_ms"] = r["ms"] - r["db_ms"] - r["template_ms"]
                profile = cProfile.Profile()
                profile.enable()
                for i in range(n):
                    client.get(paths[i % len(paths)])
                profile.disable()
                stats = pstats.Stats(profile)
                mine = sorted(
                    (
                        (ct, f"{Path(file).relative_to(ROOT)}:{line}({func})")
                        for (file, line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
                        if "/motcua/" in file
                        and "/accounts/decorators.py" not in file
                        and "middleware" not in file
                        and func not in ("inbox", "dossier_page", "_render_dossier")
                    ),
                    reverse=True,
                )[:5]
                r["hotspots"] = [
                    {"function": where, "ms": round(1000 * ct / n, 1)} for ct, where in mine
                ]
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(80)
                (run_dir / f"profile-{name}.txt").write_text(text.getvalue())
                print(
                    f"  {name}: {r['ms']:.1f} ms per request "
                    f"(database {r['db_ms']:.1f} ms in {r['queries']:.0f} queries, template "
                    f"{r['template_ms']:.1f} ms, other {r['other_ms']:.1f} ms)",
                    flush=True,
                )
    finally:
        Template.render = render
    return out


# --- Report ----------------------------------------------------------------------------------


def report(args, info, results, single, officers, explained, tried) -> str:
    lines = [
        f"MotCua back-office load test, {info['at']}",
        f"machine: {info['machine']['nproc']} CPU ({info['machine']['cpu']}), "
        f"{info['machine']['ram_gb']} GB RAM; {info['machine']['wrk']}; PostgreSQL "
        f"{info['postgres']}",
        f"server: granian wsgi, {args.workers} workers x {args.blocking_threads} blocking threads, "
        f"DATABASE_POOL_MAX={args.pool_max or args.blocking_threads}, DEBUG off, Redis cache",
        f"data: {info['dossiers']:,} dossiers; busy unit {info['unit']} ({args.agency}): "
        f"{info['unit_visible']:,} dossiers it may see; queues of its specialist "
        + ", ".join(f"{k} {v:,}" for k, v in info["specialist_counts"].items())
        + "; desk officer "
        + ", ".join(f"{k} {v:,}" for k, v in info["desk_counts"].items()),
        f"load: wrk {args.threads} threads, {args.connections} connections, {args.duration} s "
        f"each after {args.warmup} s warm-up; {args.samples} codes / uuids rotated",
    ]
    lines.append(
        "cpu ms = CPU time of the granian processes per request (user + system, all workers); "
        "busy% = CPU of the whole machine used by other work in the 2 s before each measurement "
        "(above ~10 %, the latencies are pessimistic)"
    )
    lines.append("")
    header = (
        f"{'page':<9}{'req/s':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'cpu ms':>8}{'errors':>8}{'wrong':>7}{'busy%':>7}  p99 < {TARGET_P99_MS} ms"
    )
    for title, table in (
        (f"{args.connections} connections, each sending its next request at once:", results),
        ("1 connection (no queueing):", single),
        (
            f"{args.officers} officers, each pausing between pages (about {args.rate:g} "
            "req/s in all):",
            officers,
        ),
    ):
        if not table:
            continue
        lines += [title, header]
        for name, r in table.items():
            p99 = r["p99_us"] / 1000
            lines.append(
                f"{name:<9}{r['rps']:>8,.1f}{r['p50_us'] / 1000:>9.1f}{r['p90_us'] / 1000:>9.1f}"
                f"{p99:>9.1f}{r['max_us'] / 1000:>9.1f}{r.get('server_cpu_ms', 0):>8.1f}"
                f"{r['errors']:>8}{r['unexpected']:>7}"
                f"{r.get('others_busy_pct', 0):>7.0f}  "
                + ("yes" if p99 < TARGET_P99_MS else "NO (over 50 ms)")
            )
        lines.append("")
    for variant, pages in (info.get("profile") or {}).items():
        lines.append(
            f"In-process, sequential ({variant} code; test client, no HTTP, mean per request):"
        )
        for name, r in pages.items():
            lines.append(
                f"  {name:<8} {r['ms']:6.1f} ms = database {r['db_ms']:5.1f} ms "
                f"({r['queries']:.0f} queries) + template {r['template_ms']:5.1f} ms "
                f"+ other {r['other_ms']:5.1f} ms"
            )
            for spot in r.get("hotspots", [])[:3]:
                lines.append(f"           {spot['ms']:6.1f} ms in {spot['function']} (cProfile)")
        lines.append("")
    if explained:
        lines.append(f"EXPLAIN (ANALYZE, BUFFERS), second run, slow > {args.slow_ms:g} ms:")
        for q in explained:
            flag = "SLOW" if q["ms"] > args.slow_ms else "ok"
            lines.append(
                f"  {flag:<4} {q['ms']:>8.2f} ms (plan {q['planning_ms']:.2f}) "
                f"buffers hit {q['hit']:>7,} read {q['read']:>6,}  {q['label']}"
            )
        lines.append("")
    if explained:
        lines.append("Database time per measured page (sum of the queries above):")
        for page in ("inbox", "search", "dossier", "desk"):
            qs = [q for q in explained if page in q["page"].split(", ") or q["page"] == "all"]
            total = sum(q["ms"] + q["planning_ms"] for q in qs)
            lines.append(f"  {page:<8} {total:8.1f} ms in {len(qs)} queries (execution + planning)")
        lines.append("")
    if tried:
        lines.append("Fixes tried on the slow queries (in a transaction, rolled back):")
        for t in tried:
            index = (
                f" (index {'used' if t['index_used'] else 'NOT used'}, {t['size_mb']} MB, "
                f"built in {t['build_s']} s)"
                if t["index_sql"]
                else ""
            )
            lines.append(
                f"  {t['before_ms']:8.1f} -> {t['after_ms']:8.1f} ms  {t['query']}: {t['fix']}{index}"
            )
            if t["index_sql"]:
                lines.append(f"      {t['index_sql']};")
    return "\n".join(lines)


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL (or --database-url) to the PostgreSQL bench database.")
    if not args.no_http and not load_test.shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get update && apt-get install -y wrk (or make setup)")
    env = load_test.server_env(args)
    load_test.setup_django(env)
    load_test.vacuum_dossier_tables()
    from django.core.cache import cache
    from django.db import connection

    # The server's cache may hold inbox counts of an earlier load (the loader writes with
    # COPY, which moves no generation): start from what the database holds.
    cache.clear()

    from motcua.dossiers.models import Dossier, DossierAccess
    from motcua.workflow import counts

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = RESULTS / f"run-bo-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)

    unit = busy_unit(args)
    spec = officer(args.specialist_email)
    desk = officer(args.desk_email)
    if not any(m.unit_id == unit.pk for m in spec.memberships.all()):
        sys.exit(f"{spec.email} is not a member of {unit.code}.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    info = {
        "at": datetime.now().isoformat(timespec="seconds"),
        "machine": load_test.machine(),
        "postgres": pg_version,
        "dossiers": Dossier.objects.count(),
        "unit": unit.name,
        "unit_visible": DossierAccess.objects.filter(unit=unit).count(),
        "specialist_counts": counts.inbox_counts(spec),
        "desk_counts": counts.inbox_counts(desk),
    }
    print(
        f"{info['dossiers']:,} dossiers; {unit.name}: todo {info['specialist_counts']['todo']:,}, "
        f"visible {info['unit_visible']:,}; preparing ...",
        flush=True,
    )
    codes = sample_codes(unit.agency_id, args.samples)
    uuids = sample_uuids(spec, unit.pk, args.samples)
    if not codes or not uuids:
        sys.exit("No dossier to search or open: run bench/load_dossiers.py first.")
    some = Dossier.objects.filter(code=codes[0]).values("applicant_name", "applicant_phone").first()
    plate = (
        Dossier.objects.filter(code=codes[1 % len(codes)])
        .values_list("form_data", flat=True)
        .first()
        or {}
    )
    plate = ((plate.get("vehicles") or [{}])[0]).get("plate", "75B-123.45")
    name_words = [w for w in some["applicant_name"].split() if len(w) >= 3] or ["Nguyễn"]
    words = {
        "name": " ".join(name_words[-2:]),
        "phone": some["applicant_phone"],
        "plate": plate,
    }

    explained, tried = [], []
    if not args.no_explain:
        print("EXPLAIN ...", flush=True)
        explained = explain_queries(spec, desk, selector_calls(codes[0], uuids[0], words))
        slow = [q for q in explained if q["ms"] > args.slow_ms]
        if slow and not args.no_try_fixes:
            print(f"trying fixes for {len(slow)} slow queries (rolled back) ...", flush=True)
            tried = try_fixes(slow, spec, desk, fix_trials(words))

    results, single, officers = {}, {}, {}
    if not args.no_http:
        load_test.collectstatic_if_needed(env)
        sessions = {"spec": officer_session(spec), "desk": officer_session(desk)}
        data = {
            "inbox": (["/officer/?tab=todo"] * 8, "spec"),
            "search": ([f"/officer/?q={c}" for c in codes], "desk"),
            "dossier": ([f"/officer/dossiers/{u}/" for u in uuids], "spec"),
            "desk": (["/officer/"] * 8, "desk"),
        }
        files = {}
        for name in args.only:
            paths, _who = data[name]
            files[name] = run_dir / f"{name}.txt"
            files[name].write_text("\n".join(paths) + "\n")
        connection.close()
        results, single, officers = measure(args, env, run_dir, data, files, sessions)

    profiled = {}
    if args.profile and not args.no_http:
        print(f"profiling {args.profile} requests per page in-process ...", flush=True)
        profiled["current"] = profile_pages(args, data, sessions, run_dir)
    info["profile"] = profiled

    text = report(args, info, results, single, officers, explained, tried)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"back_office-{stamp}.txt").write_text(text + "\n")
    if explained:
        plans = []
        for q in explained:
            plans += [f"-- {q['label']} ({q['ms']:.2f} ms)", q["sql"] + ";", *q["plan"], ""]
        for t in tried:
            plans += [f"-- {t['query']}, {t['fix']} ({t['after_ms']:.2f} ms)"]
            plans += [f"{t['index_sql']};"] if t["index_sql"] else []
            plans += [f"{t['rewritten_sql']};"] if t["rewritten_sql"] else []
            plans += [*t["plan_after"], ""]
        (RESULTS / f"back_office-explain-{stamp}.txt").write_text("\n".join(plans))
    summary = {
        **info,
        "args": vars(args) | {"database_url": args.database_url.rsplit("/", 1)[-1]},
        "target_p99_ms": TARGET_P99_MS,
        "results": results,
        "single_connection": single,
        "officers": officers,
        "p99_under_target": {
            name: r["p99_us"] / 1000 < TARGET_P99_MS for name, r in results.items()
        },
        "queries": [{k: v for k, v in q.items() if k != "plan"} for q in explained],
        "index_trials": [{k: v for k, v in t.items() if k != "plan_after"} for t in tried],
    }
    (RESULTS / "back_office.json").write_text(json.dumps(summary, indent=2, default=str))
    print(
        f"\nsaved bench/results/back_office.json, back_office-{stamp}.txt"
        + (f", back_office-explain-{stamp}.txt" if explained else "")
        + f"; scripts and granian log in {run_dir}"
    )


if __name__ == "__main__":
    main()
