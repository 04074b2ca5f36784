#!/usr/bin/env python
"""The API beside the portal, on the production server (granian, DEBUG off) and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_bench_api \
        .venv/bin/python bench/api.py [--count 1000000] [--keep] [--duration 20] \
        [--connections 8]

Loads --count dossiers with bench/load_dossiers.py (--reset) unless the database already
holds them; --keep reuses whatever bench dossiers are there and never loads (reruns). Then
starts granian like bench/load_test.py (2 workers x 4 blocking threads) and measures, in one
run, each for --duration seconds after --warmup, with --connections connections:

  submission  POST /dossiers/<uuid>/submit/     the portal's HTML submission (load_test.py)
  tracking    POST /track/                      the public tracking page (load_test.py)
  api_read    GET  /api/v1/dossiers/<uuid>/     read one dossier with a Bearer token (wrk)
  api_create  POST /api/v1/dossiers/, POST .../attachments/ (each required file), POST
              .../submit/: a dossier made and submitted through the API by --connections
              Python workers on keep-alive connections, each POST with its Idempotency-Key

The API client is registered for the busiest agency (the Huế department of transport) with
every scope and a rate limit high enough not to count; its token comes from the real token
endpoint. Results go to bench/results/api-<time>.{txt,json}.
"""

import argparse
import http.client
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_test as lt  # noqa: E402  (the portal's load test: server, wrk, drafts)

ROOT = lt.ROOT
RESULTS = lt.RESULTS
HOST = lt.HOST
BUSY_PROCEDURE = "2.002288"  # 77 % of the loaded dossiers (load_dossiers.PROCEDURE_WEIGHTS)
CLIENT_NAME = "Bench API client"
SCENARIOS = ("submission", "tracking", "api_read", "api_create")

lt.LUA["api_read"] = r"""
local headers = {["Authorization"] = "Bearer @TOKEN@", ["Accept"] = "application/json"}
function init(args)
  load_requests(args, function(uuid)
    return wrk.format("GET", "/api/v1/dossiers/" .. uuid .. "/", headers)
  end)
end
request = next_request
function response(status, headers, body)
  count(status)
  if status ~= 200 or not body:find('"uuid"', 1, true) then unexpected = unexpected + 1 end
end
"""
lt.PATHS["api_read"] = "/api/v1/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--count", type=int, default=1_000_000, help="dossiers to load")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the loaded dossiers, never (re)load"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--blocking-threads", type=int, default=4)
    parser.add_argument("--pool-max", type=int, default=0)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--drafts", type=int, default=0)
    parser.add_argument("--pairs", type=int, default=20_000, help="tracking pairs / read uuids")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    return parser.parse_args()


# --- Data -----------------------------------------------------------------------------------


def bench_dossiers() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM dossiers_dossier d JOIN accounts_user u ON u.id = d.applicant_id "
            "WHERE u.email LIKE %s",
            ["%@bench.motcua.invalid"],
        )
        return cursor.fetchone()[0]


def load_if_needed(args, env) -> float | None:
    """Seconds the load took, or None when the dossiers were already there."""
    present = bench_dossiers()
    if args.keep or present >= args.count:
        if not present:
            sys.exit("--keep, but no bench dossier is loaded: run without --keep first.")
        print(f"{present:,} bench dossiers already loaded: reused", flush=True)
        return None
    print(f"{present:,} bench dossiers; loading {args.count:,} ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "bench/load_dossiers.py", "--count", str(args.count), "--reset"],
        cwd=ROOT,
        env={**env, "DATABASE_POOL_MAX": "0"},
        check=True,
    )
    return time.monotonic() - started


def api_client():
    """The bench's client of the busy agency, registered like an administrator would (every
    scope, a limit high enough not to count); a new secret on each run (only its hash is
    stored)."""
    from motcua.api import registration
    from motcua.api.models import ApiClient
    from motcua.api.scopes import SCOPES
    from motcua.catalogue.models import Procedure

    procedure = Procedure.objects.in_force().filter(code=BUSY_PROCEDURE).first()
    if procedure is None:
        sys.exit(f"Procedure {BUSY_PROCEDURE} is missing: load the demo catalogue.")
    client = ApiClient.objects.filter(name=CLIENT_NAME).select_related("application").first()
    if client is None:
        client, secret = registration.register_client(
            agency=procedure.receiving_agency,
            name=CLIENT_NAME,
            scopes=list(SCOPES),
            rate_limit_per_minute=100_000_000,
            actor=None,
        )
    else:
        secret = registration.rotate_client_secret(client=client, actor=None)
    return client, secret, procedure


def read_uuids(agency_id: int, count: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid FROM dossiers_dossier TABLESAMPLE SYSTEM (5) "
            "WHERE status > 0 AND receiving_agency_id = %s LIMIT %s",
            [agency_id, count],
        )
        return [str(row[0]) for row in cursor.fetchall()]


