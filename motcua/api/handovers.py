"""Liên thông between MotCua installations (decision 0071, D61 art.19(6)).

Origin side: a transfer task whose unit belongs to a RemoteAgency is sent to that agency's
Peer as a signed envelope (`send_handovers`, an outbox subscriber of TaskSent); the peer's
progress comes back as signed webhooks (`record_progress`), and its result answers the task
through the one `answer_task`, by the RemoteAgency's service account.

When the lead dossier ends (stopped, withdrawn) while a hand-over waits, the machine has
closed its task; `tell_peers` sends the peer a signed notice, and the peer's `cancel` writes
it on its dossier's timeline for its officers to decide (they stop it, or not, themselves).

Peer side: `receive` turns an envelope into a local dossier through the one intake and
subscribes the origin to that dossier's events.
"""

import base64
import binascii
import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Membership, Role
from motcua.api import peers
from motcua.api.clients import agency_ids
from motcua.api.models import (
    ApiClient,
    Handover,
    HandoverProgress,
    Peer,
    ReceivedHandover,
    RemoteAgency,
    WebhookSecret,
    WebhookSubscription,
    seal_secret,
)
from motcua.catalogue.models import Agency, Procedure
from motcua.catalogue.selectors import procedure_in_force
from motcua.core.events import DossierStopped, TaskSent, WithdrawalConfirmed
from motcua.core.outbox import subscriber
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import DossierError, store_attachment
from motcua.dossiers.timeline import EventKind, record_event, register_kind
from motcua.workflow.machine import answer_task
from motcua.workflow.models import Task
from motcua.workflow.services import WalkInApplicant, applicant_account

log = logging.getLogger("motcua.api.handovers")

EVENT = "lien_thong"  # the internal timeline lines of this exchange, on both sides
register_kind(EVENT, EventKind(officer_label=gettext_lazy("Liên thông giữa các hệ thống")))

# The peer's events the origin is told of, and what each says on the lead's timeline.
PROGRESS = {
    "dossier.accepted": gettext_lazy("đã tiếp nhận"),
    "dossier.supplement_requested": gettext_lazy("yêu cầu bổ sung"),
    "dossier.supplement_received": gettext_lazy("đã nhận hồ sơ bổ sung"),
    "dossier.extended": gettext_lazy("gia hạn xử lý"),
    "dossier.approved": gettext_lazy("đã phê duyệt"),
    "result.issued": gettext_lazy("đã có kết quả"),
    "dossier.returned": gettext_lazy("đã trả kết quả"),
    "dossier.refused": gettext_lazy("từ chối tiếp nhận"),
    "dossier.stopped": gettext_lazy("dừng xử lý"),
    "dossier.withdrawal_confirmed": gettext_lazy("dừng xử lý (rút hồ sơ)"),
}
RESULT_EVENTS = ("result.issued", "dossier.returned")
ENDING_EVENTS = ("dossier.refused", "dossier.stopped", "dossier.withdrawal_confirmed")


# --- Configuration -------------------------------------------------------------------------


def service_account(remote: RemoteAgency, unit_id: int | None = None):
    """The officer account that answers for `remote` (made once; it has no password and no
    second factor, so nobody signs in as it), member of `unit_id` when given."""
    user = remote.service_account
    if user is None:
        user = get_user_model()(
            kind="officer",
            agency=remote.agency,
            full_name=_("Hệ thống liên thông %(peer)s") % {"peer": remote.peer.name},
            email=None,
            phone=None,
        )
        user.set_unusable_password()
        user.save()
        remote.service_account = user
        remote.save(update_fields=["service_account"])
    if unit_id is not None:
        Membership.objects.get_or_create(user=user, unit_id=unit_id, role=Role.DESK)
    return user


# --- Origin: sending -----------------------------------------------------------------------


