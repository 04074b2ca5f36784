"""The VNPay plugin: talks to VNPay (or to MotCua's sandbox of it) over HTTP.

Which VNPay is used is configuration only: VNPAY_PAY_URL, VNPAY_API_URL, VNPAY_TMN_CODE and
VNPAY_HASH_SECRET (docs/payments.md). Empty URLs mean the sandbox under SITE_URL.
"""

import secrets
from datetime import date, timedelta

import requests
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.dates import compact_time, parse_compact_time
from motcua.core.registry import unset_settings
from motcua.core.text import fold
from motcua.payments.contrib.vnpay import protocol
from motcua.payments.registry import (
    BasePlugin,
    GatewayError,
    GatewayResult,
    GatewayTransaction,
    InvalidSignature,
    MalformedMessage,
    RefundResult,
    UnknownTerminal,
    register,
)

SANDBOX_PAY_PATH = "/sandbox/vnpay/paymentv2/vpcpay.html"
SANDBOX_API_PATH = "/sandbox/vnpay/merchant_webapi/api/transaction"
# vnp_TransactionStatus in querydr answers.
TRANSACTION_STATUS = {"00": "paid", "01": "pending", "02": "failed", "04": "failed"}


def ascii_text(text: str, limit: int = 255) -> str:
    """VNPay wants vnp_OrderInfo without Vietnamese accents or special characters."""
    cleaned = "".join(c if c.isalnum() or c in " -.:" else " " for c in fold(text))
    return " ".join(cleaned.split())[:limit]


def _amount(value) -> int | None:
    """vnp_Amount is đồng x 100; anything else (fractions of a đồng, text) is no amount."""
    try:
        raw = int(str(value))
    except (TypeError, ValueError):
        return None
    return raw // 100 if raw >= 0 and raw % 100 == 0 else -1


