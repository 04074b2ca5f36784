"""The national portal's status API as MotCua speaks it, shared by the plugin (our side) and
the sandbox (the portal's side) so that both sign and read exactly the same way.

- Access: OAuth2 client credentials. POST {base}/oauth/token with HTTP Basic (client id,
  secret) and grant_type=client_credentials; the answer's access_token is sent as
  `Authorization: Bearer ...` until `expires_in` seconds have passed.
- A status message: POST {base}/api/v1/hoso/trangthai, a JSON object (STATUS_FIELDS), with
  the headers X-DVCQG-Message-Id (our id of the message: the portal answers a repeat of it
  with its first answer), X-DVCQG-Timestamp (Unix seconds) and X-DVCQG-Signature
  ("sha256=" + hex HMAC-SHA256 of "{message id}.{timestamp}.{body}" with the signing key).
- Times are local (Asia/Ho_Chi_Minh) as yyyyMMddHHmmss.
- Answers are JSON with `error_code` ("0" accepted) and `message`; an accepted one carries
  the portal's `reference` for the message.

Field names, paths and codes follow the portal's published data shapes as far as they are
known; docs/national-portal.md marks what must be checked against its integration guide.
"""

import hashlib
import hmac
from datetime import datetime

from motcua.core.dates import compact_time

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a name, not a secret
STATUS_PATH = "/api/v1/hoso/trangthai"
MESSAGE_ID = "X-DVCQG-Message-Id"
TIMESTAMP = "X-DVCQG-Timestamp"
SIGNATURE = "X-DVCQG-Signature"
# A signature older (or newer) than this is refused as a replay of a captured message.
TOLERANCE_SECONDS = 5 * 60

# The national dossier statuses (TrangThaiHoSo), as MotCua's dossiers.Status 1..10.
NATIONAL_CODES = frozenset(range(1, 11))
# Submission channels (KenhNop): 1 at the desk, 2 online, 3 by post.
CHANNELS = {"counter": 1, "online": 2, "post": 3}

REQUIRED_FIELDS = ("MaHoSo", "MaTTHC", "MaCoQuan", "TrangThaiHoSo", "ThoiGianCapNhat", "KenhNop")
TIME_FIELDS = ("ThoiGianCapNhat", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTraKetQua")
STATUS_FIELDS = (
    *REQUIRED_FIELDS,
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayTraKetQua",
    "NguoiTiepNhan",
    "NguoiXuLy",
    "DonViXuLy",
    "TenTTHC",
    "TenCoQuan",
)

# Error codes of the answers (error_code).
OK = "0"
TOKEN_MISSING = "TOKEN_MISSING"  # noqa: S105 - a name, not a secret
TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - a name, not a secret
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105 - a name, not a secret
CLIENT_UNKNOWN = "CLIENT_UNKNOWN"
SIGNATURE_INVALID = "SIGNATURE_INVALID"
SIGNATURE_EXPIRED = "SIGNATURE_EXPIRED"
MESSAGE_ID_MISSING = "MESSAGE_ID_MISSING"
INVALID_JSON = "INVALID_JSON"
FIELD_MISSING = "FIELD_MISSING"
INVALID_STATUS = "INVALID_STATUS"
INVALID_TIME = "INVALID_TIME"
INVALID_CHANNEL = "INVALID_CHANNEL"
MAINTENANCE = "MAINTENANCE"
# Codes after which a new token may help (the plugin fetches one and tries once more).
TOKEN_CODES = frozenset({TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED})


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, message_id: str, body: bytes, *, timestamp: int) -> dict:
    return {
        MESSAGE_ID: message_id,
        TIMESTAMP: str(timestamp),
        SIGNATURE: signature(secret, message_id, timestamp, body),
    }


def check_signature(secret: str, headers, body: bytes, *, now: float) -> str:
    """OK, or the error code for a message whose signature is missing, forged or stale."""
    try:
        message_id = headers[MESSAGE_ID]
        timestamp = int(headers[TIMESTAMP])
        given = headers[SIGNATURE]
    except (KeyError, ValueError, TypeError):
        return SIGNATURE_INVALID
    # Bytes: compare_digest raises TypeError for a str that is not ASCII.
    if not isinstance(given, str) or not hmac.compare_digest(
        signature(secret, message_id, timestamp, body).encode(), given.encode()
    ):
        return SIGNATURE_INVALID
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return SIGNATURE_EXPIRED
    return OK


def local_time(value: datetime | None) -> str:
    """yyyyMMddHHmmss in Vietnam's time, or "" for a time not reached yet."""
    return compact_time(value) if value else ""
