#!/usr/bin/env python
"""Faults under load: 1,000 online submissions while the stack is broken and mended.

    .venv/bin/python bench/faults.py [--submissions 1000] [--clients 8] [--skip-fault NAME]

Self-contained: it starts its own PostgreSQL cluster (initdb in a temporary directory, the
app's own non-superuser role), two Redis servers (the cache and the Celery broker, so that
each can fail alone), the production web server (granian, docs/production.md), a Celery
worker and beat, all on 127.0.0.1 ports of their own; it never touches the shared PostgreSQL
or Redis. It seeds the demo catalogue, one applicant per client and the drafts, then
`--clients` threads, each logged in as its own applicant, submit the drafts (the final POST
that gives the dossier its code) and read the receipt page, retrying a failed draft as a user
would press again. Meanwhile, spaced over the run:

  kill_worker       kill -9 of one granian worker
  kill_server       kill -9 of the whole server; the bench restarts it as systemd would
                    (Restart=always) and times it
  restart_postgres  pg_ctl restart -m fast
  stop_redis        the cache's Redis stopped for --outage seconds, then started
  stop_broker       the broker's Redis stopped for --outage seconds, then started

Afterwards it waits for the outbox to deliver the receipts (beat) and counts, from the
database and the e-mails written by the file mail backend: acknowledged, stored, lost,
duplicated, code gaps, receipts per dossier, and each fault's recovery. It exits with status 1
when a target is missed. Results go to bench/results/faults-<time>.{txt,json}.
"""

import argparse
import contextlib
import email
import email.policy
import io
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_test  # noqa: E402 - machine(), collectstatic and the drafts are shared

ROOT = load_test.ROOT
RESULTS = load_test.RESULTS
VENV_BIN = load_test.VENV_BIN
HOST = "127.0.0.1"
FAULTS = ("kill_worker", "kill_server", "restart_postgres", "stop_redis", "stop_broker")
# The production server command (deploy/serve, as the systemd unit runs it); {port} is
# filled in.
SERVER_COMMAND = "./deploy/serve --host 127.0.0.1 --port {port} --workers 2 --blocking-threads 4"
TARGET_RECOVERY_SECONDS = 10.0
RECEIPT_CODE = re.compile(r"Đã nhận hồ sơ (\S+)")
PAGE_CODE = re.compile(r'id="dossier-code">([^<]+)<')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent applicants")
    parser.add_argument("--skip-fault", action="append", default=[], choices=FAULTS)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds Redis stays stopped")
    parser.add_argument(
        "--server-command",
        default=os.environ.get("BENCH_SERVER_COMMAND", SERVER_COMMAND),
        help="the web server's command line; {venv} and {port} are filled in",
    )
    parser.add_argument(
        "--restart-delay",
        type=float,
        default=1.0,
        help="seconds before the bench restarts a server that exited (systemd's RestartSec)",
    )
    parser.add_argument(
        "--give-up", type=float, default=180, help="seconds a client retries one draft"
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=300, help="seconds to wait for the receipts"
    )
    parser.add_argument("--port", type=int, default=8091, help="web server")
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--redis-port", type=int, default=6498, help="the cache's Redis")
    parser.add_argument("--broker-port", type=int, default=6499, help="the broker's Redis")
    parser.add_argument("--keep", action="store_true", help="leave the temporary directory")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


port_free = load_test.port_free


