"""Liên thông between installations, each side in one database: the peer takes a signed
envelope (or refuses it), the origin sends tasks and takes the peer's progress back."""

import base64
import hashlib
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.api import handovers, peers, webhooks
from motcua.api.models import Handover, Peer, RemoteAgency, WebhookSubscription
from motcua.api.testing import bearer, make_client, token_for
from motcua.dossiers.models import Dossier, Status
from motcua.factories import PDF_BYTES, AgencyFactory, UnitFactory, make_submitted_dossier
from motcua.workflow.actions.inputs import ReasonInput
from motcua.workflow.machine import OpenTasksInput, perform
from motcua.workflow.models import Task

pytestmark = pytest.mark.django_db

KEY = "shared-envelope-key-for-tests-0123456789"
ELEVEN_YEARS = timedelta(days=11 * 366)


@pytest.fixture(autouse=True)
def _peer_secrets(monkeypatch):
    monkeypatch.setenv("PEER_KEY", KEY)
    monkeypatch.setenv("PEER_SECRET", "client-secret-at-the-peer")


def make_peer(**fields) -> Peer:
    values = {
        "name": "MotCua tỉnh bên",
        "base_url": "http://peer.test",
        "client_id": "origin-at-peer",
        "client_secret_env": "PEER_SECRET",
        "signing_key_env": "PEER_KEY",
    }
    return Peer.objects.create(**{**values, **fields})


# --- Peer side ---------------------------------------------------------------------------


@pytest.fixture
def sender(org, client):
    """The origin installation as a client of this one, linked to its Peer row."""
    api_client, secret = make_client(org.agency, scopes=["handovers:write"], name="Tỉnh bên")
    peer = make_peer(inbound_client=api_client)
    return peer, api_client, token_for(client, api_client, secret)


def envelope(org, **changes) -> dict:
    content = base64.b64encode(PDF_BYTES).decode()
    body = {
        "version": 1,
        "origin": {
            "installation": "https://motcua.tinhben.gov.vn",
            "agency": "000.00.01.H01",
            "agency_name": "Sở Giao thông tỉnh bên",
        },
        "to_agency": org.agency.identifier,
        "handover": str(uuid.uuid4()),
        "task": {"id": 7, "request": "Xác minh phù hiệu", "due_at": "2026-12-10T10:00:00+07:00"},
        "dossier": {
            "uuid": str(uuid.uuid4()),
            "code": "000.00.01.H01-261207-0001",
            "procedure_code": org.procedure.code,
            "form_data": {"vehicles": [{"plate": "75A-123.45"}]},
        },
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": ""},
        "attachments": [
            {
                "component": "Giấy đề nghị",
                "file_name": "don.pdf",
                "content_type": "application/pdf",
                "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
                "content": content,
            }
        ],
        "callback_url": "http://127.0.0.1:9/api/v1/handovers/callback/?handover=x",
    }
    body.update(changes)
    return body


def as_meta(headers: dict) -> dict:
    """HTTP headers as the test client's keyword arguments."""
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def post_envelope(client, token, body: dict, *, key=KEY, idempotency=None):
    raw = json.dumps(body).encode()
    signed = webhooks.sign_headers([key], f"handover-{body['handover']}", raw)
    return client.post(
        "/api/v1/handovers/",
        data=raw,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=idempotency or f"handover-{body['handover']}",
        **as_meta(signed),
        **bearer(token),
    )


