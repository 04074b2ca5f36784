"""The national payment platform's merchant protocol (PayGov, Nền tảng thanh toán trực tuyến
quốc gia), as MotCua speaks it: shared by the plugin (merchant side) and the sandbox
(platform side) so that both sign exactly alike. docs/payments.md describes every message;
the field names and codes are to be checked against PayGov's integration guide.

- Every message is a flat object of strings (the daily list adds one list of objects of
  strings). Its `signature` is HMAC-SHA256, hex, with the merchant's secret key, over the
  message's canonical JSON without `signature`: keys sorted, no spaces, UTF-8. Nothing is
  joined with separators, so no value can be made to look like another field.
- Redirect (GET, query string), return (GET, query string), notification (POST, JSON body),
  and the API (POST, JSON body; the answer is signed too).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

from motcua.core.dates import parse_compact_time

VERSION = "1.0"
SIGNATURE = "signature"

# How far a signed API request or answer's time may be from ours (replays, clocks).
REQUEST_LIFETIME = timedelta(minutes=5)

# resultCode values, in the platform's answers and on its pages.
SUCCESS = "00"
NOT_FOUND = "01"
ALREADY_CONFIRMED = "02"
BAD_FORMAT = "03"
BAD_AMOUNT = "04"
UNKNOWN_MERCHANT = "05"
ORDER_REUSED = "06"  # the same orderId again with another amount or after it was paid
EXPIRED = "07"  # expireTime passed, or requestTime too far from the platform's clock
REPLAYED_REQUEST = "08"  # an API requestId already used
NOT_PAID = "09"  # refund of an order that was not paid
REFUND_TOO_LARGE = "10"
CANCELLED = "24"  # the payer cancelled at the platform
DECLINED = "51"  # the bank or wallet declined (insufficient funds)
BAD_SIGNATURE = "97"
OTHER = "99"

# Transaction status in the query answer and the daily list.
STATUS_PAID, STATUS_PENDING, STATUS_FAILED, STATUS_CANCELLED = (
    "PAID",
    "PENDING",
    "FAILED",
    "CANCELLED",
)
STATUS_MEANING = {
    STATUS_PAID: "paid",
    STATUS_PENDING: "pending",
    STATUS_FAILED: "failed",
    STATUS_CANCELLED: "cancelled",
}

# The merchant's acknowledgement of a notification: {"resultCode", "message"}, signed.
ACK = {
    "ok": (SUCCESS, "Da ghi nhan"),
    "duplicate": (ALREADY_CONFIRMED, "Giao dich da duoc xac nhan truoc do"),
    "not_found": (NOT_FOUND, "Khong tim thay don hang"),
    "bad_amount": (BAD_AMOUNT, "So tien khong khop"),
    "bad_signature": (BAD_SIGNATURE, "Sai chu ky"),
    "error": (OTHER, "Loi khac"),
}
# Acknowledgements after which the platform stops resending the notification.
ACK_FINAL = (SUCCESS, ALREADY_CONFIRMED)

# The redirect's fields (all required but orderInfo's length and locale).
PAY_FIELDS = (
    "version",
    "partnerCode",
    "orderId",
    "amount",
    "currency",
    "orderInfo",
    "dossierCode",
    "returnUrl",
    "requestTime",
    "expireTime",
    "locale",
)


def canonical(message: dict) -> str:
    body = {k: v for k, v in message.items() if k != SIGNATURE}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def signature_of(message: dict, secret: str) -> str:
    return hmac.new(secret.encode(), canonical(message).encode(), hashlib.sha256).hexdigest()


def sign(message: dict, secret: str) -> dict:
    """The message with its signature added."""
    return {**message, SIGNATURE: signature_of(message, secret)}


def is_signed(message: dict, secret: str) -> bool:
    given = message.get(SIGNATURE)
    if not isinstance(given, str) or not secret:
        return False
    # Bytes: compare_digest raises TypeError for a str that is not ASCII.
    return hmac.compare_digest(given.lower().encode(), signature_of(message, secret).encode())


def is_fresh(value, now: datetime) -> bool:
    """A requestTime/responseTime within REQUEST_LIFETIME of `now`, either way."""
    moment = parse_compact_time(value)
    return moment is not None and abs(now - moment) <= REQUEST_LIFETIME


def parse_amount(value) -> int | None:
    """Amounts are whole đồng written as digits; anything else is no amount."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) <= 15 else None


def strings(message: dict) -> dict:
    """Every scalar value as a string (what is signed and sent)."""
    return {k: v if isinstance(v, list | str) else str(v) for k, v in message.items()}