def _note(dossier_id: int, note: str, data: dict) -> None:
    """One internal line on the dossier's timeline (the dossier locked, as every writer does)."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        record_event(
            dossier=dossier,
            action=EVENT,
            from_status=dossier.status,
            note=note,
            public=False,
            data=data,
        )


def callback_url(handover: Handover) -> str:
    return f"{settings.SITE_URL}{reverse('api-handover-callback')}?handover={handover.key}"


def _attachment(attachment) -> dict:
    with attachment.file.open("rb") as stored:
        content = stored.read()
    return {
        "component": attachment.component.name,
        "file_name": attachment.original_name,
        "content_type": attachment.content_type,
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": base64.b64encode(content).decode(),
    }


def envelope_for(handover: Handover) -> dict:
    task = handover.task
    dossier = task.dossier
    agency = dossier.receiving_agency
    return {
        "version": 1,
        "origin": {
            "installation": settings.SITE_URL,
            "agency": agency.identifier,
            "agency_name": agency.name,
        },
        "to_agency": handover.remote_agency.remote_identifier,
        "handover": str(handover.key),
        "task": {"id": task.pk, "request": task.request, "due_at": task.due_at.isoformat()},
        "dossier": {
            "uuid": str(dossier.uuid),
            "code": dossier.code or "",
            "procedure_code": dossier.procedure.code,
            "form_data": dossier.form_data,
        },
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "attachments": [
            _attachment(a) for a in dossier.attachments.select_related("component").order_by("pk")
        ],
        "callback_url": callback_url(handover),
    }


@subscriber(TaskSent, name="api.handovers")
def send_handovers(event: TaskSent) -> None:
    """Send each new transfer task of a remote agency to its peer. Idempotent: one Handover
    per task, and the peer answers the same Idempotency-Key with its first answer."""
    tasks = Task.objects.filter(
        dossier_id=event.dossier_id,
        kind=Task.Kind.TRANSFER,
        state=Task.State.OPEN,
        unit__agency__remote__peer__is_active=True,
    ).select_related("unit__agency__remote")
    for task in tasks:
        handover, _created = Handover.objects.get_or_create(
            task=task, defaults={"remote_agency": task.unit.agency.remote}
        )
        if handover.state == Handover.State.PENDING:
            send(handover)


def send(handover: Handover) -> None:
    """POST the envelope; 5xx and network failures raise (the outbox tries again), a 4xx is
    written on the lead's timeline and ends the tries."""
    peer = handover.remote_agency.peer
    handover = Handover.objects.select_related(
        "task__dossier__procedure", "task__dossier__receiving_agency", "task__unit"
    ).get(pk=handover.pk)
    try:
        answer = peers.send_envelope(
            peer, key=f"handover-{handover.key}", envelope=envelope_for(handover)
        )
    except peers.PeerRefused as refused:
        with transaction.atomic():
            Handover.objects.filter(pk=handover.pk).update(
                state=Handover.State.REFUSED, refusal=refused.detail
            )
            _note(
                handover.task.dossier_id,
                _("Hệ thống liên thông từ chối: %(detail)s") % {"detail": refused.detail},
                {"task": handover.task_id, "status": refused.status},
            )
        return
    with transaction.atomic():
        Handover.objects.filter(pk=handover.pk).update(
            state=Handover.State.SENT,
            remote_uuid=answer.get("dossier"),
            remote_code=answer.get("code") or "",
            sent_at=timezone.now(),
        )
        _note(
            handover.task.dossier_id,
            _("Đã gửi liên thông tới %(peer)s: hồ sơ %(code)s")
            % {"peer": peer.name, "code": answer.get("code") or ""},
            {"task": handover.task_id, "remote_code": answer.get("code") or ""},
        )


# --- Origin: the lead dossier ended --------------------------------------------------------

OUTCOMES = {DossierStopped: "stopped", WithdrawalConfirmed: "withdrawn"}


def tell_peers(event) -> None:
    """The lead dossier was stopped or withdrawn: each hand-over still waiting (its task
    closed by the machine) is cancelled at its peer. After commit; 5xx and network failures
    raise (the outbox tries again); idempotent (only SENT hand-overs; the same key there)."""
    waiting = Handover.objects.filter(
        task__dossier_id=event.dossier_id,
        task__state=Task.State.CLOSED,
        state=Handover.State.SENT,
    ).select_related("remote_agency__peer", "task__dossier")
    for handover in waiting:
        dossier = handover.task.dossier
        ending = dossier.events.filter(action=event.action).order_by("-at", "-id").first()
        notice = {
            "outcome": OUTCOMES[type(event)],
            "reason": ending.note if ending is not None else "",
            "origin_code": dossier.code or "",
        }
        peer = handover.remote_agency.peer
        try:
            peers.send_cancel(peer, handover_key=handover.key, notice=notice)
        except peers.PeerRefused as refused:
            note = _("Hệ thống liên thông từ chối: %(detail)s") % {"detail": refused.detail}
        else:
            note = _("Đã báo %(peer)s: hồ sơ chủ trì đã kết thúc, hồ sơ %(code)s") % {
                "peer": peer.name,
                "code": handover.remote_code,
            }
        with transaction.atomic():
            Handover.objects.filter(pk=handover.pk).update(state=Handover.State.CANCELLED)
            _note(dossier.pk, note, {"task": handover.task_id, "outcome": notice["outcome"]})


