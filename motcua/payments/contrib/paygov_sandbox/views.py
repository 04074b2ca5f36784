"""The sandbox platform's pages and API, speaking PayGov's merchant protocol as MotCua
implements it (docs/payments.md).

The payment page lets the demo user choose a bank or wallet and pay, cancel (24), be declined
(51, insufficient funds) or pay with the notification lost: the money is taken and the browser
comes back, but no notification is sent, so MotCua must find out by asking (query).
"""

import json
from datetime import datetime
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.core.dates import compact_time, parse_compact_time
from motcua.payments.contrib.paygov import protocol
from motcua.payments.contrib.paygov_sandbox import platform
from motcua.payments.contrib.paygov_sandbox.models import PayGovRequest, PayGovTransaction
from motcua.payments.contrib.paygov_sandbox.tasks import send_notification

CHOICES = {
    # choice: (outcome, resultCode, send the notification)
    "success": (PayGovTransaction.Outcome.SUCCESS, protocol.SUCCESS, True),
    "cancel": (PayGovTransaction.Outcome.CANCELLED, protocol.CANCELLED, True),
    "decline": (PayGovTransaction.Outcome.DECLINED, protocol.DECLINED, True),
    "lost": (PayGovTransaction.Outcome.SUCCESS, protocol.SUCCESS, False),
}
# Banks and wallets offered on the page: (code, method, name).
METHODS = [
    ("VCB", "BANK", "Vietcombank"),
    ("CTG", "BANK", "VietinBank"),
    ("BIDV", "BANK", "BIDV"),
    ("AGRIBANK", "BANK", "Agribank"),
    ("VNPTMONEY", "WALLET", "VNPT Money"),
    ("VIETTELMONEY", "WALLET", "Viettel Money"),
]
MIN_AMOUNT = 1_000


def _error(request, code, message, status=400):
    return render(
        request, "paygov_sandbox/error.html", {"code": code, "message": message}, status=status
    )


def _well_formed(params: dict) -> bool:
    return (
        params.get("version") == protocol.VERSION
        and params.get("currency") == "VND"
        and (protocol.parse_amount(params.get("amount", "")) or 0) >= MIN_AMOUNT
        and 0 < len(params.get("orderId", "")) <= 40
        and params.get("returnUrl", "").startswith(("http://", "https://"))
        and parse_compact_time(params.get("requestTime")) is not None
        and parse_compact_time(params.get("expireTime")) is not None
    )


@require_GET
def pay(request):
    """The payer arrives with the merchant's signed request."""
    params = dict(request.GET.items())
    if params.get("partnerCode") != platform.partner_code():
        return _error(
            request, protocol.UNKNOWN_MERCHANT, _("Mã đối tác (partnerCode) không tồn tại.")
        )
    if not protocol.is_signed(params, platform.secret()):
        return _error(request, protocol.BAD_SIGNATURE, _("Sai chữ ký của yêu cầu thanh toán."))
    if not _well_formed(params):
        return _error(request, protocol.BAD_FORMAT, _("Dữ liệu gửi sang không đúng định dạng."))
    now = timezone.now()
    requested = parse_compact_time(params["requestTime"])
    if (
        parse_compact_time(params["expireTime"]) < now
        or requested > now + protocol.REQUEST_LIFETIME
    ):
        return _error(request, protocol.EXPIRED, _("Yêu cầu thanh toán đã hết hạn."))
    amount = int(params["amount"])
    key = {"partner_code": params["partnerCode"], "order_id": params["orderId"]}
    try:
        with transaction.atomic():
            txn, created = PayGovTransaction.objects.get_or_create(
                **key,
                defaults={
                    "amount": amount,
                    "order_info": params.get("orderInfo", "")[:255],
                    "dossier_code": params.get("dossierCode", "")[:60],
                    "agency_code": params.get("agencyCode", "")[:40],
                    "request_time": params["requestTime"],
                    "expire_time": params["expireTime"],
                    "return_url": params["returnUrl"][:500],
                    "payer_ip": params.get("payerIp", "")[:45],
                },
            )
    except IntegrityError:
        created, txn = False, PayGovTransaction.objects.get(**key)
    if not created and (txn.outcome != txn.Outcome.PENDING or txn.amount != amount):
        return _error(
            request, protocol.ORDER_REUSED, _("Mã đơn hàng đã được dùng cho một giao dịch khác.")
        )
    return render(
        request,
        "paygov_sandbox/pay.html",
        {"txn": txn, "methods": METHODS, "choices": CHOICES},
    )


