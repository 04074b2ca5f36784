#!/usr/bin/env python
"""HTTP load test of the production server (granian, DEBUG off) on PostgreSQL, with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/load_test.py [--duration 20] [--blocking-threads 4]

Needs the dossiers of bench/load_dossiers.py, Redis on 127.0.0.1:6379 and wrk (Debian package
`wrk`). Starts granian on 127.0.0.1:8001 (2 workers), then measures, each for --duration
seconds after a short warm-up, with 50 connections on 2 wrk threads:

  json        GET  /bench/json                 trivial JSON: the ceiling of the stack
  insert      POST /bench/insert               one INSERT + one SELECT: the write ceiling
  submission  POST /dossiers/<uuid>/submit/    a different complete draft per request (302)
  tracking    POST /track/                     valid (code, phone) pairs of the loaded dossiers

and checks: submission >= 40 % of insert, tracking >= 35 % of json, p99 < 200 ms (submission
and tracking). Results go to bench/results/load_test-<time>.{txt,json}.
"""

import argparse
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SUBMITTER_EMAIL = "bench-submitter@bench.motcua.invalid"  # load_dossiers --reset removes it
SCENARIOS = ("json", "insert", "submission", "tracking")
TARGETS = {"submission_vs_insert": 0.40, "tracking_vs_json": 0.35, "p99_ms": 200}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--blocking-threads", type=int, default=4, help="per granian worker")
    parser.add_argument(
        "--pool-max", type=int, default=0, help="DATABASE_POOL_MAX (default: blocking threads)"
    )
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--drafts",
        type=int,
        default=0,
        help="drafts to prepare (default: enough for the insert ceiling's rate, plus margin)",
    )
    parser.add_argument("--pairs", type=int, default=20_000, help="(code, phone) pairs to rotate")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument(
        "--keep-queue",
        action="store_true",
        help="leave the queued receipt e-mails in the Celery broker (default: delete them)",
    )
    return parser.parse_args()


# --- Environment ----------------------------------------------------------------------------------


def server_env(args) -> dict[str, str]:
    pool = args.pool_max or args.blocking_threads
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        SECURE_COOKIES="false",
        BENCH_ENDPOINTS="true",
        REDIS_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/2",
        DATABASE_URL=args.database_url,
        DATABASE_POOL_MAX=str(pool),
        DATABASE_POOL_MIN=str(pool),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def setup_django(env: dict[str, str]):
    """This process shares the server's settings (same SECRET_KEY, cache, database)."""
    os.environ.update(env)
    os.environ["DATABASE_POOL_MAX"] = "0"  # no pool in the preparing process
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": wrk_version.strip(),
    }


def collectstatic_if_needed(env):
    """DEBUG off uses the manifest storage: templates fail without a fresh manifest."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        built = manifest.stat().st_mtime
        sources = [Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS] + [
            ROOT / "motcua"
        ]
        newest = max(
            (p.stat().st_mtime for s in sources for p in s.rglob("*") if "static" in p.parts),
            default=0,
        )
        if newest <= built:
            return
    print("collectstatic ...", flush=True)
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


# --- Data for the scenarios -------------------------------------------------------------------------


def submitter():
    from django.utils import timezone

    from motcua.accounts.models import User

    user = User.objects.filter(email=SUBMITTER_EMAIL).first()
    if user is None:
        phone = 370000001
        while User.objects.filter(phone=f"0{phone}").exists():
            phone += 1
        user = User(
            email=SUBMITTER_EMAIL,
            phone=f"0{phone}",
            kind=User.Kind.CITIZEN,
            full_name="Nguyễn Thị Kiểm Thử",
            citizen_id="001190012345",
            address="Số 1 đường Tràng Tiền, phường Tràng Tiền, Hà Nội",
            email_verified_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
    return user


def session_cookies(user) -> tuple[str, str]:
    """A logged-in session (as the login view would create) and a CSRF secret."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key, _get_new_csrf_string()


def vehicles(i: int) -> list[dict]:
    series = "ABCDEFGHK"
    return [
        {
            "plate": f"{29 + (i + j) % 50:02d}{series[(i + j) % 9]}-{(i * 7 + j) % 1000:03d}.{(i + j) % 100:02d}",
            "seats": (4, 7, 16, 29, 45)[(i + j) % 5],
            "ownership": "owned",
            "brand": "Ford Transit",
            "manufacture_year": 2015 + (i + j) % 10,
            "badge_type": "Xe hợp đồng",
        }
        for j in range(1 + i % 3)
    ]