for _event_type in OUTCOMES:
    subscriber(_event_type, name=f"api.handovers.{_event_type.name}")(tell_peers)


# --- Origin: progress back -----------------------------------------------------------------


def record_progress(*, handover: Handover, webhook_id: str, payload: dict) -> bool:
    """One callback of the peer: a line on the lead's timeline, and with the result (or the
    end of the peer's dossier) the task's answer. False when this webhook id came before.
    Raises peers.PeerUnavailable when the result file cannot be fetched yet (the peer's
    webhook retries)."""
    if HandoverProgress.objects.filter(handover=handover, webhook_id=webhook_id).exists():
        return False
    event_type = str(payload.get("type") or "")
    data = payload.get("data") or {}
    remote = handover.remote_agency
    fetched, missing = None, ""
    if event_type in RESULT_EVENTS and not handover.result_file:
        try:
            fetched = peers.fetch_result(remote.peer, handover.remote_uuid or data.get("dossier"))
        except peers.PeerRefused as refused:  # no file to give: the answer says so
            missing = refused.detail or str(refused.status)
    task = handover.task
    label = PROGRESS.get(event_type, event_type)
    code = data.get("code") or handover.remote_code
    with transaction.atomic():
        try:
            with transaction.atomic():
                HandoverProgress.objects.create(
                    handover=handover, webhook_id=webhook_id, event_type=event_type
                )
        except IntegrityError:
            return False
        if not handover.remote_code and code:
            handover.remote_code = code
            handover.remote_uuid = data.get("dossier") or handover.remote_uuid
        if fetched is not None:
            handover.result_name = fetched.name[:200]
            handover.result_sha256 = hashlib.sha256(fetched.content).hexdigest()
            handover.result_file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(fetched.content))
        handover.save()
        _note(
            task.dossier_id,
            _("%(agency)s (liên thông): %(progress)s, hồ sơ %(code)s")
            % {"agency": remote.agency.name, "progress": label, "code": code},
            {"task": task.pk, "event": event_type, "remote_code": code},
        )
        task.refresh_from_db(fields=["state"])
        if task.state == Task.State.OPEN and event_type in RESULT_EVENTS + ENDING_EVENTS:
            answer = _("Hồ sơ %(code)s tại %(agency)s %(progress)s.") % {
                "code": code,
                "agency": remote.agency.name,
                "progress": label,
            }
            if handover.result_file:
                answer += " " + _("Kết quả: %(name)s (SHA-256 %(sha)s).") % {
                    "name": handover.result_name,
                    "sha": handover.result_sha256,
                }
            elif missing:
                answer += " " + _("Chưa tải được tệp kết quả: %(detail)s") % {"detail": missing}
            answer_task(task_id=task.pk, actor=service_account(remote, task.unit_id), answer=answer)
            Handover.objects.filter(pk=handover.pk).update(state=Handover.State.DONE)
    return True


# --- Peer: receiving -----------------------------------------------------------------------


def peer_of(client: ApiClient) -> Peer | None:
    return Peer.objects.filter(inbound_client=client, is_active=True).first()


def _refuse(field: str, message: str):
    return DossierError({field: [message]})


def _files(envelope: dict, procedure: Procedure) -> list[tuple]:
    components = {c.name: c for c in procedure.components.all()}
    files, errors = [], []
    for n, item in enumerate(envelope.get("attachments") or []):
        try:
            content = base64.b64decode(item["content"], validate=True)
        except (binascii.Error, ValueError):
            errors.append(_("Tệp số %(n)s: nội dung không phải base64.") % {"n": n + 1})
            continue
        if hashlib.sha256(content).hexdigest() != item["sha256"].lower():
            errors.append(
                _("Tệp “%(name)s”: SHA-256 không khớp với nội dung.") % {"name": item["file_name"]}
            )
            continue
        component = components.get(item["component"])
        if component is None:
            errors.append(
                _("Thủ tục ở đây không có thành phần “%(c)s”.") % {"c": item["component"]}
            )
            continue
        upload = SimpleUploadedFile(item["file_name"], content, item["content_type"])
        files.append((component, upload))
    if errors:
        raise DossierError({"attachments": errors})
    return files


