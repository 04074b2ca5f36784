"""The sandbox SMS gateway: a brandname API (protocol.py's shape) and the demo's phone.

The API checks the key and signature, the brandname, the number and the content as a
provider does, answers a result code and a message id, is idempotent on the client's
RequestId, and after commit sends the signed delivery report (tasks.py). The phone page
lists what each number received, so a demo user sees the SMS arrive.
"""

import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms
from motcua.notifications.contrib.sms_sandbox.tasks import FAILURES, send_report

MAX_SEGMENTS = 3
# Test numbers the API itself refuses for a while, by their last four digits.
BUSY = {"5555": "99", "7777": "107"}


def _answer(code: str, sms: SandboxSms | None = None) -> JsonResponse:
    meaning = "OK" if code == protocol.SUCCESS else protocol.CODES[code][0]
    body = {"CodeResult": code, "ErrorMessage": "" if sms else meaning}
    if sms is not None:
        body |= {"SMSID": sms.message_id, "CountRegenerate": sms.segments}
    return JsonResponse(body)


def _authenticated(request, body: bytes) -> bool:
    key = request.headers.get("X-Api-Key", "")
    return (
        bool(settings.SANDBOX_SMS_API_SECRET)
        and secrets.compare_digest(key, settings.SANDBOX_SMS_API_KEY)
        and not protocol.verify(body, request.headers, settings.SANDBOX_SMS_API_SECRET)
    )


@csrf_exempt  # an API called by servers with a key and a signature, not by browsers
@require_POST
def send(request):
    body = protocol.request_body(request)
    if not _authenticated(request, body):
        return _answer("101")
    try:
        data = json.loads(body)
    except ValueError:
        return _answer("108")
    if not isinstance(data, dict):
        return _answer("108")
    request_id = str(data.get("RequestId") or "")
    if not request_id or len(request_id) > 64:
        return _answer("108")
    key = settings.SANDBOX_SMS_API_KEY
    existing = SandboxSms.objects.filter(api_key=key, request_id=request_id).first()
    if existing is not None:  # the client tried again: the same message, sent once
        return _answer(protocol.SUCCESS, existing)
    if data.get("Brandname") != settings.SANDBOX_SMS_BRANDNAME:
        return _answer("104")
    phone = str(data.get("Phone") or "")
    if protocol.normalise_phone(phone) != phone:
        return _answer("105")
    if phone[-4:] in BUSY:
        return _answer(BUSY[phone[-4:]])
    content = str(data.get("Content") or "")
    if not content.strip() or not protocol.is_gsm(content):
        return _answer("106")
    if protocol.segments(content) > MAX_SEGMENTS:
        return _answer("106")
    try:
        with transaction.atomic():
            sms = SandboxSms.objects.create(
                message_id=secrets.token_hex(10),
                api_key=key,
                request_id=request_id,
                brandname=settings.SANDBOX_SMS_BRANDNAME,
                phone=phone,
                content=content,
                segments=protocol.segments(content),
            )
            # A moment later, as over the network: never inside the client's own call.
            transaction.on_commit(lambda: send_report.apply_async((sms.pk,), countdown=2))
    except IntegrityError:  # the same RequestId at the same moment
        sms = SandboxSms.objects.get(api_key=key, request_id=request_id)
    return _answer(protocol.SUCCESS, sms)


@require_GET
def phone(request):
    """Điện thoại thử nghiệm: the messages received, newest first, for one number or all."""
    raw = request.GET.get("phone", "").strip()[:20]
    number = protocol.normalise_phone(raw) if raw else None
    received = SandboxSms.objects.all()
    if raw:
        received = received.filter(phone=number or "")
    return render(
        request,
        "sms_sandbox/phone.html",
        {
            "received": received[:50],
            "raw": raw,
            "invalid": bool(raw) and number is None,
            "failures": FAILURES,
            "busy": BUSY,
        },
    )
