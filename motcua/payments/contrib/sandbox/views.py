"""The sandbox gateway's pages and API, speaking VNPay 2.1.0 (docs/payments.md).

The bank page lets the demo user pay, cancel (24), be declined (51, insufficient funds) or
pay with the notification lost: the money is taken and the browser comes back, but no IPN
is sent, so MotCua must find out by asking (querydr).
"""

import json
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.core.dates import compact_time, parse_compact_time
from motcua.payments.contrib.sandbox import gateway
from motcua.payments.contrib.sandbox.models import SandboxTransaction
from motcua.payments.contrib.sandbox.tasks import send_ipn
from motcua.payments.contrib.vnpay import protocol

CHOICES = {
    # choice: (outcome, vnp_ResponseCode, send the IPN)
    "success": (SandboxTransaction.Outcome.SUCCESS, "00", True),
    "cancel": (SandboxTransaction.Outcome.CANCELLED, "24", True),
    "decline": (SandboxTransaction.Outcome.DECLINED, "51", True),
    "lost": (SandboxTransaction.Outcome.SUCCESS, "00", False),
}


def _error(request, code, message, status=400):
    return render(
        request, "payment_sandbox/error.html", {"code": code, "message": message}, status=status
    )


@require_GET
def pay(request):
    params = dict(request.GET.items())
    if params.get("vnp_TmnCode") != gateway.tmn_code():
        return _error(request, "02", _("Mã website (vnp_TmnCode) không tồn tại."))
    if not protocol.query_is_signed(params, gateway.secret()):
        return _error(request, "97", _("Sai chữ ký (vnp_SecureHash)."))
    amount = params.get("vnp_Amount", "")
    if (
        params.get("vnp_Version") != protocol.VERSION
        or params.get("vnp_Command") != "pay"
        or params.get("vnp_CurrCode") != "VND"
        or not amount.isdigit()
        or int(amount) < 500_000  # VNPay's minimum, 5.000 đồng
        or not params.get("vnp_TxnRef")
        or not params.get("vnp_ReturnUrl", "").startswith(("http://", "https://"))
        or parse_compact_time(params.get("vnp_CreateDate", "")) is None
    ):
        return _error(request, "03", _("Dữ liệu gửi sang không đúng định dạng."))
    expires = parse_compact_time(params.get("vnp_ExpireDate", ""))
    if expires is not None and expires < timezone.now():
        return _error(request, "11", _("Đã hết hạn chờ thanh toán."))
    try:
        with transaction.atomic():
            txn, created = SandboxTransaction.objects.get_or_create(
                tmn_code=params["vnp_TmnCode"],
                txn_ref=params["vnp_TxnRef"][:100],
                defaults={
                    "amount": int(amount),
                    "order_info": params.get("vnp_OrderInfo", "")[:255],
                    "create_date": params["vnp_CreateDate"],
                    "expire_date": params.get("vnp_ExpireDate", "")[:14],
                    "return_url": params["vnp_ReturnUrl"][:500],
                    "ip_address": params.get("vnp_IpAddr", "")[:45],
                },
            )
    except IntegrityError:
        created, txn = (
            False,
            SandboxTransaction.objects.get(
                tmn_code=params["vnp_TmnCode"], txn_ref=params["vnp_TxnRef"][:100]
            ),
        )
    if not created and (txn.outcome != txn.Outcome.PENDING or txn.amount != int(amount)):
        return _error(request, "94", _("Giao dịch đã tồn tại."))
    return render(
        request,
        "payment_sandbox/pay.html",
        {"txn": txn, "amount": txn.amount // 100, "choices": CHOICES},
    )


@require_POST
def confirm(request, transaction_id):
    choice = request.POST.get("choice", "")
    if choice not in CHOICES:
        return _error(request, "03", _("Chọn một cách xử lý giao dịch."))
    with transaction.atomic():
        txn = get_object_or_404(SandboxTransaction.objects.select_for_update(), pk=transaction_id)
        if txn.outcome != txn.Outcome.PENDING:
            return _error(request, "94", _("Giao dịch đã được xử lý."))
        outcome, code, notify = CHOICES[choice]
        txn.outcome, txn.response_code = outcome, code
        txn.bank_code = "NCB"
        txn.pay_date = compact_time(timezone.now())
        txn.save()
        if notify:
            txn_id = txn.pk
            transaction.on_commit(lambda: send_ipn.delay(txn_id))
    separator = "&" if "?" in txn.return_url else "?"
    return HttpResponseRedirect(f"{txn.return_url}{separator}{gateway.callback_query(txn)}")


# --- merchant_webapi/api/transaction ---------------------------------------------------


def _row(txn) -> dict:
    return {
        "vnp_TxnRef": txn.txn_ref,
        "vnp_Amount": str(txn.amount),
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_PayDate": txn.pay_date,
    }


def _querydr(body):
    txn = SandboxTransaction.objects.filter(
        tmn_code=body["vnp_TmnCode"],
        txn_ref=body.get("vnp_TxnRef", ""),
        create_date=body.get("vnp_TransactionDate", ""),
    ).first()
    if txn is None:
        return gateway.api_answer(
            protocol.QUERY_RESPONSE,
            vnp_Command="querydr",
            vnp_ResponseCode="91",
            vnp_Message="Transaction not found",
            vnp_TxnRef=body.get("vnp_TxnRef", ""),
        )
    return gateway.api_answer(
        protocol.QUERY_RESPONSE,
        vnp_Command="querydr",
        vnp_ResponseCode="00",
        vnp_Message="QueryDR Success",
        vnp_TxnRef=txn.txn_ref,
        vnp_Amount=txn.amount,
        vnp_OrderInfo=txn.order_info,
        vnp_BankCode=txn.bank_code,
        vnp_PayDate=txn.pay_date,
        vnp_TransactionNo=txn.transaction_no,
        vnp_TransactionType="01",
        vnp_TransactionStatus=txn.transaction_status,
        vnp_PromotionCode="",
        vnp_PromotionAmount="0",
    )


def _refund(body):
    fields = protocol.REFUND_RESPONSE

    def answer(code, message, txn=None, **extra):
        return gateway.api_answer(
            fields,
            vnp_Command="refund",
            vnp_ResponseCode=code,
            vnp_Message=message,
            vnp_TxnRef=body.get("vnp_TxnRef", ""),
            vnp_Amount=body.get("vnp_Amount", ""),
            vnp_OrderInfo=body.get("vnp_OrderInfo", ""),
            vnp_BankCode=txn.bank_code if txn else "",
            vnp_PayDate=txn.pay_date if txn else "",
            vnp_TransactionNo=txn.transaction_no if txn else "",
            vnp_TransactionType=body.get("vnp_TransactionType", ""),
            vnp_TransactionStatus=extra.get("status", ""),
        )

    try:
        amount = int(str(body.get("vnp_Amount", "")))
    except ValueError:
        return answer("03", "Invalid data format")
    with transaction.atomic():
        txn = (
            SandboxTransaction.objects.select_for_update()
            .filter(
                tmn_code=body["vnp_TmnCode"],
                txn_ref=body.get("vnp_TxnRef", ""),
                create_date=body.get("vnp_TransactionDate", ""),
            )
            .first()
        )
        if txn is None:
            return answer("91", "Transaction not found")
        if txn.outcome != txn.Outcome.SUCCESS:
            return answer("95", "Transaction was not successful", txn)
        if txn.refunded_amount + amount > txn.amount or amount <= 0:
            return answer("94", "Refund already requested or amount too large", txn)
        txn.refunded_amount += amount
        txn.save(update_fields=["refunded_amount"])
    return answer("00", "Refund success", txn, status="05")


def _querylist(body):
    day = body.get("vnp_Date", "")
    try:
        datetime.strptime(day, "%Y%m%d")
    except ValueError:
        return gateway.api_answer(
            protocol.LIST_RESPONSE,
            vnp_Command="querylist",
            vnp_ResponseCode="03",
            vnp_Message="Invalid data format",
            vnp_Date=day,
            vnp_TransactionsHash="",
        )
    rows = [
        _row(txn)
        for txn in SandboxTransaction.objects.filter(
            tmn_code=body["vnp_TmnCode"], create_date__startswith=day
        ).order_by("id")
    ]
    return gateway.api_answer(
        protocol.LIST_RESPONSE,
        vnp_Command="querylist",
        vnp_ResponseCode="00",
        vnp_Message="Success",
        vnp_Date=day,
        vnp_TransactionsHash=protocol.list_digest(rows),
        vnp_Transactions=rows,
    )


COMMANDS = {
    "querydr": (protocol.QUERY_REQUEST, protocol.QUERY_RESPONSE, _querydr),
    "refund": (protocol.REFUND_REQUEST, protocol.REFUND_RESPONSE, _refund),
    "querylist": (protocol.LIST_REQUEST, protocol.LIST_RESPONSE, _querylist),
}


@csrf_exempt
@require_POST
def api(request):
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or body.get("vnp_Command") not in COMMANDS:
        return gateway.api_answer(
            protocol.QUERY_RESPONSE, vnp_ResponseCode="03", vnp_Message="Invalid data format"
        )
    body = {k: v if isinstance(v, str) else str(v) for k, v in body.items()}
    request_fields, response_fields, handler = COMMANDS[body["vnp_Command"]]
    common = {"vnp_Command": body["vnp_Command"], "vnp_TxnRef": body.get("vnp_TxnRef", "")}
    if body.get("vnp_TmnCode") != gateway.tmn_code():
        return gateway.api_answer(
            response_fields, vnp_ResponseCode="02", vnp_Message="Invalid merchant", **common
        )
    if not protocol.pipe_is_signed(body, request_fields, gateway.secret()):
        return gateway.api_answer(
            response_fields, vnp_ResponseCode="97", vnp_Message="Invalid checksum", **common
        )
    return handler(body)
