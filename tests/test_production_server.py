"""The production server (deploy/serve) outlives one of its workers; the systemd units run it
and the Celery worker and beat."""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "deploy" / "serve"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (granian's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - our http URL
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, seconds: float, failure: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{failure} within {seconds} s; granian's log:\n{log.read_text()}")


@pytest.fixture
def production_server(tmp_path):
    """deploy/serve with 2 workers on a free port, in its own process group; yields (process,
    base URL, log path) and stops the group whatever the test did."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'motcua.sqlite3'}",
        "GRANIAN_PORT": str(port),
        "GRANIAN_WORKERS": "2",
        "GRANIAN_BLOCKING_THREADS": "1",
    }
    log = tmp_path / "granian.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(SERVE)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, f"http://127.0.0.1:{port}", log
    finally:
        # The group holds granian, its workers and any replacement.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:  # the whole group has already gone
            process.wait()
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.server
def test_the_server_replaces_a_killed_worker_and_keeps_answering(production_server):
    process, url, log = production_server
    live = f"{url}/health/live/"

    def serving(workers: int):
        # granian logs "Started worker-N" once a worker serves.
        def check() -> bool:
            assert process.poll() is None, f"granian exited:\n{log.read_text()}"
            return log.read_text().count("Started worker-") == workers

        return check

    # The deadlines are for a busy machine; on an idle one this takes 4-5 s.
    wait_for(serving(2), 60, "the server did not start 2 workers", log)
    wait_for(lambda: answers(live), 10, "the server did not answer", log)
    workers = children(process.pid)
    assert len(workers) == 2
    victim = min(workers)

    os.kill(victim, signal.SIGKILL)

    # The other worker answers meanwhile (a request the dead one had accepted is lost: the
    # proxy retries it), and a new one takes the place of the dead.
    wait_for(lambda: answers(live), 5, "the server stopped answering", log)

    def replaced() -> bool:
        assert process.poll() is None, f"granian exited:\n{log.read_text()}"
        now = children(process.pid)
        return len(now) == 2 and victim not in now

    wait_for(replaced, 10, "no replacement worker", log)
    wait_for(serving(3), 30, "the replacement did not start serving", log)
    assert process.poll() is None, log.read_text()
    wait_for(lambda: answers(live), 10, "the server does not answer", log)


def read_unit(path: Path) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = sections.setdefault(line[1:-1], {})
        elif line and not line.startswith("#"):
            key, value = line.split("=", 1)
            section[key] = value
    return sections


UNITS = {path.name: path for path in (ROOT / "deploy").glob("*.service")}


def test_the_units_keep_the_three_services_up_as_an_unprivileged_user():
    assert set(UNITS) == {"motcua-web.service", "motcua-worker.service", "motcua-beat.service"}
    units = {name: read_unit(path)["Service"] for name, path in UNITS.items()}
    assert units["motcua-web.service"]["ExecStart"] == "/srv/motcua/deploy/serve"
    assert " worker " in units["motcua-worker.service"]["ExecStart"]
    assert " beat " in units["motcua-beat.service"]["ExecStart"]
    for service in units.values():
        assert service["Restart"] == "always"
        assert service["User"] == "motcua"
        assert service["EnvironmentFile"] == "/etc/motcua/motcua.env"
        assert service["NoNewPrivileges"] == "true"
        assert service["ProtectSystem"] == "strict"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_reads_every_directive_of_the_units(tmp_path):
    for name, path in UNITS.items():
        # verify wants the programs to exist: point them at one that does.
        text = re.sub(r"ExecStart=\S+", "ExecStart=/bin/true", path.read_text())
        (tmp_path / name).write_text(text.replace("EnvironmentFile=", "EnvironmentFile=-"))
        result = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (result.returncode, result.stdout + result.stderr) == (0, ""), name
        (tmp_path / name).unlink()
