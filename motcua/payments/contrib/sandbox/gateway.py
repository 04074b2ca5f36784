"""What the sandbox gateway signs and sends: the return query, the IPN and API answers."""

import secrets

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

from motcua.payments.contrib.vnpay import protocol


def secret() -> str:
    return settings.SANDBOX_VNPAY_HASH_SECRET


def tmn_code() -> str:
    return settings.SANDBOX_VNPAY_TMN_CODE


def ipn_url() -> str:
    return settings.SANDBOX_VNPAY_IPN_URL or settings.SITE_URL + reverse(
        "payments:ipn", args=["vnpay"]
    )


def callback_query(txn) -> str:
    """The signed query VNPay appends to the return URL and sends as the IPN."""
    params = {
        "vnp_Amount": str(txn.amount),
        "vnp_BankCode": txn.bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": txn.tmn_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_TxnRef": txn.txn_ref,
    }
    if txn.outcome == txn.Outcome.SUCCESS:
        params["vnp_BankTranNo"] = f"VNP{txn.transaction_no}"
    return protocol.sign_query(params, secret())


def api_answer(fields: list[str], **values) -> JsonResponse:
    body = {"vnp_ResponseId": secrets.token_hex(16), "vnp_TmnCode": tmn_code(), **values}
    body = {
        key: str(value) if not isinstance(value, list) else value for key, value in body.items()
    }
    body["vnp_SecureHash"] = protocol.pipe_hash(body, fields, secret())
    return JsonResponse(body)