def create_plan(procedure) -> tuple[list[dict], list[int]]:
    """Request bodies for the create scenario (the badge form of load_test.make_drafts, with
    a different applicant each) and the components the submission needs attached."""
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_readiness, required_components

    components = list(procedure.components.all())
    bodies = []
    for i in range(5000):
        bodies.append(
            {
                "procedure": procedure.code,
                "applicant": {
                    "full_name": "Nguyễn Văn Kiểm",
                    "citizen_id": f"0011{90 - i % 40:02d}{i:06d}",
                    "phone": f"09{(i * 7919) % 100_000_000:08d}",
                },
                "form_data": lt.badge_form(
                    i,
                    phone=f"09{i % 100_000_000:08d}",
                    representative="Nguyễn Văn Kiểm",
                    address="Số 1 Lê Lợi, phường Thuận Hóa, thành phố Huế",
                    company="API",
                ),
                "delivery_method": "online",
            }
        )
    probe = Dossier(procedure=procedure, form_data=bodies[0]["form_data"], delivery_method="online")
    errors = dossier_readiness(probe, components=components, attachments=[]).form_errors
    if errors:
        sys.exit(f"The bench form is not valid for {procedure.code}: {errors}")
    return bodies, [c.pk for c in required_components(probe, components)]


# --- The API create run: Python workers on keep-alive connections --------------------------


