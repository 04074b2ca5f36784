"""What the sandbox platform signs and sends: the return, the notification, API answers."""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone

from motcua.core.dates import compact_time
from motcua.payments.contrib.paygov import protocol


def now():
    """The platform's clock (a test may set it wrong)."""
    return timezone.now()


def secret() -> str:
    return settings.SANDBOX_PAYGOV_SECRET_KEY


def partner_code() -> str:
    return settings.SANDBOX_PAYGOV_PARTNER_CODE


def notify_url() -> str:
    return settings.SANDBOX_PAYGOV_NOTIFY_URL or settings.SITE_URL + reverse(
        "payments:ipn", args=["paygov"]
    )


def outcome_message(txn) -> dict:
    """The signed result of a transaction: on the return URL and in the notification."""
    return protocol.sign(
        protocol.strings(
            {
                "partnerCode": txn.partner_code,
                "orderId": txn.order_id,
                "amount": txn.amount,
                "currency": "VND",
                "resultCode": txn.result_code,
                "message": MESSAGES.get(txn.result_code, ""),
                "transactionNo": txn.transaction_no,
                "bankCode": txn.bank_code,
                "paymentMethod": txn.payment_method,
                "payTime": txn.pay_time,
            }
        ),
        secret(),
    )


def api_answer(request_body: dict, code: str, **values) -> JsonResponse:
    answer = {
        "partnerCode": str(request_body.get("partnerCode", ""))[:40],
        "requestId": str(request_body.get("requestId", ""))[:64],
        "responseTime": compact_time(now()),
        "resultCode": code,
        "message": MESSAGES.get(code, ""),
        **values,
    }
    return JsonResponse(protocol.sign(protocol.strings(answer), secret()))


MESSAGES = {
    protocol.SUCCESS: "Thanh cong",
    protocol.NOT_FOUND: "Khong tim thay giao dich",
    protocol.ALREADY_CONFIRMED: "Giao dich da duoc xac nhan",
    protocol.BAD_FORMAT: "Du lieu khong dung dinh dang",
    protocol.BAD_AMOUNT: "So tien khong hop le",
    protocol.UNKNOWN_MERCHANT: "Ma doi tac khong ton tai",
    protocol.ORDER_REUSED: "Ma don hang da duoc su dung",
    protocol.EXPIRED: "Yeu cau da het han",
    protocol.REPLAYED_REQUEST: "Ma yeu cau da duoc su dung",
    protocol.NOT_PAID: "Giao dich chua thanh toan thanh cong",
    protocol.REFUND_TOO_LARGE: "So tien hoan vuot qua so tien da thanh toan",
    protocol.CANCELLED: "Nguoi nop huy giao dich",
    protocol.DECLINED: "Tai khoan khong du so du",
    protocol.BAD_SIGNATURE: "Sai chu ky",
    protocol.OTHER: "Loi khac",
}
