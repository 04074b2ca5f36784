"""The sandbox of Cổng Dịch vụ công quốc gia: its token endpoint and status API (speaking
contrib/dvcqg/protocol.py), and a public page where one looks a dossier up by its code and
sees the statuses the portal received, as a citizen would on dichvucong.gov.vn."""

import base64
import binascii
import hmac
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.core.dates import parse_compact_time
from motcua.dossiers.models import Status, choice_label
from motcua.nationalportal.contrib.dvcqg import protocol
from motcua.nationalportal.contrib.sandbox import portal
from motcua.nationalportal.contrib.sandbox.models import SandboxStatusMessage


def _answer(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"error_code": code, "message": message, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _down() -> JsonResponse:
    return _answer(503, protocol.MAINTENANCE, "Hệ thống đang bảo trì, vui lòng thử lại sau.")


def _client_credentials(request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        return client, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@require_POST
def token(request):
    if portal.outage():
        return _down()
    if request.POST.get("grant_type") != "client_credentials":
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    client, secret = _client_credentials(request)
    if not (
        client
        and hmac.compare_digest(client.encode(), portal.client_id().encode())
        and hmac.compare_digest(secret.encode(), portal.client_secret().encode())
    ):
        return JsonResponse({"error": "invalid_client"}, status=401)
    return JsonResponse(
        {
            "access_token": portal.issue_token(client),
            "token_type": "Bearer",
            "expires_in": settings.SANDBOX_DVCQG_TOKEN_SECONDS,
        }
    )


TOKEN_MESSAGES = {
    protocol.TOKEN_MISSING: "Thiếu access token.",
    protocol.TOKEN_INVALID: "Access token không hợp lệ.",
    protocol.TOKEN_EXPIRED: "Access token đã hết hạn.",
    protocol.CLIENT_UNKNOWN: "Access token cấp cho hệ thống không được phép gửi.",
}


def _invalid(body: dict) -> JsonResponse | None:
    """400 with the first problem of the message, or None when it is well formed."""
    for name in protocol.REQUIRED_FIELDS:
        if body.get(name) in (None, ""):
            return _answer(400, protocol.FIELD_MISSING, f"Thiếu trường {name}.", field=name)
    status = body["TrangThaiHoSo"]
    if isinstance(status, bool) or status not in protocol.NATIONAL_CODES:
        return _answer(
            400, protocol.INVALID_STATUS, "TrangThaiHoSo không thuộc bảng mã trạng thái (1–10)."
        )
    for name in protocol.TIME_FIELDS:
        value = body.get(name)
        if value not in (None, "") and parse_compact_time(str(value)) is None:
            return _answer(
                400, protocol.INVALID_TIME, f"{name} phải có dạng yyyyMMddHHmmss.", field=name
            )
    if body["KenhNop"] not in protocol.CHANNELS.values():
        return _answer(400, protocol.INVALID_CHANNEL, "KenhNop phải là 1, 2 hoặc 3.")
    return None


@csrf_exempt
@require_POST
def status_update(request):
    if portal.outage():
        return _down()
    verdict, client = portal.check_token(request.headers.get("Authorization", ""))
    if verdict != protocol.OK:
        return _answer(401, verdict, TOKEN_MESSAGES[verdict])
    message_id = request.headers.get(protocol.MESSAGE_ID, "").strip()
    if not message_id or len(message_id) > 64:
        return _answer(400, protocol.MESSAGE_ID_MISSING, f"Thiếu {protocol.MESSAGE_ID}.")
    body_bytes = request.body
    verdict = protocol.check_signature(
        portal.signing_secret(), request.headers, body_bytes, now=time.time()
    )
    if verdict != protocol.OK:
        text = (
            "Chữ ký không hợp lệ."
            if verdict == protocol.SIGNATURE_INVALID
            else "Chữ ký đã quá hạn."
        )
        return _answer(403, verdict, text)
    first = SandboxStatusMessage.objects.filter(client_id=client, message_id=message_id).first()
    if first is not None:  # a repeat: the first answer again, nothing recorded twice
        return JsonResponse(first.answer, json_dumps_params={"ensure_ascii": False})
    try:
        body = json.loads(body_bytes)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, protocol.INVALID_JSON, "Nội dung không phải JSON hợp lệ.")
    if not isinstance(body, dict):
        return _answer(400, protocol.INVALID_JSON, "Nội dung phải là một đối tượng JSON.")
    problem = _invalid(body)
    if problem is not None:
        return problem
    try:
        with transaction.atomic():
            row = SandboxStatusMessage.objects.create(
                client_id=client,
                message_id=message_id,
                dossier_code=str(body["MaHoSo"])[:64],
                procedure_code=str(body["MaTTHC"])[:40],
                agency_code=str(body["MaCoQuan"])[:40],
                status=body["TrangThaiHoSo"],
                updated_at_text=str(body["ThoiGianCapNhat"])[:14],
                body=body,
            )
            row.answer = {
                "error_code": protocol.OK,
                "message": "Thành công",
                "reference": row.reference,
            }
            row.save(update_fields=["answer"])
    except IntegrityError:  # the same message arrived twice at once
        row = SandboxStatusMessage.objects.get(client_id=client, message_id=message_id)
    return JsonResponse(row.answer, json_dumps_params={"ensure_ascii": False})


# --- The public page --------------------------------------------------------------------


def _when(text: str):
    return parse_compact_time(text or "")


@require_GET
def lookup(request):
    code = request.GET.get("ma", "").strip()[:64]
    history = []
    if code:
        for row in SandboxStatusMessage.objects.filter(dossier_code=code).order_by(
            "updated_at_text", "id"
        ):
            body = row.body
            history.append(
                {
                    "status": row.status,
                    "label": choice_label(Status, row.status),
                    "at": _when(row.updated_at_text),
                    "receiver": body.get("NguoiTiepNhan", ""),
                    "handler": body.get("NguoiXuLy", ""),
                    "unit": body.get("DonViXuLy", ""),
                    "due": _when(body.get("NgayHenTra", "")),
                    "returned": _when(body.get("NgayTraKetQua", "")),
                    "body": body,
                }
            )
    latest = history[-1] if history else None
    return render(
        request,
        "nationalportal_sandbox/lookup.html",
        {
            "code": code,
            "history": history,
            "latest": latest,
            "outage": portal.outage(),
            "received": SandboxStatusMessage.objects.count(),
        },
    )


@require_POST
def outage(request):
    portal.set_outage(request.POST.get("on") == "1")
    return HttpResponseRedirect(reverse("nationalportal_sandbox:lookup"))
