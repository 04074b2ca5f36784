"""The provider's delivery reports (báo cáo trạng thái tin nhắn): signed, answered with the
provider's result codes, published once as core.events.DeliveryReported."""

import json
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core.audit import client_ip
from motcua.core.events import DeliveryReported
from motcua.core.outbox import publish
from motcua.core.rejected_calls import SAMPLE_VALUE_CHARS, record_rejected
from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms.models import SmsReport


def _answer(code: str, message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"CodeResult": code, "Message": message}, status=status)


def _reported_at(text) -> datetime | None:
    try:
        return timezone.make_aware(datetime.strptime(str(text), "%d/%m/%Y %H:%M:%S"))
    except ValueError:
        return None


def _read(body: bytes) -> dict | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    ref, status = str(data.get("SMSID") or ""), str(data.get("Status") or "")
    if not ref or len(ref) > 64 or status not in (protocol.DELIVERED, protocol.FAILED):
        return None
    return data


@csrf_exempt  # server-to-server: authenticated by the provider's HMAC signature instead
@require_POST
def delivery_report(request):
    body = protocol.request_body(request)
    reason = protocol.verify(body, request.headers, settings.SMS_CALLBACK_SECRET)
    data = None if reason else _read(body)
    if reason or data is None:
        # Anybody can send these: counted, with a short sample of the body, never stored whole.
        record_rejected(
            source="sms",
            kind="report",
            reason=reason or "format",
            params={"body": body[:SAMPLE_VALUE_CHARS].decode(errors="replace")},
            ip=client_ip(request),
        )
        if reason:
            return _answer("101", "Sai chữ ký", status=401)
        return _answer("108", "Báo cáo không đúng định dạng", status=400)
    delivered = data["Status"] == protocol.DELIVERED
    reason = ""
    if not delivered:
        code = str(data.get("ErrorCode") or "")[:40]
        reason = str(data.get("Reason") or "")[:250] + (f" ({code})" if code else "")
    event = DeliveryReported(
        channel="sms",
        provider_ref=str(data["SMSID"]),
        delivered=delivered,
        status=data["Status"],
        reason=reason.strip(),
        reported_at=_reported_at(data.get("ReportedAt", "")),
    )
    try:
        with transaction.atomic():
            SmsReport.objects.create(
                provider_ref=event.provider_ref,
                status=data["Status"],
                delivered=delivered,
                reason=event.reason,
            )
            publish(event)
    except IntegrityError:  # the provider sent this report before: already published
        pass
    return _answer(protocol.SUCCESS, "OK")