def test_a_signed_envelope_becomes_a_dossier_with_its_files_once(client, org, sender):
    peer, api_client, token = sender
    body = envelope(org)
    response = post_envelope(client, token, body)
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(uuid=response.json()["dossier"])
    assert response.json()["code"] == dossier.code
    assert dossier.status == Status.SUBMITTED and dossier.receiving_agency == org.agency
    assert dossier.current_unit == org.desk  # in the desk's queue like any dossier
    assert dossier.applicant.citizen_id == "001090012345"
    attachment = dossier.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    submitted = dossier.events.get(action="submitted")
    assert submitted.note == "Nhận liên thông từ Sở Giao thông tỉnh bên"
    assert submitted.data["origin_code"] == "000.00.01.H01-261207-0001"
    assert submitted.data["note"] == (
        "Đề nghị: Xác minh phù hiệu (hạn trả lời của cơ quan chủ trì: 10:00 10/12/2026)"
    )
    subscription = WebhookSubscription.objects.get(dossier=dossier)
    assert subscription.client == api_client and "result.issued" in subscription.event_types
    assert subscription.secrets.get().secret == peers.callback_secret(peer, body["handover"])

    again = post_envelope(client, token, body)  # the outbox's retry: same key
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other_key = post_envelope(client, token, body, idempotency="another-key")
    assert other_key.status_code == 200
    assert other_key.json()["dossier"] == str(dossier.uuid)
    assert Dossier.objects.filter(procedure=org.procedure).count() == 1


