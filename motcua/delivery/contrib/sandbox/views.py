"""The sandbox post office: the carrier's order API and a page to move parcels along.

It answers like the carrier does (status/error/message/data), checks the `Token` header and
the `Idempotency-Key`, and reports every change of status to the portal's webhook, signed
with the shared secret, over HTTP (motcua/delivery/contrib/sandbox/tasks.py).
"""

import hmac
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.delivery.contrib.sandbox.models import SandboxParcel
from motcua.delivery.contrib.sandbox.tasks import send_status

REQUIRED = ("ORDER_NUMBER", "RECEIVER_FULLNAME", "RECEIVER_ADDRESS", "RECEIVER_PHONE")
# What the demo page can do to a parcel, in the carrier's codes.
MOVES = {
    "200": "Bưu cục đã nhận bưu gửi",
    "500": "Đang phát",
    "501": "Phát thành công",
    "504": "Chuyển hoàn (không phát được)",
}


def _answer(status, message, data=None, http=None):
    return JsonResponse(
        {"status": status, "error": status != 200, "message": message, "data": data or {}},
        status=http or (200 if status == 200 else status),
    )


def _authorised(request) -> bool:
    return hmac.compare_digest(request.headers.get("Token", ""), settings.POSTAL_API_TOKEN)


@csrf_exempt  # an API called by servers with a token, not by browsers
@require_POST
def create_order(request):
    if not _authorised(request):
        return _answer(401, "Token không hợp lệ")
    key = request.headers.get("Idempotency-Key", "")
    if not key or len(key) > 64:
        return _answer(400, "Thiếu Idempotency-Key")
    try:
        order = json.loads(request.body)
    except ValueError:
        return _answer(400, "Dữ liệu không phải JSON")
    if not isinstance(order, dict):
        return _answer(400, "Dữ liệu không hợp lệ")
    missing = [f for f in REQUIRED if not str(order.get(f) or "").strip()]
    if missing:
        return _answer(400, "Thiếu trường: " + ", ".join(missing))
    existing = SandboxParcel.objects.filter(idempotency_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = SandboxParcel.objects.create(
                    tracking_number="SB" + "".join(secrets.choice("0123456789") for _ in range(11)),
                    idempotency_key=key,
                    reference=str(order["ORDER_NUMBER"])[:60],
                    order=order,
                )
        except IntegrityError:  # the same key at the same moment
            existing = SandboxParcel.objects.get(idempotency_key=key)
    return _answer(
        200,
        "OK",
        {"ORDER_NUMBER": existing.tracking_number, "MONEY_TOTAL": 22000, "KPI_HT": 48},
    )


@csrf_exempt
@require_GET
def tracking(request):
    if not _authorised(request):
        return _answer(401, "Token không hợp lệ")
    parcel = SandboxParcel.objects.filter(
        tracking_number=request.GET.get("ORDER_NUMBER", "")
    ).first()
    if parcel is None:
        return _answer(404, "Không tìm thấy bưu gửi")
    return _answer(
        200, "OK", {"ORDER_NUMBER": parcel.tracking_number, "ORDER_STATUS": int(parcel.status)}
    )


def post_office(request):
    """The demo's post office: every parcel and buttons to report its progress."""
    return render(
        request,
        "postal_sandbox/post_office.html",
        {"parcels": SandboxParcel.objects.all()[:50], "moves": MOVES},
    )


@require_POST
def move(request, tracking_number):
    parcel = get_object_or_404(SandboxParcel, tracking_number=tracking_number)
    status = request.POST.get("status", "")
    if status in MOVES:
        parcel.status = status
        parcel.save()
        pk = parcel.pk
        transaction.on_commit(lambda: send_status.delay(pk))
    return redirect("postal_sandbox:post_office")
