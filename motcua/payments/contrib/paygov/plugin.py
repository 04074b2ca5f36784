"""The PayGov plugin: the national payment platform (or MotCua's sandbox of it) over HTTP.

Which PayGov is used is configuration only: PAYGOV_PAY_URL, PAYGOV_API_URL,
PAYGOV_PARTNER_CODE and PAYGOV_SECRET_KEY (docs/payments.md). Empty URLs mean the sandbox
under SITE_URL.
"""

import json
import secrets
from datetime import date, timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.dates import compact_time, parse_compact_time
from motcua.core.registry import unset_settings
from motcua.payments.contrib.paygov import protocol
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

SANDBOX_PAY_PATH = "/sandbox/paygov/pay/"
SANDBOX_API_PATH = "/sandbox/paygov/api/v1/"
CALLBACK_FIELDS = ("orderId", "amount", "resultCode")


def _result_status(code: str) -> str:
    if code == protocol.SUCCESS:
        return "paid"
    return "cancelled" if code == protocol.CANCELLED else "failed"


def _amount(value) -> int | None:
    parsed = protocol.parse_amount(value)
    return -1 if parsed is None else parsed  # an amount that does not parse never matches


@register("paygov")
class PayGovPlugin(BasePlugin):
    label = "PayGov"
    long_label = gettext_lazy("Nền tảng thanh toán trực tuyến quốc gia (PayGov)")
    notification_methods = ("POST",)

    @property
    def pay_url(self) -> str:
        return settings.PAYGOV_PAY_URL or f"{settings.SITE_URL}{SANDBOX_PAY_PATH}"

    @property
    def api_url(self) -> str:
        url = settings.PAYGOV_API_URL or f"{settings.SITE_URL}{SANDBOX_API_PATH}"
        return url if url.endswith("/") else f"{url}/"

    @property
    def partner_code(self) -> str:
        return settings.PAYGOV_PARTNER_CODE

    @property
    def secret(self) -> str:
        return settings.PAYGOV_SECRET_KEY

    def config_problems(self) -> list[str]:
        return unset_settings("PAYGOV_PARTNER_CODE", "PAYGOV_SECRET_KEY")

    # --- Redirect ----------------------------------------------------------------------

    def payment_url(self, payment, *, return_url: str, client_ip: str) -> str:
        created = payment.created_at
        dossier = payment.dossier
        code = dossier.code or str(dossier.pk)
        message = {
            "version": protocol.VERSION,
            "partnerCode": self.partner_code,
            "orderId": payment.reference,
            "amount": str(payment.amount),
            "currency": "VND",
            "orderInfo": f"Nộp phí, lệ phí hồ sơ {code}"[:255],
            "dossierCode": code[:60],
            # The agency the money is for: its identifier (mã định danh), PayGov's beneficiary.
            "agencyCode": dossier.receiving_agency.identifier
            if dossier.receiving_agency_id
            else "",
            "returnUrl": return_url,
            "payerIp": client_ip or "127.0.0.1",
            "requestTime": compact_time(created),
            "expireTime": compact_time(
                created + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
            ),
            "locale": "vi",
        }
        return f"{self.pay_url}?{urlencode(protocol.sign(message, self.secret))}"

    # --- Return and notification --------------------------------------------------------

    def notification_params(self, request) -> dict:
        """A JSON object of strings in the POST body; anything else reads as nothing."""
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return {}
        return body if isinstance(body, dict) else {}

    def parse_callback(self, params: dict) -> GatewayResult:
        params = {k: v for k, v in params.items() if isinstance(v, str)}
        if not protocol.is_signed(params, self.secret):
            raise InvalidSignature
        if params.get("partnerCode") != self.partner_code:
            raise UnknownTerminal
        if not all(params.get(name) for name in CALLBACK_FIELDS):
            raise MalformedMessage
        code = params["resultCode"]
        return GatewayResult(
            reference=params["orderId"],
            status=_result_status(code),
            amount=_amount(params["amount"]),
            currency=params.get("currency", "VND"),
            transaction_no=params.get("transactionNo", "")[:40],
            bank_code=params.get("bankCode", "")[:20],
            paid_at=parse_compact_time(params.get("payTime", "")),
            code=code[:10],
            message=params.get("message", "")[:300],
            raw=params,
        )

    def callback_response(self, verdict: str) -> JsonResponse:
        code, message = protocol.ACK.get(verdict, protocol.ACK["error"])
        answer = {
            "partnerCode": self.partner_code,
            "resultCode": code,
            "message": message,
            "responseTime": compact_time(timezone.now()),
        }
        return JsonResponse(protocol.sign(answer, self.secret))

    # --- JSON API -----------------------------------------------------------------------

    def _post(self, endpoint: str, fields: dict) -> dict:
        request_id = secrets.token_hex(16)
        body = protocol.sign(
            protocol.strings(
                {
                    "partnerCode": self.partner_code,
                    "requestId": request_id,
                    "requestTime": compact_time(timezone.now()),
                    **fields,
                }
            ),
            self.secret,
        )
        try:
            response = requests.post(
                f"{self.api_url}{endpoint}", json=body, timeout=settings.PAYMENT_HTTP_TIMEOUT
            )
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayError(str(exc)) from exc
        if not isinstance(answer, dict):
            raise GatewayError("answer is not a JSON object")
        try:
            signed = protocol.is_signed(answer, self.secret)
        except (TypeError, ValueError):  # whatever the answer holds, never a 500
            signed = False
        if not signed:
            raise GatewayError("answer signature does not match")
        # Bound to this request and fresh: an old answer replayed is not believed.
        if answer.get("requestId") != request_id or answer.get("partnerCode") != self.partner_code:
            raise GatewayError("answer is not about this request")
        if not protocol.is_fresh(answer.get("responseTime"), timezone.now()):
            raise GatewayError("answer is too old or from the future")
        return answer

    def query(self, payment) -> GatewayResult:
        answer = self._post(
            "query",
            {
                "orderId": payment.reference,
                "transactionDate": compact_time(payment.created_at)[:8],
            },
        )
        code = str(answer.get("resultCode", ""))
        if code == protocol.NOT_FOUND:
            return GatewayResult(payment.reference, "not_found", code=code, raw=answer)
        if code != protocol.SUCCESS:
            raise GatewayError(f"query {code}: {answer.get('message', '')}")
        if answer.get("orderId") != payment.reference:
            raise GatewayError("query answered about another order")
        status = protocol.STATUS_MEANING.get(str(answer.get("status")), "pending")
        return GatewayResult(
            reference=payment.reference,
            status=status,
            amount=_amount(answer.get("amount")),
            currency=str(answer.get("currency", "VND")),
            transaction_no=str(answer.get("transactionNo", ""))[:40],
            bank_code=str(answer.get("bankCode", ""))[:20],
            paid_at=parse_compact_time(answer.get("payTime", "")),
            code=str(answer.get("status", ""))[:10],
            message=str(answer.get("message", ""))[:300],
            raw=answer,
        )

    def refund(self, payment, *, amount: int, reason: str, requested_by: str) -> RefundResult:
        answer = self._post(
            "refund",
            {
                "orderId": payment.reference,
                "transactionNo": payment.gateway_transaction_no,
                "amount": str(amount),
                "reason": (reason or _("Hoàn tiền"))[:255],
                "requestedBy": (requested_by or "MotCua")[:100],
            },
        )
        code = str(answer.get("resultCode", ""))
        return RefundResult(
            code == protocol.SUCCESS, code, str(answer.get("message", ""))[:300], answer
        )

    def transactions_on(self, day: date) -> list[GatewayTransaction]:
        answer = self._post("transactions", {"date": day.strftime("%Y%m%d")})
        if str(answer.get("resultCode")) != protocol.SUCCESS:
            raise GatewayError(f"transactions {answer.get('resultCode')}")
        rows = answer.get("transactions")
        if not isinstance(rows, list) or answer.get("date") != day.strftime("%Y%m%d"):
            raise GatewayError("transaction list is not about that day")
        return [
            GatewayTransaction(
                reference=str(row.get("orderId", "")),
                amount=_amount(row.get("amount")) or 0,
                status=protocol.STATUS_MEANING.get(str(row.get("status")), "pending"),
                transaction_no=str(row.get("transactionNo", "")),
            )
            for row in rows
            if isinstance(row, dict)
        ]