def wait_port(port: int, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while port_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port} after {timeout} s")
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def is_web_worker(pid: int) -> bool:
    """A live granian worker process: not a dead one its parent has not reaped yet, nor
    multiprocessing's resource tracker."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2][:1]
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return state not in ("Z", "X") and "resource_tracker" not in cmdline


# --- The private stack -------------------------------------------------------------------------


class Stack:
    """PostgreSQL, two Redis servers, the web server, a Celery worker and beat, all ours."""

    def __init__(self, args, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.pg_bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1]).parent
        self.pgdata = tmp / "pg" / "data"
        self.redis: dict[str, subprocess.Popen] = {}
        self.processes: dict[str, subprocess.Popen] = {}  # server, worker, beat
        self.lock = threading.Lock()
        self.supervising = False
        self.supervisor: threading.Thread | None = None
        self.exits: list[dict] = []  # every exit the supervisor saw (and restarted)
        self.clock = None  # set by the run: seconds since the load started
        self.env: dict[str, str] = {}

    # PostgreSQL, run as the postgres OS user (initdb refuses root).

    def _as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], check=True, capture_output=True, text=True, **kwargs
        )

    def init_postgres(self) -> None:
        (self.tmp / "pg").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.tmp / "pg", "postgres", "postgres")
        self._as_postgres(
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start_postgres()
        import psycopg

        with psycopg.connect(self.pg_url("postgres", "postgres"), autocommit=True) as conn:
            # The roles of docs/production.md: an owner that migrates, and the app's own role,
            # neither a superuser, which may only insert and read the append-only tables.
            conn.execute("CREATE ROLE motcua_owner LOGIN")
            conn.execute("CREATE ROLE motcua LOGIN")
            conn.execute("CREATE DATABASE motcua OWNER motcua_owner")

    def pg_url(self, user: str = "motcua", database: str = "motcua") -> str:
        return f"postgres://{user}@{HOST}:{self.args.pg_port}/{database}"

    def _pg_ctl(self, *action: str) -> None:
        options = f"-p {self.args.pg_port} -c listen_addresses={HOST} -k {self.tmp / 'pg'}"
        self._as_postgres(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.pgdata),
            "-l",
            str(self.tmp / "pg" / "postgresql.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *action,
        )

    def start_postgres(self) -> None:
        self._pg_ctl("start")

    def restart_postgres(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def stop_postgres(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop")

    # Redis: "cache" and "broker", each its own server with its own data directory.

    def start_redis(self, name: str) -> None:
        port = self.args.redis_port if name == "cache" else self.args.broker_port
        directory = self.tmp / f"redis-{name}"
        directory.mkdir(exist_ok=True)
        self.redis[name] = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", HOST, "--dir", str(directory)],
            stdout=(directory / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(port)

    def stop_redis(self, name: str) -> None:
        process = self.redis.pop(name, None)
        if process and process.poll() is None:
            process.terminate()  # as `systemctl stop redis` does
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # The web server, the Celery worker and beat, supervised as systemd would with
    # Restart=always: a process that exits is restarted after --restart-delay, and its exit
    # is recorded (only the kill_server fault's is planned).

    def server_command(self) -> list[str]:
        return shlex.split(self.args.server_command.format(venv=VENV_BIN, port=self.args.port))

    def commands(self) -> dict[str, tuple[list[str], Path]]:
        celery = str(VENV_BIN / "celery")
        return {
            "server": (self.server_command(), ROOT),
            "worker": (
                [celery, "-A", "motcua", "worker", "--concurrency", "2", "-l", "INFO"],
                self.tmp / "celery",
            ),
            "beat": (
                [celery, "-A", "motcua", "beat", "-l", "INFO", "-s", "beat-schedule"],
                self.tmp / "celery",
            ),
        }

    def start(self, name: str) -> None:
        command, cwd = self.commands()[name]
        cwd.mkdir(exist_ok=True)
        logfile = self.tmp / ("granian.log" if name == "server" else f"celery/{name}.log")
        with self.lock:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=cwd,
                env=self.env,
                stdout=logfile.open("a"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def server(self) -> subprocess.Popen | None:
        return self.processes.get("server")

    def kill_server(self) -> None:
        """kill -9 of the server and every process of its group (systemd's control group)."""
        with self.lock:
            if self.server is not None:
                signal_group(self.server.pid, signal.SIGKILL)

    def supervise(self) -> None:
        self.supervising = True
        self.supervisor = threading.Thread(target=self._supervisor, daemon=True)
        self.supervisor.start()

    def _supervisor(self) -> None:
        while self.supervising:
            time.sleep(0.05)
            with self.lock:
                exited = [(n, p) for n, p in self.processes.items() if p.poll() is not None]
            for name, process in exited:
                at = self.clock() if self.clock else 0.0
                # What is left of the old process group goes with it (systemd's KillMode).
                signal_group(process.pid, signal.SIGKILL)
                time.sleep(self.args.restart_delay)
                if not self.supervising:
                    return
                self.start(name)
                self.exits.append({"process": name, "at": round(at, 2), "code": process.returncode})
                log(f"supervisor: {name} exited ({process.returncode}); restarted")

    def workers(self) -> list[int]:
        process = self.server
        if process is None or process.poll() is not None:
            return []
        return [pid for pid in children(process.pid) if is_web_worker(pid)]

    def healthy(self) -> bool:
        try:
            url = f"http://{HOST}:{self.args.port}/health/"
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_healthy(self, timeout: float = 90) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /health/ in {timeout} s; see granian.log")

    def stop_all(self) -> None:
        self.supervising = False
        if self.supervisor is not None:
            self.supervisor.join()
        processes = list(self.processes.values())
        for process in processes:
            signal_group(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
        for process in processes:  # strays of the group (workers of a killed server)
            signal_group(process.pid, signal.SIGKILL)
        for name in list(self.redis):
            self.stop_redis(name)
        try:
            self.stop_postgres()
        except subprocess.CalledProcessError as exc:
            log(f"pg_ctl stop failed: {exc.stderr}")


def app_env(args, stack: Stack, tmp: Path) -> dict[str, str]:
    """Production settings (DEBUG off, the app's role, Redis, a broker), e-mail to files."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_", "OUTBOX_", "GRANIAN_"))
        and k not in ("MOTCUA_TESTING", "DEBUG", "SECRET_KEY", "SANDBOX_ENABLED")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        PYTHONPATH=str(ROOT),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://{HOST}:{args.port}",
        SECURE_COOKIES="false",  # no TLS on 127.0.0.1
        DATABASE_URL=stack.pg_url(),
        DATABASE_POOL_MAX="4",  # = blocking threads (docs/production.md)
        DATABASE_POOL_MIN="4",
        REDIS_URL=f"redis://{HOST}:{args.redis_port}/1",
        CELERY_BROKER_URL=f"redis://{HOST}:{args.broker_port}/0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp / "mail"),
        VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        # Shorter than production so the run ends in minutes: a fresh event is swept after
        # 10 s instead of 60, retried after 5 s instead of 30, its lease lasts 30 s, not 300.
        OUTBOX_GRACE_SECONDS="10",
        OUTBOX_RETRY_SECONDS="5",
        OUTBOX_LEASE_SECONDS="30",
        LOG_LEVEL="WARNING",
    )
    return env


# --- Seeding ---------------------------------------------------------------------------------


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seed(args, env: dict[str, str], password: str) -> list[tuple[str, list[str]]]:
    """One verified applicant with a password per client, and the drafts spread over them."""
    from django.db import connection
    from django.utils import timezone

    from motcua.accounts.models import User

    applicants = []
    per_client = [len(range(i, args.submissions, args.clients)) for i in range(args.clients)]
    for i, count in enumerate(per_client):
        user = User(
            email=f"faults-{i}@bench.motcua.invalid",
            phone=f"09{i + 1:08d}",
            kind=User.Kind.CITIZEN,
            full_name=f"Nguyễn Văn Thử {i}",
            citizen_id=f"0011900{i:05d}",
            address="Số 1 Lê Lợi, phường Thuận Hóa, thành phố Huế",
            email_verified_at=timezone.now(),
        )
        user.set_password(password)
        user.save()
        with contextlib.redirect_stdout(io.StringIO()):  # its list of procedures skipped
            drafts = load_test.make_drafts(user, count) if count else []
        applicants.append((user.email, drafts))
    connection.close()
    return applicants


# --- The load ----------------------------------------------------------------------------------


@dataclass
class Recorder:
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: dict = field(default_factory=dict)  # draft uuid -> code shown on the receipt page
    ack_times: list = field(default_factory=list)  # (sent, done)
    errors: list = field(default_factory=list)  # (sent, done, what)
    given_up: list = field(default_factory=list)
    logins: int = 0
    finished: bool = False
    # Set once the last fault is under way: the clients' held-back drafts then go, so that
    # however fast the load runs, submissions come after the last fault to see it recover.
    last_fault: threading.Event = field(default_factory=threading.Event)

    def now(self) -> float:
        return time.monotonic() - self.started

    def ack(self, uuid: str, code: str, sent: float) -> None:
        with self.lock:
            if uuid not in self.acks:
                self.acks[uuid] = code
                self.ack_times.append((sent, self.now()))

    def error(self, sent: float, what: str) -> None:
        with self.lock:
            self.errors.append((sent, self.now(), what))

    def first_ack_sent_after(self, t: float) -> float | None:
        with self.lock:
            done = [d for s, d in self.ack_times if s >= t]
        return min(done) if done else None


class Client(threading.Thread):
    """An applicant submitting drafts one after the other, pressing again after a failure."""

    def __init__(self, args, base: str, login: str, password: str, drafts, rec: Recorder):
        super().__init__(daemon=True)
        self.args, self.base, self.login_name, self.password = args, base, login, password
        self.drafts, self.rec = drafts, rec
        self.session = requests.Session()
        self.logged_in = False

    def run(self) -> None:
        # The last tenth waits for the last fault (Recorder.last_fault).
        held = len(self.drafts) // 10
        for n, uuid in enumerate(self.drafts):
            if n == len(self.drafts) - held:
                self.rec.last_fault.wait(timeout=self.args.give_up)
            self.submit(uuid)

    def pause(self, tries: int) -> None:
        time.sleep(min(0.25 * 2 ** (tries - 1), 1.0))  # 0.25, 0.5, then 1 s

    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def login(self) -> bool:
        sent = self.rec.now()
        try:
            self.session.cookies.clear()
            page = self.session.get(f"{self.base}/accounts/login/", timeout=10)
            response = self.session.post(
                f"{self.base}/accounts/login/",
                data={
                    "login": self.login_name,
                    "password": self.password,
                    "csrfmiddlewaretoken": self.csrf(),
                },
                allow_redirects=False,
                timeout=10,
            )
        except requests.RequestException as exc:
            self.rec.error(sent, f"login: {type(exc).__name__}")
            return False
        if page.status_code == 200 and response.status_code == 302:
            with self.rec.lock:
                self.rec.logins += 1
            self.logged_in = True
            return True
        self.rec.error(sent, f"login: HTTP {page.status_code}/{response.status_code}")
        return False

    def submit(self, uuid: str) -> None:
        deadline = time.monotonic() + self.args.give_up
        tries = 0
        while time.monotonic() < deadline:
            if tries:
                self.pause(tries)
            tries += 1
            if not self.logged_in and not self.login():
                continue
            sent = self.rec.now()
            try:
                response = self.session.post(
                    f"{self.base}/dossiers/{uuid}/submit/",
                    data={"declaration": "on", "csrfmiddlewaretoken": self.csrf()},
                    allow_redirects=False,
                    timeout=15,
                )
                location = response.headers.get("Location", "")
                if response.status_code == 302 and "/login/" in location:
                    self.logged_in = False
                    self.rec.error(sent, "logged out")
                    continue
                if response.status_code != 302 or "/submitted/" not in location:
                    self.rec.error(sent, f"submit: HTTP {response.status_code}")
                    continue
                page = self.session.get(self.base + location, timeout=15)
            except requests.RequestException as exc:
                self.rec.error(sent, f"submit: {type(exc).__name__}")
                continue
            code = PAGE_CODE.search(page.text) if page.status_code == 200 else None
            if code is None:
                self.rec.error(sent, f"receipt page: HTTP {page.status_code}")
                continue
            self.rec.ack(uuid, code.group(1).strip(), sent)
            return
        with self.rec.lock:
            self.rec.given_up.append(uuid)


# --- The faults ----------------------------------------------------------------------------------


def inject(name: str, stack: Stack, args) -> int | None:
    """Break the stack; returns when the broken part is back (or, for the server, at once),
    with the killed worker's pid for kill_worker."""
    if name == "kill_worker":
        workers = stack.workers()
        if not workers:
            raise RuntimeError("no granian worker to kill")
        os.kill(workers[0], signal.SIGKILL)
        return workers[0]
    elif name == "kill_server":
        stack.kill_server()  # the supervisor thread restarts it
    elif name == "restart_postgres":
        stack.restart_postgres()
    elif name in ("stop_redis", "stop_broker"):
        which = "cache" if name == "stop_redis" else "broker"
        stack.stop_redis(which)
        time.sleep(args.outage)
        stack.start_redis(which)
    return None


def run_faults(stack: Stack, rec: Recorder, args, faults: list[str], out: list[dict]) -> None:
    expected_workers = len(stack.workers())
    settled = 0.0  # the previous fault's recovery; each fault comes 5 s of load after it
    for i, name in enumerate(faults):
        # At 1/9, 2/9 ... 5/9 of the load: the last 4/9 leave time to see the last one
        # recover, however fast the load goes (an outage lasts --outage seconds).
        threshold = math.ceil(args.submissions * (i + 1) / (len(faults) + 4))
        while (len(rec.acks) < threshold or rec.now() < settled + 5) and not rec.finished:
            time.sleep(0.05)
        if rec.finished:
            out.append({"fault": name, "skipped": "the load ended first"})
            continue
        server = stack.server
        at = rec.now()
        log(f"fault: {name} (after {len(rec.acks)} acknowledged; workers {stack.workers()})")
        killed = inject(name, stack, args)
        if i == len(faults) - 1:
            rec.last_fault.set()
        back = rec.now()  # the broken part is back, or being brought back by itself
        result = {"fault": name, "at": round(at, 2), "down": round(back - at, 2)}
        recovered = respawned = health = None
        while rec.now() < back + 60 and not rec.finished:
            recovered = rec.first_ack_sent_after(back)
            if not stack.healthy():
                health = None  # when it answers again, for good
            elif health is None:
                health = rec.now()
            # A worker respawns within the same server; once that server is gone, it cannot.
            awaiting_respawn = (
                name == "kill_worker" and respawned is None and stack.server is server
            )
            if awaiting_respawn:
                workers = stack.workers()
                if killed not in workers and len(workers) >= expected_workers:
                    respawned = rec.now()
                    awaiting_respawn = False
            if recovered is not None and health is not None and not awaiting_respawn:
                break
            time.sleep(0.05)
        if recovered is None and rec.finished:
            result["note"] = "the load ended before a submission sent after it"
        window_end = recovered if recovered is not None else rec.now()
        settled = rec.now()
        with rec.lock:
            result["served_during"] = sum(1 for s, d in rec.ack_times if s >= at and d <= back)
            result["errors"] = Counter(
                w for s, d, w in rec.errors if at <= d <= max(window_end, back)
            )
            gaps, last = [], at
            for _s, done in sorted(rec.ack_times, key=lambda t: t[1]):
                if at <= done <= window_end:
                    gaps.append(done - last)
                    last = done
        result["longest_without_ack"] = round(max(gaps + [window_end - last]), 2)
        result["recovery"] = None if recovered is None else round(recovered - back, 2)
        result["health"] = None if health is None else round(health - back, 2)
        if name == "kill_worker":
            result["respawn"] = None if respawned is None else round(respawned - at, 2)
        log(
            f"  recovered {result['recovery']} s after it was back"
            + (f", workers back after {result.get('respawn')} s" if name == "kill_worker" else "")
        )
        out.append(result)
    # The exits the supervisor repaired, each in the window of the fault before it (a process
    # may die a while after the fault); the killed server's own exit is the fault itself.
    while not rec.finished:
        time.sleep(0.1)
    time.sleep(args.restart_delay + 0.5)
    done = [r for r in out if "skipped" not in r]
    for result, following in zip(done, done[1:] + [None], strict=True):
        until = following["at"] if following else math.inf
        exits = [e["process"] for e in stack.exits if result["at"] <= e["at"] < until]
        if result["fault"] == "kill_server" and "server" in exits:
            exits.remove("server")
        result["exits"] = exits
        ok = result["recovery"] is not None and result["recovery"] < TARGET_RECOVERY_SECONDS
        if result["fault"] == "kill_worker":
            respawn = result["respawn"]
            ok = ok and respawn is not None and respawn < TARGET_RECOVERY_SECONDS
        if result["fault"] in ("stop_redis", "stop_broker"):
            # Submitting needs neither: the cache degrades, the receipt waits in the outbox.
            ok = ok and result["served_during"] > 0
        result["ok"] = ok and not exits


# --- Counting --------------------------------------------------------------------------------


def read_receipts(mail_dir: Path) -> Counter:
    """Receipt e-mails ("Đã nhận hồ sơ <code>") per dossier code, from the file backend."""
    separator = b"\n" + b"-" * 79 + b"\n"
    receipts = Counter()
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for raw in path.read_bytes().split(separator):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            match = RECEIPT_CODE.search(str(message["Subject"] or ""))
            if match is None:
                continue
            receipts[match.group(1)] += 1
    return receipts


def pending_receipts() -> int:
    from django.db import connection

    from motcua.core.models import OutboxEvent

    count = OutboxEvent.objects.filter(name="dossier.submitted", delivered_at__isnull=True).count()
    connection.close()
    return count


def drain(args, env) -> tuple[float, int]:
    """Wait until the outbox has delivered every DossierSubmitted (beat, every minute)."""
    started = time.monotonic()
    left = pending_receipts()
    while left and time.monotonic() - started < args.drain_timeout:
        time.sleep(2)
        left = pending_receipts()
    time.sleep(2)  # the last e-mail file is written after the delivery commits
    return time.monotonic() - started, left


def count_codes(codes: list[str], sequences: dict[str, int]) -> dict:
    """Gaps per code prefix (agency and day): numbers from 1 to the counter's last value
    that no dossier has, and numbers no counter gave out."""
    numbers: dict[str, list[int]] = {}
    for code in codes:
        prefix, _, number = code.rpartition("-")
        numbers.setdefault(prefix, []).append(int(number))
    gaps, beyond = 0, 0
    for prefix in set(numbers) | set(sequences):
        have = set(numbers.get(prefix, []))
        last = sequences.get(prefix, 0)
        gaps += len(set(range(1, last + 1)) - have)
        beyond += len({n for n in have if n > last})
    return {"prefixes": len(numbers), "gaps": gaps, "beyond_counter": beyond}


def tally(rec: Recorder, applicants, mail_dir: Path) -> dict:
    from django.db import connection
    from django.db.models import Count

    from motcua.core.models import OutboxEvent
    from motcua.dossiers.codes import format_code
    from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, Status

    drafts = {uuid for _, uuids in applicants for uuid in uuids}
    rows = {
        str(d["uuid"]): d
        for d in Dossier.objects.filter(applicant__email__endswith="@bench.motcua.invalid")
        .exclude(status=Status.DRAFT)
        .values("id", "uuid", "code")
    }
    stored = {u: d for u, d in rows.items() if u in drafts}
    lost = [u for u, code in rec.acks.items() if stored.get(u, {}).get("code") != code]
    by_id = {d["id"]: u for u, d in stored.items()}
    twice = set()
    for row in (
        DossierEvent.objects.filter(action="submitted", dossier_id__in=by_id)
        .values("dossier_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    ):
        twice.add(by_id[row["dossier_id"]])
    published = Counter(
        p["dossier_id"]
        for p in OutboxEvent.objects.filter(name="dossier.submitted").values_list(
            "payload", flat=True
        )
    )
    twice |= {by_id[i] for i, n in published.items() if n > 1 and i in by_id}
    codes = Counter(d["code"] for d in stored.values())
    twice |= {u for u, d in stored.items() if codes[d["code"]] > 1}
    sequences = {
        format_code(s.agency.identifier, s.day, 0).rpartition("-")[0]: s.last_value
        for s in DossierCodeSequence.objects.select_related("agency")
    }
    outbox_failed = OutboxEvent.objects.filter(failed_at__isnull=False).count()
    connection.close()
    receipts = read_receipts(mail_dir)
    per_dossier = Counter(min(receipts.get(d["code"], 0), 2) for d in stored.values())
    return {
        "submissions": len(drafts),
        "acknowledged": len(rec.acks),
        "given_up": len(rec.given_up),
        "stored": len(stored),
        "stored_not_acknowledged": len(set(stored) - set(rec.acks)),
        "other_dossiers": len(set(rows) - drafts),
        "lost": len(lost),
        "lost_drafts": lost[:20],
        "duplicated": len(twice),
        "codes": count_codes([d["code"] for d in stored.values()], sequences),
        "receipts": {
            "none": per_dossier[0],
            "once": per_dossier[1],
            "more": per_dossier[2],
            "unknown_code": sum(n for c, n in receipts.items() if c not in codes),
        },
        "outbox_failed": outbox_failed,
        "errors_seen": Counter(w for _s, _d, w in rec.errors),
        "logins": rec.logins,
    }


# --- Report ----------------------------------------------------------------------------------


def report(args, info: dict, counts: dict, faults: list[dict]) -> tuple[str, dict]:
    lines = [
        f"MotCua faults under load, {info['at']}",
        f"machine: {info['machine']['nproc']} CPU ({info['machine']['cpu']}), "
        f"{info['machine']['ram_gb']} GB RAM; PostgreSQL {info['postgres']} (private, "
        f"port {args.pg_port}), Redis {info['redis']}; load average "
        f"{info['load_average'][0]:.1f} before the run, {info['load_average'][1]:.1f} after",
        f"server: {info['server_command']} (first start: answers /health/ after "
        f"{info['server_start_seconds']:.1f} s; a process that exits is restarted after "
        f"{args.restart_delay:g} s)",
        f"load: {args.submissions:,} submissions by {args.clients} applicants in "
        f"{info['load_seconds']:.1f} s ({args.submissions / info['load_seconds']:.1f}/s); "
        f"outbox drained in {info['drain_seconds']:.1f} s",
        "",
        f"{'fault':<18}{'at s':>7}{'down s':>8}{'no ack s':>10}{'recovery s':>12}{'health s':>10}"
        f"{'served':>8}  {'restarted':<15} errors seen by the clients",
    ]
    for f in faults:
        if "skipped" in f:
            lines.append(f"{f['fault']:<18}  skipped: {f['skipped']}")
            continue
        recovery = "never" if f["recovery"] is None else f"{f['recovery']:.2f}"
        health = "never" if f["health"] is None else f"{f['health']:.2f}"
        errors = ", ".join(f"{w} ×{n}" for w, n in f["errors"].most_common(4)) or "-"
        lines.append(
            f"{f['fault']:<18}{f['at']:>7.1f}{f['down']:>8.2f}{f['longest_without_ack']:>10.2f}"
            f"{recovery:>12}{health:>10}{f['served_during']:>8}  {','.join(f['exits']) or '-':<15} {errors}"
        )
        if f["fault"] == "kill_worker":
            respawn = "never" if f["respawn"] is None else f"{f['respawn']:.2f} s"
            lines.append(f"{'':<18}workers back to full strength: {respawn}")
    c = counts
    r = c["receipts"]
    lines += [
        "",
        f"{'acknowledged':<28}{c['acknowledged']:>8,}  (gave up: {c['given_up']})",
        f"{'stored':<28}{c['stored']:>8,}  (stored, never acknowledged: "
        f"{c['stored_not_acknowledged']}; other dossiers: {c['other_dossiers']})",
        f"{'lost':<28}{c['lost']:>8,}",
        f"{'duplicated':<28}{c['duplicated']:>8,}",
        f"{'code gaps':<28}{c['codes']['gaps']:>8,}  ({c['codes']['prefixes']} agency-day "
        f"prefixes; numbers beyond the counter: {c['codes']['beyond_counter']})",
        f"{'receipts per dossier':<28}  0: {r['none']:,}   1: {r['once']:,}   more: {r['more']:,}"
        f"   (for no stored code: {r['unknown_code']}; outbox events given up: "
        f"{c['outbox_failed']})",
        f"{'restarted by the supervisor':<28}"
        + (
            ", ".join(
                f"{e['process']} at {e['at']:.1f} s (exit {e['code']})" for e in info["exits"]
            )
            or "-"
        ),
        f"{'client errors, all':<28}"
        + (", ".join(f"{w} ×{n}" for w, n in c["errors_seen"].most_common(6)) or "-"),
        "",
    ]
    checks = {}

    def check(label, ok, text):
        checks[label] = ok
        lines.append(f"  {'PASS' if ok else 'FAIL'}  {text}")

    check(
        "acknowledged",
        c["acknowledged"] == c["submissions"],
        f"every submission acknowledged ({c['acknowledged']:,} of {c['submissions']:,})",
    )
    check("lost", c["lost"] == 0, f"0 lost ({c['lost']})")
    check("duplicated", c["duplicated"] == 0, f"0 duplicated ({c['duplicated']})")
    check(
        "gaps",
        c["codes"]["gaps"] == 0 and c["codes"]["beyond_counter"] == 0,
        f"0 code gaps ({c['codes']['gaps']})",
    )
    check(
        "receipts",
        r["once"] == c["stored"] and r["unknown_code"] == 0,
        f"every receipt sent once ({r['once']:,} of {c['stored']:,}; none {r['none']}, "
        f"more than once {r['more']})",
    )
    for f in faults:
        if "skipped" in f:
            check(f["fault"], False, f"{f['fault']}: not injected ({f['skipped']})")
            continue
        text = f"{f['fault']}: recovered in under 10 s"
        if f["fault"] == "kill_worker":
            text += ", the worker respawned"
        elif f["fault"] == "kill_server":
            text += " (restarted by the supervisor, as systemd would)"
        elif f["fault"] in ("stop_redis", "stop_broker"):
            text += f", kept taking submissions while down ({f['served_during']})"
        text += ", no other process exited"
        if f["exits"]:
            text += f" (exited and restarted by the supervisor: {', '.join(f['exits'])})"
        if f.get("note"):
            text += f" ({f['note']})"
        check(f["fault"], f["ok"], text)
    return "\n".join(lines), checks


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    faults = [f for f in FAULTS if f not in args.skip_fault]
    ports = (args.port, args.pg_port, args.redis_port, args.broker_port)
    busy = [p for p in ports if not port_free(p)]
    if busy:
        sys.exit(f"Ports in use: {busy}; pass other --port/--pg-port/--redis-port/--broker-port.")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    tmp = Path(tempfile.mkdtemp(prefix="motcua-faults-"))
    tmp.chmod(0o755)  # the postgres user needs to reach its data directory
    stack = Stack(args, tmp)
    interrupted = False

    def terminated(signum, frame):
        raise KeyboardInterrupt  # clean up as after Ctrl+C

    signal.signal(signal.SIGTERM, terminated)
    try:
        log(f"temporary directory {tmp}")
        stack.init_postgres()
        stack.start_redis("cache")
        stack.start_redis("broker")
        stack.env = env = app_env(args, stack, tmp)
        (tmp / "mail").mkdir()
        log("migrate and load_demo ...")
        owner = {**env, "DATABASE_URL": stack.pg_url("motcua_owner")}
        manage(owner, "migrate", "--noinput")
        manage(owner, "grant_app_role", "--role", "motcua")
        manage(env, "load_demo")
        load_test.setup_django(env)
        load_test.collectstatic_if_needed(env)
        password = secrets.token_urlsafe(16)
        started = time.monotonic()
        applicants = seed(args, env, password)
        log(
            f"{args.clients} applicants, {args.submissions:,} drafts in "
            f"{time.monotonic() - started:.1f} s"
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        connection.close()
        redis_version = (
            subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
            .stdout.split()[2]
            .removeprefix("v=")
        )

        stack.start("server")
        server_start = stack.wait_healthy()
        stack.start("worker")
        stack.start("beat")
        stack.supervise()
        log(f"server up, {len(stack.workers())} workers; {', '.join(faults) or 'no faults'}")

        load_before = os.getloadavg()[0]
        rec = Recorder()
        stack.clock = rec.now
        base = f"http://{HOST}:{args.port}"
        clients = [Client(args, base, login, password, drafts, rec) for login, drafts in applicants]
        fault_results: list[dict] = []

        def inject() -> None:
            try:
                run_faults(stack, rec, args, faults, fault_results)
            finally:
                rec.last_fault.set()  # never hold the clients back for nothing

        injector = threading.Thread(target=inject, daemon=True)
        for client in clients:
            client.start()
        injector.start()
        for client in clients:
            client.join()
        load_seconds = rec.now()
        rec.finished = True
        injector.join()
        log(f"load done in {load_seconds:.1f} s: {len(rec.acks):,} acknowledged; draining ...")
        drain_seconds, left = drain(args, env)
        log(f"outbox: {left} receipts undelivered after {drain_seconds:.1f} s")
        counts = tally(rec, applicants, tmp / "mail")
        info = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": load_test.machine(),
            "postgres": pg_version,
            "redis": redis_version,
            "server_command": " ".join(stack.server_command()).replace(str(ROOT) + "/", ""),
            "server_start_seconds": server_start,
            "load_average": [load_before, os.getloadavg()[0]],  # other work on the machine
            "load_seconds": load_seconds,
            "drain_seconds": drain_seconds,
            "exits": stack.exits,
        }
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted")
    finally:
        log("stopping ...")
        stack.stop_all()
        if args.keep:
            log(f"kept {tmp} (logs, mail, database)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if interrupted:
        return 130

    text, checks = report(args, info, counts, fault_results)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"faults-{stamp}.txt").write_text(text + "\n")
    (RESULTS / f"faults-{stamp}.json").write_text(
        json.dumps(
            {
                **info,
                "args": vars(args),
                "counts": counts,
                "faults": fault_results,
                "checks": checks,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nsaved bench/results/faults-{stamp}.txt (.json)")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