def badge_form(i: int, *, phone: str, representative: str, address: str, company="Kiểm Thử"):
    """A valid form of the demo catalogue's badge procedure 2.002288 (bench/api.py too)."""
    return {
        "operator": {
            "name": f"Công ty TNHH Vận tải {company} {i % 97}",
            "type": "enterprise",
            "tax_code": "3300123456",
            "address": address,
            "phone": phone,
            "representative": representative,
            "business_registration_no": "3300123456",
            "business_registration_issuer": "Sở Kế hoạch và Đầu tư tỉnh Thừa Thiên Huế",
            "business_registration_date": "2018-05-02",
            "licence_no": "0123/GPKDVT",
            "licence_date": "2019-01-02",
            "licence_issuer": "Sở Giao thông vận tải tỉnh Thừa Thiên Huế",
        },
        "request": {"kind": "new", "badge_type": "contract", "badges_requested": 1 + i % 3},
        "vehicles": [
            {
                "plate": v["plate"],
                "chassis_no": f"RL{i:07d}{j:06d}",
                "engine_no": f"D4{i:08d}",
                "vehicle_class": "Ô tô khách",
                "brand": v["brand"],
                "year_of_manufacture": v["manufacture_year"],
                "seats": v["seats"],
                "ownership": "owned",
            }
            for j, v in enumerate(vehicles(i))
        ],
    }


def make_drafts(user, count: int) -> list[str]:
    """`count` complete drafts (form valid, delivery chosen, required files attached)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction

    from motcua.catalogue.models import Procedure
    from motcua.dossiers.models import Attachment, Dossier, Status
    from motcua.dossiers.services import dossier_readiness, required_components
    from motcua.factories import PDF_BYTES

    # Leftover drafts of earlier runs go first (their files are the shared one below).
    leftovers = Dossier.objects.filter(applicant=user, status=Status.DRAFT)
    Attachment.objects.filter(dossier__in=leftovers).delete()
    leftovers.delete()

    procedures = [
        p
        for p in Procedure.objects.in_force().select_related("receiving_agency")
        if p.accepts_online
    ]
    if not procedures:
        sys.exit("No online procedure: run bench/load_dossiers.py first.")
    stored = "dossiers/bench/giay-dang-ky-xe.pdf"
    if not default_storage.exists(stored):
        stored = default_storage.save(stored, ContentFile(PDF_BYTES))
    components = {p.pk: list(p.components.all()) for p in procedures}

    def simple_form(i):  # motcua.factories.SIMPLE_SCHEMA (placeholder catalogues)
        return {
            "applicant": {"full_name": user.full_name, "phone": user.phone},
            "vehicles": vehicles(i),
        }

    def badge_form_of(i):
        return badge_form(
            i,
            phone=user.phone,
            representative=user.full_name,
            address=user.address or "Số 1 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        )

    usable = []  # (procedure, form builder)
    for procedure in procedures:  # a probe draft per procedure: is one bench form valid there?
        errors = None
        for builder in (simple_form, badge_form_of):
            probe = Dossier(procedure=procedure, form_data=builder(0), delivery_method="online")
            readiness = dossier_readiness(
                probe, components=components[procedure.pk], attachments=[]
            )
            errors = readiness.form_errors
            if not errors:
                break
        if errors or "online" not in (procedure.delivery_options or []):
            print(f"  skipping {procedure.code}: {errors or 'no online delivery'}")
            continue
        usable.append((procedure, builder))
    if not usable:
        sys.exit("No procedure accepts the bench forms; see make_drafts() in load_test.py.")

    drafts = []
    for i in range(count):
        procedure, form = usable[i % len(usable)]  # spread over the agencies' code counters
        drafts.append(
            Dossier(
                procedure=procedure,
                applicant=user,
                receiving_agency=procedure.receiving_agency,
                form_data=form(i),
                prefill_sources={"applicant.full_name": "profile.full_name"},
                delivery_method="online",
            )
        )
    with transaction.atomic():
        Dossier.objects.bulk_create(drafts, batch_size=1000)  # 51 columns: under 65,535 parameters
        attachments = []
        for dossier in drafts:
            for component in required_components(dossier, components[dossier.procedure_id]):
                attachments.append(
                    Attachment(
                        dossier=dossier,
                        component=component,
                        file=stored,
                        original_name="giay-dang-ky-xe.pdf",
                        content_type="application/pdf",
                        size=len(PDF_BYTES),
                        sha256="0" * 64,
                        uploaded_by=user,
                    )
                )
        Attachment.objects.bulk_create(attachments, batch_size=2000)
    check = Dossier.objects.get(pk=drafts[-1].pk)
    assert dossier_readiness(check).ready, dossier_readiness(check)
    return [str(d.uuid) for d in drafts]


def tracking_pairs(count: int) -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, applicant_phone FROM dossiers_dossier TABLESAMPLE SYSTEM (5) "
            "WHERE status > 0 AND code IS NOT NULL AND applicant_phone <> '' LIMIT %s",
            [count],
        )
        rows = cursor.fetchall()
        if len(rows) < count:
            cursor.execute(
                "SELECT code, applicant_phone FROM dossiers_dossier WHERE status > 0 AND "
                "code IS NOT NULL AND applicant_phone <> '' ORDER BY random() LIMIT %s",
                [count],
            )
            rows = cursor.fetchall()
    if not rows:
        sys.exit("No submitted dossier to track: run bench/load_dossiers.py first.")
    return rows


def vacuum_dossier_tables():
    """VACUUM (ANALYZE) the tables the runs write. The machines' PostgreSQL runs with
    autovacuum off: without this, each run's drafts and submissions leave dead rows that
    later index reads have to visit (the inbox counts went from 4 to 35 ms)."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("dossiers_dossier", "dossiers_dossierevent", "workflow_dossieraccess"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  VACUUM (ANALYZE) of the dossier tables: {time.monotonic() - started:.1f} s")


