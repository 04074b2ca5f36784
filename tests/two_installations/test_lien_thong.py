"""Liên thông between two MotCua installations on one machine: this one (pytest-django's
live_server) hands a dossier to an agency that runs on a second installation, a real
`manage.py runserver` process with its own database, media, signing keys and SECRET_KEY.
Everything on the second installation goes through its API, as a connected system would:
its agency's own software reads the dossier that arrived and takes its officers' actions
(`/api/v1/dossiers/…`, `…/actions/`), and the origin fetches the signed result from
`…/result/file/`; the result comes back and answers the task."""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.api.models import Handover, Peer, RemoteAgency
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import store_attachment
from motcua.factories import PDF_BYTES, AgencyFactory, UnitFactory, make_submitted_dossier
from motcua.workflow.machine import NoteInput, OpenTasksInput, perform
from motcua.workflow.models import Task

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = "lien-thong-shared-key-" + "k" * 24
PEER_AGENCY = "000.00.77.H77"
CLIENT_ID, CLIENT_SECRET = "tinh-a-tai-tinh-b", "secret-of-tinh-a-at-tinh-b"
# The peer agency's own software (its one-stop system), a client there of that agency.
SYSTEM_ID, SYSTEM_SECRET = "phan-mem-cong-an-tinh-b", "secret-of-the-police-system"
# Variables the test must not hand to the second installation: it is not under pytest.
NOT_INHERITED = (
    "MOTCUA_TESTING",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "MEDIA_ROOT",
    "SITE_URL",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Installation:
    """The second installation: `manage(...)` runs one of its commands; `api(...)` calls its
    API as its agency's own system (a token of that client, fetched once)."""

    def __init__(self, tmp_path: Path, pki: Path):
        self.port = free_port()
        self.database = tmp_path / "peer.sqlite3"
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update(
            DEBUG="true",
            SECRET_KEY="second-installation-" + "s" * 30,
            DJANGO_SETTINGS_MODULE="motcua.settings",
            DATABASE_URL=f"sqlite:///{self.database}",
            VAR_DIR=str(tmp_path / "var"),
            MEDIA_ROOT=str(tmp_path / "media"),
            SIGNING_DIR=str(pki),
            SIGNING_ALLOW_DEFAULT="true",
            SANDBOX_ENABLED="false",
            SITE_URL=self.url,
            LIEN_THONG_KEY_TINH_A=KEY,
        )
        self.log = tmp_path / "peer.log"
        self.server = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def migrate_in_background(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--verbosity=0", "--skip-checks"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        if not getattr(self, "token", None):
            self.token = requests.post(
                self.url + "/api/oauth/token/",
                data={"grant_type": "client_credentials", "scope": "dossiers:read actions:write"},
                auth=(SYSTEM_ID, SYSTEM_SECRET),
                timeout=10,
            ).json()["access_token"]
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def act(self, dossier_uuid: str, action: str, officer: str, **data) -> dict:
        """One officer's action, taken by the agency's system for them."""
        answer = self.api(
            "POST",
            f"/api/v1/dossiers/{dossier_uuid}/actions/",
            json={"action": action, "officer": officer, "input": data},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def start(self):
        self.server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v1/", timeout=1)  # noqa: S310
            except urllib.error.HTTPError:
                return  # it answers (a problem: nothing there)
            except OSError:
                if self.server.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        pytest.skip(f"the second installation did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=10)


def schema_fingerprint() -> str:
    """What the second installation's migrated database depends on: every migration file."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "motcua").rglob("migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# A migrated database is kept between runs (var/ is not tracked): a migration changed, a new one.
SCHEMA_CACHE = ROOT / "var" / "test-cache"


@pytest.fixture(scope="session")
def peer_installation(tmp_path_factory, _session_pki):
    """The second installation; its schema copied from the cache, or migrated in the
    background while pytest-django builds this one's test database (session fixtures come
    first) and then kept in the cache."""
    installation = Installation(tmp_path_factory.mktemp("peer"), _session_pki)
    installation.cached = SCHEMA_CACHE / f"peer-{schema_fingerprint()}.sqlite3"
    if installation.cached.exists():
        shutil.copyfile(installation.cached, installation.database)
        installation.migrating = None
    else:
        installation.migrating = installation.migrate_in_background()
    return installation


@pytest.fixture
def peer(peer_installation, procedure, live_server):
    installation = peer_installation
    migrating = installation.migrating
    if migrating is not None:
        assert migrating.wait(timeout=180) == 0, migrating.stderr.read()[-3000:]
        SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
        partial = installation.cached.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(installation.database, partial)
        partial.replace(installation.cached)  # whole or not at all, for a parallel run
    seeded = json.loads(
        installation.manage(
            "seed_peer_for_tests",
            f"--agency={PEER_AGENCY}",
            f"--procedure={procedure.code}",
            f"--origin-url={live_server.url}",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            "--key-env=LIEN_THONG_KEY_TINH_A",
            f"--system-client-id={SYSTEM_ID}",
            f"--system-client-secret={SYSTEM_SECRET}",
        )
    )
    installation.officers = seeded["officers"]
    installation.start()
    yield installation
    installation.stop()


def test_a_dossier_handed_to_another_installation_comes_back_with_its_result(
    peer_installation, peer, live_server, org, citizen, settings, monkeypatch
):
    started = time.monotonic()
    settings.SITE_URL = live_server.url
    monkeypatch.setenv("LIEN_THONG_KEY_TINH_B", KEY)
    monkeypatch.setenv("LIEN_THONG_SECRET_TINH_B", CLIENT_SECRET)
    police = AgencyFactory(name="Công an tỉnh B")
    police_desk = UnitFactory(agency=police, kind="desk", code="mot-cua", name="Một cửa Công an")
    RemoteAgency.objects.create(
        agency=police,
        remote_identifier=PEER_AGENCY,
        peer=Peer.objects.create(
            name="MotCua tỉnh B",
            base_url=peer.url,
            client_id=CLIENT_ID,
            client_secret_env="LIEN_THONG_SECRET_TINH_B",
            signing_key_env="LIEN_THONG_KEY_TINH_B",
        ),
    )
    dossier = make_submitted_dossier(org.procedure, citizen)
    store_attachment(
        dossier,
        org.procedure.components.get(name="Giấy đề nghị"),
        SimpleUploadedFile("don-de-nghi.pdf", PDF_BYTES, "application/pdf"),
        uploaded_by=citizen,
    )
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)

    # The lead's specialist transfers it; the envelope goes over after COMMIT.
    perform(
        dossier_id=dossier.pk,
        action="transfer",
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=(police_desk.pk,), days=Decimal(3), request="Xác minh xe"),
    )
    handover = Handover.objects.get()
    assert handover.state == Handover.State.SENT, handover.refusal
    assert handover.remote_code.startswith(PEER_AGENCY)

    # The second installation's agency system finds it by code and reads it and its files.
    found = peer.api("GET", "/api/v1/dossiers/", params={"code": handover.remote_code}).json()
    assert [d["code"] for d in found["results"]] == [handover.remote_code]
    remote_uuid = found["results"][0]["uuid"]
    assert remote_uuid == str(handover.remote_uuid)
    there = peer.api("GET", f"/api/v1/dossiers/{remote_uuid}/").json()
    assert there["status"]["code"] == Status.SUBMITTED and there["channel"] == "online"
    assert there["applicant"]["id_number"] == dossier.applicant_id_number
    timeline = peer.api("GET", f"/api/v1/dossiers/{remote_uuid}/timeline/").json()
    assert f"Nhận liên thông từ {org.agency.name}" in [e["note"] for e in timeline], timeline
    files = peer.api("GET", f"/api/v1/dossiers/{remote_uuid}/attachments/").json()
    assert [(f["name"], f["sha256"]) for f in files] == [
        ("don-de-nghi.pdf", dossier.attachments.get().sha256)
    ]

    # Its officers handle it in its own workflow, through its actions endpoint.
    officers = peer.officers
    peer.act(remote_uuid, "accept", officers["desk_officer"])
    peer.act(remote_uuid, "forward", officers["specialist"], note="Xe không bị truy tìm")
    peer.act(remote_uuid, "forward", officers["head"])
    approved = peer.act(remote_uuid, "approve", officers["leader"])
    assert approved["status"] == Status.PROCESSED

    # Its webhooks came back: the task is answered, the signed PDF is on the lead's dossier.
    task = Task.objects.get(dossier=dossier)
    assert task.state == Task.State.ANSWERED, task.state
    assert handover.remote_code in task.answer
    handover.refresh_from_db()
    assert handover.state == Handover.State.DONE
    with handover.result_file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    notes = list(
        Dossier.objects.get(pk=dossier.pk)
        .events.filter(action="lien_thong")
        .values_list("note", flat=True)
    )
    assert notes[0] == f"Đã gửi liên thông tới MotCua tỉnh B: hồ sơ {handover.remote_code}"
    assert f"Công an tỉnh B (liên thông): đã tiếp nhận, hồ sơ {handover.remote_code}" in notes
    assert f"Công an tỉnh B (liên thông): đã có kết quả, hồ sơ {handover.remote_code}" in notes

    # The lead's dossier moves on.
    dossier = perform(
        dossier_id=dossier.pk,
        action="forward",
        actor=org.specialist,
        data=NoteInput(note="Đã có kết quả xác minh"),
    )
    assert dossier.open_tasks == 0 and dossier.step_key == "head-review"
    assert time.monotonic() - started < 60