def _multipart(component: int) -> tuple[bytes, str]:
    from motcua.factories import PDF_BYTES

    boundary = "bench" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="component"\r\n\r\n{component}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="giay.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF_BYTES
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def api_create(args, token: str, bodies: list[dict], components: list[int], seconds: float):
    """Made-and-submitted dossiers for `seconds`; latencies (ms) per kind of request."""
    stop_at = time.monotonic() + seconds
    latencies = {"create": [], "attach": [], "submit": []}
    outcome = {"dossiers": 0, "unexpected": 0, "errors": 0, "statuses": {}}
    lock = threading.Lock()
    counter = iter(range(10**9))

    def call(conn, method, path, body, content_type, kind, expected):
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": uuid.uuid4().hex,
            "Accept": "application/json",
        }
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies[kind].append(elapsed)
            key = f"{kind}:{response.status}"
            outcome["statuses"][key] = outcome["statuses"].get(key, 0) + 1
        if response.status != expected:
            raise RuntimeError(f"{kind} {response.status}: {data[:300]!r}")
        return json.loads(data)

    def worker():
        conn = http.client.HTTPConnection(HOST, args.port, timeout=30)
        while time.monotonic() < stop_at:
            i = next(counter)
            try:
                made = call(
                    conn,
                    "POST",
                    "/api/v1/dossiers/",
                    json.dumps(bodies[i % len(bodies)]),
                    "application/json",
                    "create",
                    201,
                )
                base = f"/api/v1/dossiers/{made['uuid']}/"
                for component in components:
                    body, content_type = _multipart(component)
                    call(conn, "POST", base + "attachments/", body, content_type, "attach", 201)
                submitted = call(conn, "POST", base + "submit/", b"", None, "submit", 200)
                with lock:
                    outcome["dossiers"] += 1
                    if (submitted.get("status") or {}).get("code") != 1 or not submitted.get(
                        "code"
                    ):
                        outcome["unexpected"] += 1
            except RuntimeError as exc:
                with lock:
                    outcome["unexpected"] += 1
                    if outcome["unexpected"] <= 3:
                        print(f"  unexpected: {exc}", flush=True)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    outcome["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, args.port, timeout=30)
                if outcome["errors"] <= 3:
                    print(f"  error: {exc!r}", flush=True)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    requests = sum(len(v) for v in latencies.values())
    every = [x for v in latencies.values() for x in v]
    return {
        "duration_s": duration,
        "dossiers": outcome["dossiers"],
        "dossiers_per_s": outcome["dossiers"] / duration,
        "requests": requests,
        "rps": requests / duration,
        "p50_ms": percentile(every, 0.5),
        "p99_ms": percentile(every, 0.99),
        "per_kind": {
            kind: {
                "count": len(v),
                "p50_ms": percentile(v, 0.5),
                "p99_ms": percentile(v, 0.99),
                "max_ms": max(v, default=0),
            }
            for kind, v in latencies.items()
        },
        "statuses": outcome["statuses"],
        "unexpected": outcome["unexpected"],
        "errors": outcome["errors"],
        "attachments_per_dossier": len(components),
    }


def get_token(args, client, secret: str) -> str:
    import base64

    conn = http.client.HTTPConnection(HOST, args.port, timeout=30)
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    conn.request(
        "POST",
        "/api/oauth/token/",
        body="grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"token endpoint answered {response.status}: {body[:300]!r}")
    return json.loads(body)["access_token"]


# --- Report ------------------------------------------------------------------------------------


def report(args, results: dict, info: dict) -> str:
    lines = [
        f"MotCua API beside the portal, {info['at']}",
        f"machine: {info['machine']['nproc']} CPU ({info['machine']['cpu']}), "
        f"{info['machine']['ram_gb']} GB RAM",
        f"server: granian wsgi, {args.workers} workers x {args.blocking_threads} blocking threads; "
        f"PostgreSQL {info['postgres']}, {info['dossiers']:,} submitted dossiers"
        + (f" (loaded in {info['load_s']:.0f} s)" if info.get("load_s") else " (reused)"),
        f"load: {args.connections} connections, {args.duration} s each after {args.warmup} s "
        "warm-up (wrk for submission, tracking, api_read; Python workers for api_create)",
        "",
        f"{'endpoint':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'unexpected':>12}",
    ]
    for name, r in results.items():
        if name == "api_create":
            lines.append(
                f"{name:<14}{r['rps']:>9,.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
                f"{r['errors']:>8}{r['unexpected']:>12}  "
                f"{r['dossiers_per_s']:.1f} dossiers/s made and submitted "
                f"(1 create + {r['attachments_per_dossier']} attach + 1 submit each)"
            )
            for kind, k in r["per_kind"].items():
                lines.append(
                    f"  {kind:<12}{k['count']:>9,} requests, p50 {k['p50_ms']:.1f} ms, "
                    f"p99 {k['p99_ms']:.1f} ms, max {k['max_ms']:.1f} ms"
                )
        else:
            lines.append(
                f"{name:<14}{r['rps']:>9,.0f}{r['p50_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}"
                f"{r['errors']:>8}{r['unexpected']:>12}  2xx={r['s2xx']} 3xx={r['s3xx']} "
                f"4xx={r['s4xx']} 5xx={r['s5xx']}"
            )
    return "\n".join(lines)


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL (or --database-url) to the PostgreSQL bench database.")
    env = lt.server_env(args)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**env, "DATABASE_POOL_MAX": "0"},
        check=True,
    )
    lt.setup_django(env)
    from django.db import connection

    load_s = load_if_needed(args, env)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = RESULTS / f"api-run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE status > 0")
        dossiers = cursor.fetchone()[0]
    info = {
        "at": datetime.now().isoformat(timespec="seconds"),
        "machine": lt.machine(),
        "postgres": pg_version,
        "dossiers": dossiers,
        "load_s": load_s,
    }
    lt.collectstatic_if_needed(env)
    user = lt.submitter()
    session_key, csrf = lt.session_cookies(user)
    subs = {"SESSION": session_key, "CSRF": csrf}
    client, secret, procedure = api_client()
    pairs_file = run_dir / "track_pairs.txt"
    pairs_file.write_text("".join(f"{c}\t{p}\n" for c, p in lt.tracking_pairs(args.pairs)))
    uuids_file = run_dir / "read_uuids.txt"
    uuids = read_uuids(procedure.receiving_agency_id, args.pairs)
    random.Random(2026).shuffle(uuids)
    uuids_file.write_text("\n".join(uuids) + "\n")
    bodies, components = create_plan(procedure)
    connection.close()

    process = lt.start_server(args, env, run_dir / "granian.log")
    results = {}
    try:
        token = get_token(args, client, secret)
        subs["TOKEN"] = token
        for name in args.only:
            print(f"measuring {name} for {args.duration} s ...", flush=True)
            if name == "api_create":
                if args.warmup:
                    api_create(args, token, bodies, components, args.warmup)
                results[name] = api_create(args, token, bodies, components, args.duration)
                r = results[name]
                print(
                    f"  {r['rps']:,.0f} req/s ({r['dossiers_per_s']:.1f} dossiers/s), "
                    f"p99 {r['p99_ms']:.1f} ms, unexpected {r['unexpected']}",
                    flush=True,
                )
                continue
            data = {"tracking": pairs_file, "api_read": uuids_file}.get(name)
            if name == "submission":
                count = args.drafts or math.ceil(100 * args.duration * 1.3) + 200
                warm = math.ceil(100 * args.warmup * 1.3) + 50 if args.warmup else 0
                drafts = lt.make_drafts(user, count + warm)
                connection.close()
                (run_dir / "drafts_warmup.txt").write_text("\n".join(drafts[:warm]) + "\n")
                data = run_dir / "drafts.txt"
                data.write_text("\n".join(drafts[warm:]) + "\n")
                if warm:
                    lt.run_wrk(
                        args, run_dir, name, args.warmup, run_dir / "drafts_warmup.txt", subs
                    )
            else:
                if name == "tracking":
                    lt.reset_tracking_limits()
                if args.warmup:
                    lt.run_wrk(args, run_dir, name, args.warmup, data, subs)
            time.sleep(1)
            results[name] = lt.run_wrk(args, run_dir, name, args.duration, data, subs)
            r = results[name]
            print(
                f"  {r['rps']:,.0f} req/s, p99 {r['p99_us'] / 1000:.1f} ms, "
                f"errors {r['errors']}, unexpected {r['unexpected']}",
                flush=True,
            )
    finally:
        lt.stop_server(process)
    text = report(args, results, info)
    print("\n" + text)
    (RESULTS / f"api-{stamp}.txt").write_text(text + "\n")
    (RESULTS / f"api-{stamp}.json").write_text(
        json.dumps(
            {
                **info,
                "args": vars(args) | {"database_url": args.database_url.rsplit("/", 1)[-1]},
                "results": results,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nsaved bench/results/api-{stamp}.txt (.json); scripts in {run_dir}")


if __name__ == "__main__":
    main()