def test_the_peer_sends_the_dossiers_progress_to_the_callback_signed(
    client, org, sender, receiver, django_capture_on_commit_callbacks
):
    peer, _client, token = sender
    body = envelope(org, callback_url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        uuid_ = post_envelope(client, token, body).json()["dossier"]
    dossier = Dossier.objects.get(uuid=uuid_)
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    assert receiver.types() == ["dossier.accepted"]
    delivery = receiver.received[0]
    secret = peers.callback_secret(peer, body["handover"])
    assert webhooks.verify(secret, delivery.headers, delivery.body)
    assert not webhooks.verify(KEY, delivery.headers, delivery.body)  # never the shared key


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"sha256": "0" * 64}, 422, "attachments"),
        ({"component": "Không có"}, 422, "attachments"),
        ({"content": "%%% not base64"}, 422, "attachments"),
    ],
)
def test_a_file_that_does_not_match_refuses_the_whole_envelope(
    client, org, sender, change, status, field
):
    body = envelope(org)
    body["attachments"][0].update(change)
    response = post_envelope(client, sender[2], body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Dossier.objects.exists()


def test_an_unknown_procedure_or_agency_is_refused(client, org, sender):
    body = envelope(org)
    body["dossier"]["procedure_code"] = "1.999999"
    response = post_envelope(client, sender[2], body)
    assert response.status_code == 422
    assert "1.999999" in response.json()["errors"]["dossier.procedure_code"][0]
    elsewhere = AgencyFactory()
    response = post_envelope(client, sender[2], envelope(org, to_agency=elsewhere.identifier))
    assert response.status_code == 422 and "to_agency" in response.json()["errors"]
    assert not Dossier.objects.exists()


def test_a_bad_signature_or_a_client_that_is_not_a_peer_is_refused(client, org, sender):
    response = post_envelope(client, sender[2], envelope(org), key="someone-elses-key")
    assert response.status_code == 403
    assert response.json()["detail"] == "Chữ ký của gói liên thông không hợp lệ."
    stranger, secret = make_client(org.agency, scopes=["handovers:write"], name="Không là peer")
    response = post_envelope(client, token_for(client, stranger, secret), envelope(org))
    assert response.status_code == 403
    assert not Dossier.objects.exists()


def post_cancel(client, token, handover_key, notice: dict, *, key=KEY, idempotency=None):
    raw = json.dumps(notice).encode()
    signed = webhooks.sign_headers([key], f"handover-cancel-{handover_key}", raw)
    return client.post(
        f"/api/v1/handovers/{handover_key}/cancel/",
        data=raw,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=idempotency or f"handover-cancel-{handover_key}",
        **as_meta(signed),
        **bearer(token),
    )


def test_the_origins_stop_is_written_for_the_officers_here_who_decide(client, org, sender):
    token = sender[2]
    body = envelope(org)
    dossier = Dossier.objects.get(uuid=post_envelope(client, token, body).json()["dossier"])
    notice = {
        "outcome": "stopped",
        "reason": "Cơ quan chủ trì đã có đủ căn cứ",
        "origin_code": "X-1",
    }

    assert post_cancel(client, token, body["handover"], notice, key="wrong").status_code == 403
    assert post_cancel(client, token, uuid.uuid4(), notice).status_code == 404
    told = post_cancel(client, token, body["handover"], notice)
    assert told.status_code == 200, told.content
    assert told.json() == {"dossier": str(dossier.uuid), "code": dossier.code, "new": True}
    again = post_cancel(client, token, body["handover"], notice, idempotency="another-key")
    assert again.json()["new"] is False

    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED  # nothing stops by itself
    (line,) = dossier.events.filter(action=handovers.EVENT)
    assert line.note == (
        "Sở Giao thông tỉnh bên đã dừng xử lý hồ sơ chủ trì 000.00.01.H01-261207-0001 (lý do: "
        "Cơ quan chủ trì đã có đủ căn cứ): không cần trả kết quả liên thông nữa. Xem xét dừng xử lý hồ sơ này."
    )
    assert not line.is_public


# --- Origin side -------------------------------------------------------------------------


@pytest.fixture
def transfer(org, citizen, django_capture_on_commit_callbacks, monkeypatch):
    """A processing dossier of `org` transferred to a unit of an agency on a peer; the
    envelope the subscriber sent is in `sent` (the peer answers with `answer`)."""
    police = AgencyFactory(name="Công an tỉnh bên")
    unit = UnitFactory(agency=police, kind="desk", code="mot-cua", name="Một cửa Công an")
    remote = RemoteAgency.objects.create(
        agency=police, peer=make_peer(), remote_identifier="000.00.99.H99"
    )
    sent, answer = [], {"dossier": str(uuid.uuid4()), "code": "000.00.99.H99-261207-0003"}

    def send_envelope(peer, *, key, envelope):
        sent.append((key, envelope))
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(peers, "send_envelope", send_envelope)
    dossier = make_submitted_dossier(org.procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)

    def run(reply=None):
        nonlocal answer
        answer = reply or answer
        with django_capture_on_commit_callbacks(execute=True):
            perform(
                dossier_id=dossier.pk,
                action="transfer",
                actor=org.specialist,
                data=OpenTasksInput(unit_ids=(unit.pk,), days=Decimal(2), request="Xác minh xe"),
            )
        return Task.objects.get(dossier=dossier, unit=unit)

    run.remote, run.sent, run.answer, run.dossier = remote, sent, answer, dossier
    return run


def test_a_transfer_to_a_remote_agency_is_sent_with_its_files(transfer, org):
    task = transfer()
    ((key, sent),) = transfer.sent
    handover = Handover.objects.get(task=task)
    assert key == f"handover-{handover.key}"
    assert sent["to_agency"] == "000.00.99.H99" and sent["handover"] == str(handover.key)
    assert sent["dossier"]["code"] == transfer.dossier.code
    assert sent["task"]["request"] == "Xác minh xe"
    assert sent["callback_url"].endswith(f"/api/v1/handovers/callback/?handover={handover.key}")
    files = sent["attachments"]
    assert [base64.b64decode(f["content"]) for f in files] == [
        a.file.open("rb").read() for a in transfer.dossier.attachments.order_by("pk")
    ]
    assert handover.state == Handover.State.SENT
    assert handover.remote_code == "000.00.99.H99-261207-0003"
    line = transfer.dossier.events.get(action=handovers.EVENT)
    assert line.note == "Đã gửi liên thông tới MotCua tỉnh bên: hồ sơ 000.00.99.H99-261207-0003"
    assert not line.is_public


def test_a_refusal_is_written_on_the_timeline_and_not_tried_again(transfer):
    task = transfer(reply=peers.PeerRefused(422, "Cơ quan nhận không giải quyết thủ tục"))
    handover = Handover.objects.get(task=task)
    assert handover.state == Handover.State.REFUSED
    line = transfer.dossier.events.get(action=handovers.EVENT)
    assert line.note == "Hệ thống liên thông từ chối: Cơ quan nhận không giải quyết thủ tục"
    handovers.send_handovers(
        type("E", (), {"dossier_id": transfer.dossier.pk})()  # the outbox's retry
    )
    assert len(transfer.sent) == 1
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN  # the lead decides what next


def test_an_unreachable_peer_raises_for_the_outbox_to_retry(transfer):
    transfer(reply=peers.PeerUnavailable("connection refused"))
    handover = Handover.objects.get()
    assert handover.state == Handover.State.PENDING
    with pytest.raises(peers.PeerUnavailable):
        handovers.send(handover)


def callback(client, handover, event_type, *, event_id="evt_1", key=KEY, data=None):
    payload = {
        "id": event_id,
        "type": event_type,
        "created_at": "2026-12-07T10:00:00+07:00",
        "data": {
            "dossier": str(handover.remote_uuid),
            "code": handover.remote_code,
            **(data or {}),
        },
    }
    raw = json.dumps(payload).encode()
    secret = peers.callback_secret(handover.remote_agency.peer, handover.key)
    signed = webhooks.sign_headers([secret if key == KEY else key], event_id, raw)
    return client.post(
        f"/api/v1/handovers/callback/?handover={handover.key}",
        data=raw,
        content_type="application/json",
        **as_meta(signed),
    )


def test_the_peers_result_answers_the_task_and_the_lead_downloads_it(
    transfer, client, org, monkeypatch
):
    task = transfer()
    handover = Handover.objects.get(task=task)
    asked = []

    def fetch_result(peer, dossier_uuid):
        asked.append(str(dossier_uuid))
        return peers.RemoteFile("ket-qua-xac-minh.pdf", "application/pdf", PDF_BYTES)

    monkeypatch.setattr(peers, "fetch_result", fetch_result)
    assert callback(client, handover, "dossier.accepted", key="wrong").status_code == 401
    unsigned = client.post(
        f"/api/v1/handovers/callback/?handover={handover.key}", {}, content_type="application/json"
    )
    assert unsigned.status_code == 400 and "webhook-signature" in unsigned.json()["errors"]
    accepted = callback(client, handover, "dossier.accepted")
    assert accepted.status_code == 200 and accepted.json() == {"new": True}
    assert callback(client, handover, "dossier.accepted").json() == {"new": False}
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN
    issued = callback(client, handover, "result.issued", event_id="evt_2")
    assert issued.status_code == 200
    assert asked == [str(handover.remote_uuid)]

    task.refresh_from_db()
    assert task.state == Task.State.ANSWERED
    assert "000.00.99.H99-261207-0003" in task.answer and "ket-qua-xac-minh.pdf" in task.answer
    dossier = Dossier.objects.get(pk=transfer.dossier.pk)
    assert dossier.open_tasks == 0
    notes = list(dossier.events.filter(action=handovers.EVENT).values_list("note", flat=True))
    assert notes[1:] == [
        "Công an tỉnh bên (liên thông): đã tiếp nhận, hồ sơ 000.00.99.H99-261207-0003",
        "Công an tỉnh bên (liên thông): đã có kết quả, hồ sơ 000.00.99.H99-261207-0003",
    ]
    assert dossier.events.filter(action="answer_task").count() == 1

    login_officer(client, org.specialist)
    page = client.get(f"/officer/dossiers/{dossier.uuid}/")
    assert page.status_code == 200
    assert "ket-qua-xac-minh.pdf" in page.content.decode()
    download = client.get(f"/api/v1/handovers/{handover.key}/result/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    # Returned afterwards: one more line, no second answer, no second fetch.
    assert callback(client, handover, "dossier.returned", event_id="evt_3").status_code == 200
    assert len(asked) == 1 and dossier.events.filter(action="answer_task").count() == 1


def test_a_refusal_on_the_peer_answers_the_task_with_it(transfer, client):
    task = transfer()
    handover = Handover.objects.get(task=task)
    assert callback(client, handover, "dossier.refused").status_code == 200
    task.refresh_from_db()
    assert task.state == Task.State.ANSWERED
    assert task.answer == (
        "Hồ sơ 000.00.99.H99-261207-0003 tại Công an tỉnh bên từ chối tiếp nhận."
    )
    assert task.answered_by == RemoteAgency.objects.get().service_account
    assert not task.answered_by.has_usable_password()


def test_a_result_that_cannot_be_fetched_yet_is_asked_again(transfer, client, monkeypatch):
    task = transfer()
    handover = Handover.objects.get(task=task)

    def down(peer, dossier_uuid):
        raise peers.PeerUnavailable("connection refused")

    monkeypatch.setattr(peers, "fetch_result", down)
    first = callback(client, handover, "result.issued")
    assert first.status_code == 503  # the peer's webhook tries again later
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN
    assert not handover.progress.exists()
    monkeypatch.setattr(
        peers,
        "fetch_result",
        lambda peer, dossier_uuid: peers.RemoteFile("kq.pdf", "application/pdf", PDF_BYTES),
    )
    assert callback(client, handover, "result.issued").json() == {"new": True}
    assert Task.objects.get(pk=task.pk).state == Task.State.ANSWERED


def test_the_result_that_came_back_is_purged_with_the_lead_dossiers_personal_data(
    transfer, client, org, monkeypatch
):
    task = transfer()
    handover = Handover.objects.get(task=task)
    monkeypatch.setattr(
        peers,
        "fetch_result",
        lambda peer, dossier_uuid: peers.RemoteFile(
            "kq-xac-minh.pdf", "application/pdf", PDF_BYTES
        ),
    )
    assert callback(client, handover, "result.issued").status_code == 200
    dossier = transfer.dossier
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    handover.refresh_from_db()
    stored = handover.result_file.name
    assert default_storage.exists(stored)

    login_officer(client, org.specialist)
    download = f"/api/v1/handovers/{handover.key}/result/"
    assert download in client.get(f"/officer/dossiers/{dossier.uuid}/").content.decode()

    call_command("purge_expired")  # returned today: kept
    assert default_storage.exists(stored)

    Dossier.objects.filter(pk=dossier.pk).update(returned_at=timezone.now() - ELEVEN_YEARS)
    call_command("purge_expired")
    assert Dossier.objects.get(pk=dossier.pk).purged_at is not None
    assert not default_storage.exists(stored)
    handover.refresh_from_db()
    assert not handover.result_file
    assert (handover.result_name, handover.result_sha256) == (
        "kq-xac-minh.pdf",
        hashlib.sha256(PDF_BYTES).hexdigest(),
    )
    # The panel no longer offers it (the task's answer still names it); the link says gone.
    page = client.get(f"/officer/dossiers/{dossier.uuid}/").content.decode()
    assert download not in page
    assert client.get(download).status_code == 410


def test_a_lead_dossier_stopped_while_the_peer_works_tells_the_peer_once(
    transfer, org, django_capture_on_commit_callbacks, monkeypatch
):
    task = transfer()
    told = []
    monkeypatch.setattr(
        peers,
        "send_cancel",
        lambda peer, *, handover_key, notice: told.append((str(handover_key), notice)) or {},
    )
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            dossier_id=transfer.dossier.pk,
            action="stop",
            actor=org.specialist,
            data=ReasonInput(reason="Người nộp đề nghị dừng"),
        )
    handover = Handover.objects.get(task=task)
    assert Task.objects.get(pk=task.pk).state == Task.State.CLOSED
    assert told == [
        (
            str(handover.key),
            {
                "outcome": "stopped",
                "reason": "Người nộp đề nghị dừng",
                "origin_code": task.dossier.code,
            },
        )
    ]
    assert handover.state == Handover.State.CANCELLED
    notes = transfer.dossier.events.filter(action=handovers.EVENT).values_list("note", flat=True)
    assert list(notes)[-1] == (
        "Đã báo MotCua tỉnh bên: hồ sơ chủ trì đã kết thúc, hồ sơ 000.00.99.H99-261207-0003"
    )
    handovers.tell_peers(  # the outbox's retry: nothing more
        type("E", (), {"dossier_id": transfer.dossier.pk, "action": "stop"})()
    )
    assert len(told) == 1