def reset_tracking_limits():
    from motcua.core import ratelimit

    ratelimit.reset("track", f"ip:{HOST}")


# --- wrk ---------------------------------------------------------------------------------------------

LUA_COMMON = r"""
-- Generated by bench/load_test.py. Each wrk thread takes every n-th line of the data file.
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

s2xx, s3xx, s4xx, s5xx, unexpected, wraps = 0, 0, 0, 0, 0, 0
requests_list, pos = {}, 0

function load_requests(args, build)
  local n, i = tonumber(args[1]), 0
  if args[2] then
    for line in io.lines(args[2]) do
      if i % n == tid then table.insert(requests_list, build(line)) end
      i = i + 1
    end
  end
end

function next_request()
  pos = pos + 1
  if pos > #requests_list then pos = 1; wraps = wraps + 1 end
  return requests_list[pos]
end

function count(status)
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

function done(summary, latency, requests)
  local t = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, unexpected = 0, wraps = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.0f, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, ' ..
    '"unexpected": %d, "wraps": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, t.s2xx, t.s3xx, t.s4xx, t.s5xx,
    t.unexpected, t.wraps, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

LUA = {
    "json": r"""
wrk.method = "GET"
function response(status, headers, body)
  count(status)
  if status ~= 200 or not body:find('"ok": true', 1, true) then unexpected = unexpected + 1 end
end
""",
    "insert": r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
function response(status, headers, body)
  count(status)
  if status ~= 200 then unexpected = unexpected + 1 end
end
""",
    "submission": r"""
local headers = {
  ["Cookie"] = "sessionid=@SESSION@; csrftoken=@CSRF@",
  ["X-CSRFToken"] = "@CSRF@",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
function init(args)
  load_requests(args, function(uuid)
    return wrk.format("POST", "/dossiers/" .. uuid .. "/submit/", headers, "declaration=on")
  end)
end
request = next_request
function response(status, headers, body)
  count(status)
  -- Success is the redirect to the "submitted" page; back to review means it was refused.
  local location = headers["Location"] or headers["location"] or ""
  if status ~= 302 or not location:find("/submitted/", 1, true) then
    unexpected = unexpected + 1
  end
end
""",
    "tracking": r"""
local headers = {
  ["Cookie"] = "csrftoken=@CSRF@",
  ["X-CSRFToken"] = "@CSRF@",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
function init(args)
  -- Codes (digits, letters, "." and "-") and phones need no URL encoding.
  load_requests(args, function(line)
    local code, phone = line:match("^(%S+)%s+(%S+)$")
    return wrk.format("POST", "/track/", headers, "code=" .. code .. "&secret=" .. phone)
  end)
end
request = next_request
function response(status, headers, body)
  count(status)
  if status ~= 200 or not body:find('id="result-h"', 1, true) then unexpected = unexpected + 1 end
end
""",
}
PATHS = {
    "json": "/bench/json",
    "insert": "/bench/insert",
    "submission": "/",
    "tracking": "/track/",
}