@register("vnpay")
class VNPayPlugin(BasePlugin):
    label = "VNPay"

    @property
    def pay_url(self) -> str:
        return settings.VNPAY_PAY_URL or f"{settings.SITE_URL}{SANDBOX_PAY_PATH}"

    @property
    def api_url(self) -> str:
        return settings.VNPAY_API_URL or f"{settings.SITE_URL}{SANDBOX_API_PATH}"

    @property
    def tmn_code(self) -> str:
        return settings.VNPAY_TMN_CODE

    @property
    def secret(self) -> str:
        return settings.VNPAY_HASH_SECRET

    def config_problems(self) -> list[str]:
        return unset_settings("VNPAY_TMN_CODE", "VNPAY_HASH_SECRET")

    # --- Redirect ----------------------------------------------------------------------

    def payment_url(self, payment, *, return_url: str, client_ip: str) -> str:
        created = payment.created_at
        params = {
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": payment.amount * 100,
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": ascii_text(
                f"Thanh toan phi le phi ho so {payment.dossier.code or payment.dossier_id}"
            ),
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": compact_time(created),
            "vnp_ExpireDate": compact_time(
                created + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
            ),
        }
        return f"{self.pay_url}?{protocol.sign_query(params, self.secret)}"

    # --- Return and IPN -----------------------------------------------------------------

    def parse_callback(self, params: dict) -> GatewayResult:
        params = {k: v for k, v in params.items() if isinstance(v, str)}
        if not params.get("vnp_SecureHash") or not protocol.query_is_signed(params, self.secret):
            raise InvalidSignature
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise UnknownTerminal
        reference = params.get("vnp_TxnRef", "")
        code = params.get("vnp_ResponseCode", "")
        if not reference or not code or "vnp_Amount" not in params:
            raise MalformedMessage
        if code == "00" and params.get("vnp_TransactionStatus", "00") == "00":
            status = "paid"
        elif code == "24":
            status = "cancelled"
        else:
            status = "failed"
        return GatewayResult(
            reference=reference,
            status=status,
            amount=_amount(params["vnp_Amount"]),
            currency=params.get("vnp_CurrCode", "VND"),
            transaction_no=params.get("vnp_TransactionNo", "")[:40],
            bank_code=params.get("vnp_BankCode", "")[:20],
            paid_at=parse_compact_time(params.get("vnp_PayDate", "")),
            code=code[:10],
            raw=params,
        )

    def callback_response(self, verdict: str) -> JsonResponse:
        code, message = protocol.IPN_ANSWERS.get(verdict, protocol.IPN_ANSWERS["error"])
        return JsonResponse({"RspCode": code, "Message": message})

    # --- JSON API -----------------------------------------------------------------------

    def _base(self, command: str) -> dict:
        return {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": protocol.VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_CreateDate": compact_time(timezone.now()),
            "vnp_IpAddr": settings.PAYMENT_SERVER_IP,
        }

    def _post(self, body: dict, response_fields: list[str]) -> dict:
        try:
            response = requests.post(self.api_url, json=body, timeout=settings.PAYMENT_HTTP_TIMEOUT)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayError(str(exc)) from exc
        if not isinstance(answer, dict):
            raise GatewayError("answer is not a JSON object")
        if not protocol.pipe_is_signed(answer, response_fields, self.secret):
            raise GatewayError("answer signature does not match")
        return answer

    def query(self, payment) -> GatewayResult:
        body = {
            **self._base("querydr"),
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": ascii_text(f"Truy van giao dich {payment.reference}"),
            "vnp_TransactionDate": compact_time(payment.created_at),
        }
        body["vnp_SecureHash"] = protocol.pipe_hash(body, protocol.QUERY_REQUEST, self.secret)
        answer = self._post(body, protocol.QUERY_RESPONSE)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == "91":
            return GatewayResult(payment.reference, "not_found", code=code, raw=answer)
        if code != "00":
            raise GatewayError(f"querydr {code}: {answer.get('vnp_Message', '')}")
        if answer.get("vnp_TxnRef") != payment.reference:
            raise GatewayError("querydr answered about another order")
        status = TRANSACTION_STATUS.get(str(answer.get("vnp_TransactionStatus")), "pending")
        return GatewayResult(
            reference=payment.reference,
            status=status,
            amount=_amount(answer.get("vnp_Amount")),
            transaction_no=str(answer.get("vnp_TransactionNo", ""))[:40],
            bank_code=str(answer.get("vnp_BankCode", ""))[:20],
            paid_at=parse_compact_time(str(answer.get("vnp_PayDate", ""))),
            code=str(answer.get("vnp_TransactionStatus", ""))[:10],
            message=str(answer.get("vnp_Message", ""))[:300],
            raw=answer,
        )

    def refund(self, payment, *, amount: int, reason: str, requested_by: str) -> RefundResult:
        body = {
            **self._base("refund"),
            "vnp_TransactionType": "02" if amount == payment.amount else "03",
            "vnp_TxnRef": payment.reference,
            "vnp_Amount": amount * 100,
            "vnp_OrderInfo": ascii_text(reason or _("Hoàn tiền"), 255),
            "vnp_TransactionNo": payment.gateway_transaction_no,
            "vnp_TransactionDate": compact_time(payment.created_at),
            "vnp_CreateBy": ascii_text(requested_by, 250) or "MotCua",
        }
        body["vnp_SecureHash"] = protocol.pipe_hash(body, protocol.REFUND_REQUEST, self.secret)
        answer = self._post(body, protocol.REFUND_RESPONSE)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundResult(code == "00", code, str(answer.get("vnp_Message", ""))[:300], answer)

    def transactions_on(self, day: date) -> list[GatewayTransaction]:
        body = {**self._base("querylist"), "vnp_Date": day.strftime("%Y%m%d")}
        body["vnp_SecureHash"] = protocol.pipe_hash(body, protocol.LIST_REQUEST, self.secret)
        answer = self._post(body, protocol.LIST_RESPONSE)
        if str(answer.get("vnp_ResponseCode")) != "00":
            raise GatewayError(f"querylist {answer.get('vnp_ResponseCode')}")
        rows = answer.get("vnp_Transactions")
        if not isinstance(rows, list) or protocol.list_digest(rows) != answer.get(
            "vnp_TransactionsHash"
        ):
            raise GatewayError("transaction list does not match its hash")
        return [
            GatewayTransaction(
                reference=str(row.get("vnp_TxnRef", "")),
                amount=_amount(row.get("vnp_Amount")) or 0,
                status=TRANSACTION_STATUS.get(str(row.get("vnp_TransactionStatus")), "pending"),
                transaction_no=str(row.get("vnp_TransactionNo", "")),
            )
            for row in rows
            if isinstance(row, dict)
        ]