@require_POST
def confirm(request, transaction_id):
    choice = request.POST.get("choice", "")
    method = next((m for m in METHODS if m[0] == request.POST.get("bank")), None)
    if choice not in CHOICES or method is None:
        return _error(
            request, protocol.BAD_FORMAT, _("Chọn ngân hàng hoặc ví và kết quả giao dịch.")
        )
    with transaction.atomic():
        txn = get_object_or_404(PayGovTransaction.objects.select_for_update(), pk=transaction_id)
        if txn.outcome != txn.Outcome.PENDING:
            return _error(request, protocol.ALREADY_CONFIRMED, _("Giao dịch đã được xử lý."))
        if parse_compact_time(txn.expire_time) < timezone.now():
            return _error(request, protocol.EXPIRED, _("Yêu cầu thanh toán đã hết hạn."))
        outcome, code, notify = CHOICES[choice]
        txn.outcome, txn.result_code = outcome, code
        txn.bank_code, txn.payment_method = method[0], method[1]
        txn.pay_time = compact_time(timezone.now())
        txn.save()
        if notify:
            txn_id = txn.pk
            transaction.on_commit(lambda: send_notification.delay(txn_id))
    separator = "&" if "?" in txn.return_url else "?"
    query = urlencode(platform.outcome_message(txn))
    return HttpResponseRedirect(f"{txn.return_url}{separator}{query}")


# --- API: query, refund, transactions ---------------------------------------------------


def _transaction(body):
    return PayGovTransaction.objects.filter(
        partner_code=body["partnerCode"], order_id=body.get("orderId", "")
    )


def _row(txn) -> dict:
    return {
        "orderId": txn.order_id,
        "amount": str(txn.amount),
        "status": txn.status,
        "transactionNo": txn.transaction_no,
        "payTime": txn.pay_time,
    }


def _query(body):
    txn = _transaction(body).first()
    if txn is None:
        return platform.api_answer(body, protocol.NOT_FOUND, orderId=body.get("orderId", ""))
    return platform.api_answer(
        body,
        protocol.SUCCESS,
        currency="VND",
        bankCode=txn.bank_code,
        paymentMethod=txn.payment_method,
        **_row(txn),
    )


def _refund(body):
    order = {"orderId": body.get("orderId", "")}
    amount = protocol.parse_amount(body.get("amount", ""))
    if not amount:
        return platform.api_answer(body, protocol.BAD_AMOUNT, **order)
    with transaction.atomic():
        txn = _transaction(body).select_for_update().first()
        if txn is None:
            return platform.api_answer(body, protocol.NOT_FOUND, **order)
        if txn.outcome != txn.Outcome.SUCCESS:
            return platform.api_answer(body, protocol.NOT_PAID, **order)
        if txn.refunded_amount + amount > txn.amount:
            return platform.api_answer(body, protocol.REFUND_TOO_LARGE, **order)
        txn.refunded_amount += amount
        txn.save(update_fields=["refunded_amount"])
    return platform.api_answer(
        body, protocol.SUCCESS, refundAmount=str(amount), transactionNo=txn.transaction_no, **order
    )


def _transactions(body):
    day = body.get("date", "")
    try:
        datetime.strptime(day, "%Y%m%d")
    except ValueError:
        return platform.api_answer(body, protocol.BAD_FORMAT, date=day)
    rows = [
        _row(txn)
        for txn in PayGovTransaction.objects.filter(
            partner_code=body["partnerCode"], request_time__startswith=day
        ).order_by("id")
    ]
    return platform.api_answer(body, protocol.SUCCESS, date=day, transactions=rows)


ENDPOINTS = {"query": _query, "refund": _refund, "transactions": _transactions}


@csrf_exempt
@require_POST
def api(request, endpoint):
    """Checks in this order: format, partner, signature, freshness, request id not used."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if (
        endpoint not in ENDPOINTS
        or not isinstance(body, dict)
        or not all(isinstance(v, str) for v in body.values())
        or not body.get("requestId")
    ):
        return platform.api_answer(body if isinstance(body, dict) else {}, protocol.BAD_FORMAT)
    if body.get("partnerCode") != platform.partner_code():
        return platform.api_answer(body, protocol.UNKNOWN_MERCHANT)
    if not protocol.is_signed(body, platform.secret()):
        return platform.api_answer(body, protocol.BAD_SIGNATURE)
    if not protocol.is_fresh(body.get("requestTime"), timezone.now()):
        return platform.api_answer(body, protocol.EXPIRED)
    try:
        with transaction.atomic():
            PayGovRequest.objects.create(
                partner_code=body["partnerCode"],
                request_id=body["requestId"][:64],
                endpoint=endpoint,
            )
    except IntegrityError:
        return platform.api_answer(body, protocol.REPLAYED_REQUEST)
    return ENDPOINTS[endpoint](body)