def receive(*, peer: Peer, client: ApiClient, envelope: dict) -> tuple[ReceivedHandover, bool]:
    """A local dossier for the envelope (its validated data: one per hand-over, the same
    envelope again gives the first one back), with the origin subscribed to its events. Call
    in a transaction."""
    key = envelope["handover"]
    known = ReceivedHandover.objects.filter(peer=peer, key=key).select_related("dossier").first()
    if known is not None:
        return known, False
    agency = Agency.objects.filter(identifier=envelope["to_agency"], is_active=True).first()
    if agency is None or agency.pk not in agency_ids(client):
        raise _refuse("to_agency", _("Cơ quan nhận không thuộc phạm vi của hệ thống gửi."))
    source = envelope["dossier"]
    # The version in force, as the portal and the catalogue read take it.
    procedure = procedure_in_force(source["procedure_code"])
    if procedure is None or procedure.receiving_agency_id != agency.pk:
        raise _refuse(
            "dossier.procedure_code",
            _("Cơ quan nhận không giải quyết thủ tục mã %(code)s.")
            % {"code": source["procedure_code"]},
        )
    files = _files(envelope, procedure)
    person = envelope["applicant"]
    applicant = applicant_account(
        WalkInApplicant(
            full_name=person["name"],
            citizen_id=person["id_number"],
            phone=person.get("phone") or "",
            email=person.get("email") or "",
        )
    )
    origin = envelope["origin"]
    due = envelope["task"]["due_at"]
    dossier = Dossier(
        procedure=procedure,
        applicant=applicant,
        receiving_agency=agency,
        delivery_method=Dossier.Delivery.ONLINE,
        form_data=source.get("form_data") or {},
        applicant_name=person["name"],
        applicant_phone=person.get("phone") or "",
        applicant_id_number=person["id_number"],
        applicant_email=person.get("email") or "",
    )
    intake.submit(
        dossier=dossier,
        actor=None,
        channel=Dossier.Channel.ONLINE,
        note=_("Nhận liên thông từ %(origin)s") % {"origin": origin["agency_name"]},
        data={
            "origin_code": source["code"],
            "origin_uuid": str(source["uuid"]),
            "origin_installation": origin["installation"],
            "request": envelope["task"]["request"],
            # Shown to the officers as the line's internal note (timeline kind "submitted").
            "note": _("Đề nghị: %(request)s (hạn trả lời của cơ quan chủ trì: %(due)s)")
            % {
                "request": envelope["task"]["request"],
                "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y"),
            },
            "origin_due_at": due.isoformat(),
        },
    )
    for component, upload in files:
        store_attachment(dossier, component, upload, uploaded_by=applicant)
    received = ReceivedHandover.objects.create(
        peer=peer,
        key=key,
        dossier=dossier,
        origin_code=source["code"],
        origin_uuid=source["uuid"],
        origin_agency=origin["agency_name"][:300],
        origin_due_at=due,
        callback_url=envelope["callback_url"],
    )
    subscription = WebhookSubscription.objects.create(
        client=client,
        url=envelope["callback_url"],
        event_types=list(PROGRESS),
        dossier=dossier,
        description=(_("Liên thông: %(code)s") % {"code": source["code"]})[:200],
    )
    WebhookSecret.objects.create(
        subscription=subscription, sealed=seal_secret(peers.callback_secret(peer, key))
    )
    return received, True


def cancel(*, peer: Peer, key, notice: dict) -> tuple[ReceivedHandover, bool]:
    """The origin's lead dossier ended: a line for this installation's officers on the
    dossier made from its envelope (once). Nothing stops here by itself: a dossier is
    stopped by a competent officer of the agency that handles it, with their reason."""
    received = ReceivedHandover.objects.select_related("dossier").get(peer=peer, key=key)
    if received.cancelled_at is not None:
        return received, False
    received.cancelled_at = timezone.now()
    received.save(update_fields=["cancelled_at"])
    what = (
        _("đã dừng xử lý")
        if notice["outcome"] == "stopped"
        else _("đã dừng xử lý theo yêu cầu rút hồ sơ")
    )
    _note(
        received.dossier_id,
        _(
            "%(origin)s %(what)s hồ sơ chủ trì %(code)s (lý do: %(reason)s): không cần trả "
            "kết quả liên thông nữa. Xem xét dừng xử lý hồ sơ này."
        )
        % {
            "origin": received.origin_agency,
            "what": what,
            "code": received.origin_code,
            "reason": notice.get("reason") or "—",
        },
        {"outcome": notice["outcome"], "origin_code": received.origin_code},
    )
    return received, True