def run_wrk(args, run_dir: Path, name: str, seconds: int, data: Path | None, subs: dict) -> dict:
    script = run_dir / f"{name}.lua"
    body = LUA_COMMON + LUA[name]
    for key, value in subs.items():
        body = body.replace(f"@{key}@", value)
    script.write_text(body)
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{args.port}{PATHS[name]}",
        "--",
        str(args.threads),
    ]
    if data is not None:
        command.append(str(data))
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


# --- Server ---------------------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def start_server(args, env, log_path: Path) -> subprocess.Popen:
    if not port_free(args.port):
        sys.exit(f"Port {args.port} is in use; stop that server or pass --port.")
    # The production server's own command (deploy/serve), with this run's address and sizes.
    command = [
        str(ROOT / "deploy" / "serve"),
        "--host",
        HOST,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--blocking-threads",
        str(args.blocking_threads),
        "--log-level",
        "warning",
    ]
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"granian exited ({process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{args.port}/health/", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    sys.exit(f"granian did not answer /health/ within 60 s; see {log_path}")


def stop_server(process: subprocess.Popen):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # granian and its workers: our own group
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Report ---------------------------------------------------------------------------------------


def report(args, results: dict, info: dict) -> tuple[str, dict]:
    lines = [
        f"MotCua load test, {info['at']}",
        f"machine: {info['machine']['nproc']} CPU ({info['machine']['cpu']}), "
        f"{info['machine']['ram_gb']} GB RAM; {info['machine']['wrk']}",
        f"server: granian wsgi, {args.workers} workers x {args.blocking_threads} blocking threads, "
        f"DATABASE_POOL_MAX={args.pool_max or args.blocking_threads}; PostgreSQL "
        f"{info['postgres']}, {info['dossiers']:,} submitted dossiers",
        f"load: wrk {args.threads} threads, {args.connections} connections, {args.duration} s "
        f"each after {args.warmup} s warm-up",
        "",
        f"{'endpoint':<12}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}{'unexpected':>12}  statuses",
    ]
    for name, r in results.items():
        lines.append(
            f"{name:<12}{r['rps']:>10,.0f}{r['p50_us'] / 1000:>9.1f}{r['p90_us'] / 1000:>9.1f}"
            f"{r['p99_us'] / 1000:>9.1f}{r['max_us'] / 1000:>9.1f}{r['errors']:>8}"
            f"{r['unexpected']:>12}  2xx={r['s2xx']} 3xx={r['s3xx']} 4xx={r['s4xx']} "
            f"5xx={r['s5xx']} socket={r['socket_errors']}"
        )
    checks = {}

    def check(label, ok, text):
        checks[label] = ok
        lines.append(f"  {'PASS' if ok else 'FAIL'}  {text}")

    lines.append("")
    if "submission" in results and "insert" in results:
        ratio = results["submission"]["rps"] / results["insert"]["rps"]
        check(
            "submission_vs_insert",
            ratio >= TARGETS["submission_vs_insert"],
            f"submission / insert ceiling = {ratio:.0%} (target >= 40 %)",
        )
    if "tracking" in results and "json" in results:
        ratio = results["tracking"]["rps"] / results["json"]["rps"]
        check(
            "tracking_vs_json",
            ratio >= TARGETS["tracking_vs_json"],
            f"tracking / json ceiling = {ratio:.0%} (target >= 35 %)",
        )
    for name in ("submission", "tracking"):
        if name in results:
            p99 = results[name]["p99_us"] / 1000
            check(f"{name}_p99", p99 < TARGETS["p99_ms"], f"{name} p99 = {p99:.0f} ms (< 200 ms)")
    for name, r in results.items():
        clean = r["errors"] == 0 and r["unexpected"] == 0 and r["wraps"] == 0
        check(
            f"{name}_clean",
            clean,
            f"{name}: {r['errors']} errors, {r['unexpected']} unexpected responses"
            + (f", data reused {r['wraps']} times" if r["wraps"] else ""),
        )
    if "submission_verified" in info:
        lines.append(
            f"  info  {info['submission_verified']:,} drafts became status 1 during the submission "
            f"run (wrk counted {results['submission']['requests']:,} completed responses; the "
            f"rest were in flight when it stopped); "
            f"{info.get('queued_emails', 0):,} receipt e-mails were queued in Celery"
        )
    return "\n".join(lines), checks


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL (or --database-url) to the PostgreSQL bench database.")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get update && apt-get install -y wrk")
    env = server_env(args)
    setup_django(env)
    from django.db import connection

    from motcua.dossiers.models import Dossier, Status

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = RESULTS / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE status > 0")
        dossiers = cursor.fetchone()[0]
        cursor.execute("TRUNCATE core_benchprobe")
    info = {
        "at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "postgres": pg_version,
        "dossiers": dossiers,
    }
    print(f"{dossiers:,} dossiers in the database; preparing ...", flush=True)
    collectstatic_if_needed(env)

    user = submitter()
    session_key, csrf = session_cookies(user)
    subs = {"SESSION": session_key, "CSRF": csrf}
    pairs_file = None
    if "tracking" in args.only:
        pairs_file = run_dir / "track_pairs.txt"
        pairs = tracking_pairs(args.pairs)
        pairs_file.write_text("".join(f"{c}\t{p}\n" for c, p in pairs))
        print(f"  {len(pairs):,} tracking pairs", flush=True)
    connection.close()

    process = start_server(args, env, run_dir / "granian.log")
    results = {}
    try:
        for name in args.only:
            data = None
            if name == "submission":
                rate = results["insert"]["rps"] if "insert" in results else 500
                count = args.drafts or math.ceil(rate * args.duration * 1.3) + 200
                warm = math.ceil(rate * args.warmup * 1.3) + 50 if args.warmup else 0
                started = time.monotonic()
                uuids = make_drafts(user, count + warm)
                vacuum_dossier_tables()
                connection.close()
                print(
                    f"  {count + warm:,} drafts prepared in {time.monotonic() - started:.1f} s",
                    flush=True,
                )
                (run_dir / "drafts_warmup.txt").write_text("\n".join(uuids[:warm]) + "\n")
                data = run_dir / "drafts.txt"
                data.write_text("\n".join(uuids[warm:]) + "\n")
                if warm:
                    run_wrk(args, run_dir, name, args.warmup, run_dir / "drafts_warmup.txt", subs)
            elif name == "tracking":
                reset_tracking_limits()
                data = pairs_file
                if args.warmup:
                    run_wrk(args, run_dir, name, args.warmup, data, subs)
            elif args.warmup:
                run_wrk(args, run_dir, name, args.warmup, None, subs)
            time.sleep(1)
            print(f"measuring {name} for {args.duration} s ...", flush=True)
            results[name] = run_wrk(args, run_dir, name, args.duration, data, subs)
            r = results[name]
            print(
                f"  {r['rps']:,.0f} req/s, p50 {r['p50_us'] / 1000:.1f} ms, "
                f"p99 {r['p99_us'] / 1000:.1f} ms, errors {r['errors']}, "
                f"unexpected {r['unexpected']}",
                flush=True,
            )
            if name == "submission":
                submitted = Dossier.objects.filter(
                    uuid__in=uuids[warm:], status=Status.SUBMITTED
                ).count()
                info["submission_verified"] = submitted
                connection.close()
    finally:
        stop_server(process)
    if "submission" in results:
        import redis

        broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
        info["queued_emails"] = broker.llen("celery")
        if not args.keep_queue:
            broker.delete("celery")

    text, checks = report(args, results, info)
    print("\n" + text)
    (RESULTS / f"load_test-{stamp}.txt").write_text(text + "\n")
    (RESULTS / f"load_test-{stamp}.json").write_text(
        json.dumps(
            {
                **info,
                "args": vars(args) | {"database_url": args.database_url.rsplit("/", 1)[-1]},
                "results": results,
                "checks": checks,
            },
            indent=2,
        )
    )
    print(f"\nsaved bench/results/load_test-{stamp}.txt (.json); scripts in {run_dir}")


if __name__ == "__main__":
    main()
