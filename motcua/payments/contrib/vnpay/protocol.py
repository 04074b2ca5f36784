"""VNPay 2.1.0 message signing, shared by the plugin (merchant side) and the sandbox (gateway
side) so that both sign exactly as VNPay's published merchant samples do.

- Redirect, return and IPN: the `vnp_*` parameters except `vnp_SecureHash(Type)`, sorted by
  name, joined as `key=quote_plus(value)` with `&`; HMAC-SHA512 with the terminal's hash
  secret, hex.
- The JSON API (querydr, refund): the listed fields' values joined with `|`, same HMAC.
"""

import hashlib
import hmac
import json
from urllib.parse import quote_plus

VERSION = "2.1.0"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

QUERY_REQUEST = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
QUERY_RESPONSE = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
]
REFUND_REQUEST = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
REFUND_RESPONSE = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
]
# MotCua's stand-in for the merchant portal's daily reconciliation file (docs/payments.md).
LIST_REQUEST = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Date",
    "vnp_CreateDate",
    "vnp_IpAddr",
]
LIST_RESPONSE = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_Date",
    "vnp_TransactionsHash",
]

# IPN answers (the merchant's reply to VNPay).
IPN_ANSWERS = {
    "ok": ("00", "Confirm Success"),
    "not_found": ("01", "Order not found"),
    "duplicate": ("02", "Order already confirmed"),
    "bad_amount": ("04", "invalid amount"),
    "bad_signature": ("97", "Invalid Signature"),
    "error": ("99", "Unknow error"),
}


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(params: dict) -> str:
    fields = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in HASH_FIELDS
    )
    return "&".join(f"{k}={quote_plus(str(v))}" for k, v in fields)


def sign_query(params: dict, secret: str) -> str:
    """The signed query string: the sorted, encoded parameters and vnp_SecureHash."""
    data = hash_data(params)
    return f"{data}&vnp_SecureHash={hmac_sha512(secret, data)}"


def query_is_signed(params: dict, secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", ""))
    expected = hmac_sha512(secret, hash_data(params))
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def pipe_hash(values: dict, fields: list[str], secret: str) -> str:
    return hmac_sha512(secret, "|".join(str(values.get(name, "")) for name in fields))


def pipe_is_signed(values: dict, fields: list[str], secret: str) -> bool:
    given = str(values.get("vnp_SecureHash", ""))
    return hmac.compare_digest(given.lower().encode(), pipe_hash(values, fields, secret).encode())


def list_digest(rows: list) -> str:
    """SHA-256 of the transaction list as canonical JSON (signed through vnp_TransactionsHash)."""
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
