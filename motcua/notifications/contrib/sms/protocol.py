"""The brandname SMS API both sides speak: MotCua's channel (plugin.py) and the sandbox
gateway (contrib/sms_sandbox). Shaped on the Vietnamese brandname APIs (eSMS, VNPT,
Viettel): a JSON POST with the brandname, the phone as 84xxxxxxxxx, the content without
diacritics and a client request id (the idempotency key); an answer with a result code
("100" success) and the provider's message id; later a signed delivery report.

Requests and reports are signed alike: headers X-Timestamp (Unix seconds) and X-Signature,
the hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret (docs/notifications-sms.md).
"""

import hashlib
import hmac
import re
import time

from django.http.request import RawPostDataException

from motcua.core.text import strip_diacritics

SUCCESS = "100"
# Result codes of the API: (meaning, permanent). Permanent: sending again cannot help, so the
# notification falls back to another channel at once; the others are retried.
CODES = {
    "99": ("Hệ thống nhà cung cấp đang bận", False),
    "101": ("Sai khóa API hoặc chữ ký", True),
    "103": ("Tài khoản hết số dư", False),
    "104": ("Brandname chưa được đăng ký", True),
    "105": ("Số điện thoại không hợp lệ", True),
    "106": ("Nội dung bị từ chối (dấu, độ dài hoặc từ cấm)", True),
    "107": ("Gửi quá nhanh, vượt hạn mức", False),
    "108": ("Yêu cầu không đúng định dạng", True),
}
# Delivery report statuses.
DELIVERED = "DELIVERED"
FAILED = "FAILED"
# A signed call older (or newer) than this is refused: a replayed capture is worthless.
MAX_CLOCK_SKEW_SECONDS = 300

GSM_SINGLE = 160  # characters of one GSM-7 segment
GSM_JOINED = 153  # each segment of a concatenated message (the rest is its header)
# GSM-7 extension characters: each takes two places.
_GSM_DOUBLE = set("^{}\\[]~|")
_PUNCTUATION = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "₫": "d",
        "\u00a0": " ",
        "\t": " ",
    }
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese mobile numbers since 2018: 0 and nine digits, the network prefix 3, 5, 7, 8 or 9.
_MOBILE = re.compile(r"84([35789]\d{8})")


def sign(body: bytes, timestamp: str, secret: str) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {"X-Timestamp": timestamp, "X-Signature": sign(body, timestamp, secret)}


def verify(body: bytes, headers, secret: str, now: float | None = None) -> str:
    """ "" when `body` carries a valid, fresh signature with `secret`, else the reason."""
    timestamp = headers.get("X-Timestamp", "")
    given = headers.get("X-Signature", "")
    if not secret or not timestamp or not given:
        return "unsigned"
    if not timestamp.isdigit():
        return "timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "timestamp"
    if not hmac.compare_digest(given, sign(body, timestamp, secret)):
        return "signature"
    return ""


def request_body(request) -> bytes:
    """The raw body of a call, or b"" for a form post the middleware already read (no call
    of this API is one)."""
    try:
        return request.body
    except RawPostDataException:
        return b""


def normalise_phone(raw: str) -> str | None:
    """A Vietnamese mobile number as 84xxxxxxxxx (0912 345 678, +84912345678, 84912345678,
    0084912345678), or None when it is not one."""
    number = _PHONE_SEPARATORS.sub("", raw or "")
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("00"):
        number = number[2:]
    elif number.startswith("0"):
        number = "84" + number[1:]
    return number if _MOBILE.fullmatch(number) else None


def gsm_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ch in _GSM_DOUBLE)


def segments(text: str) -> int:
    length = gsm_length(text)
    return 1 if length <= GSM_SINGLE else -(-length // GSM_JOINED)


def is_gsm(text: str) -> bool:
    """Printable ASCII and line breaks only: what every network carries as GSM-7."""
    return all(ch == "\n" or " " <= ch <= "~" for ch in text)


def to_gsm(text: str) -> str:
    """Vietnamese text as the SMS carries it: no diacritics (đ -> d), ASCII punctuation,
    any other character dropped, runs of spaces collapsed."""
    text = strip_diacritics(text).translate(_PUNCTUATION)
    text = "".join(ch for ch in text if ch == "\n" or " " <= ch <= "~")
    return re.sub(r"[ ]{2,}", " ", text).strip()


def fit(text: str, link: str = "", *, max_segments: int) -> str:
    """`text` in GSM characters within `max_segments`, ending with `link` (kept whole): the
    text is cut at a word and marked "..." when it does not fit."""
    limit = GSM_SINGLE if max_segments == 1 else GSM_JOINED * max_segments
    body = to_gsm(text)
    link = to_gsm(link)
    if link and link in body:
        body = body.replace(link, "").strip()
    tail = f" {link}" if link else ""
    if gsm_length(body + tail) <= limit:
        return (body + tail).strip()
    room = limit - gsm_length(tail) - 3
    cut = body[: max(room, 0)]
    while gsm_length(cut) > room:  # extension characters count twice
        cut = cut[:-1]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return (cut.rstrip(" ,.;:-") + "..." + tail).strip()
