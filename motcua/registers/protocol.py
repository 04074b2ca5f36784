"""The data-sharing platform's protocol (NDXP/LGSP style), shared by the connectors (client
side) and the sandbox (register side). Written down in docs/registers.md.

1. Token: POST {REGISTERS_TOKEN_URL} with HTTP Basic client_id:client_secret and the form
   `grant_type=client_credentials&scope=<register>` answers
   {"access_token", "token_type": "Bearer", "expires_in": seconds}. The token is kept until
   shortly before it expires and fetched again on a 401.
2. Query: POST {register URL} with `Authorization: Bearer <token>`, `X-Request-ID` (ours,
   unique) and a JSON body {"requestId", the register's key field, "purpose": {"code",
   "description"}}. The key travels in the body, never in the URL (URLs are logged).
3. Answer: 200 {"requestId", "transactionId", "data": {...}}; an error is
   {"requestId", "transactionId", "error": {"code", "message"}} with the HTTP status below.
"""

from __future__ import annotations

import hashlib
import time
import uuid

import requests
from django.conf import settings

from motcua.core import tokens
from motcua.registers.registry import NotFound, Refused, RegisterError, Unavailable

SANDBOX_TOKEN_PATH = "/sandbox/registers/oauth2/token"  # noqa: S105 - a name, not a secret

# Error codes (error.code) and their HTTP status.
NOT_FOUND = "NOT_FOUND"  # 404
INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - a name, not a secret  # 401: forged, for another client, or expired
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105 - a name, not a secret  # 401
INVALID_CLIENT = "INVALID_CLIENT"  # 401 at the token endpoint
PURPOSE_REQUIRED = "PURPOSE_REQUIRED"  # 400: personal data without a purpose
INVALID_REQUEST = "INVALID_REQUEST"  # 400: a key of the wrong form, a body that is not JSON
FORBIDDEN = "FORBIDDEN"  # 403: the client may not query this register
RATE_LIMITED = "RATE_LIMITED"  # 429
UNAVAILABLE = "UNAVAILABLE"  # 503

# Our own codes, for what went wrong before the register could say anything.
TIMEOUT = "TIMEOUT"
CONNECTION = "CONNECTION"
BAD_ANSWER = "BAD_ANSWER"
BAD_TOKEN_ANSWER = "BAD_TOKEN_ANSWER"  # noqa: S105 - a name, not a secret


def token_url() -> str:
    return settings.REGISTERS_TOKEN_URL or f"{settings.SITE_URL}{SANDBOX_TOKEN_PATH}"


def _cache_key(scope: str) -> str:
    digest = hashlib.sha256(f"{token_url()}|{settings.REGISTERS_CLIENT_ID}".encode()).hexdigest()
    return f"registers:token:{scope}:{digest[:32]}"


def forget_token(scope: str) -> None:
    tokens.forget_token(_cache_key(scope))


def _json(response: requests.Response, error: type[RegisterError], label: str) -> dict:
    try:
        answer = response.json()
    except ValueError:
        raise error(BAD_ANSWER, label=label, detail="answer is not JSON") from None
    if not isinstance(answer, dict):
        raise error(BAD_ANSWER, label=label, detail="answer is not a JSON object")
    return answer


def fetch_token(scope: str, *, label: str, deadline: float, fresh: bool = True) -> str:
    """An access token for `scope` (the register's id): a new one, kept in the cache, or
    (`fresh=False`) the one kept."""
    return tokens.cached_token(
        _cache_key(scope), lambda: _new_token(scope, label, deadline), fresh=fresh
    )


def _new_token(scope: str, label: str, deadline: float) -> tuple[str, int]:
    try:
        response = requests.post(
            token_url(),
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(settings.REGISTERS_CLIENT_ID, settings.REGISTERS_CLIENT_SECRET),
            timeout=_remaining(deadline, label),
        )
    except requests.Timeout as exc:
        raise Unavailable(TIMEOUT, label=label, detail=f"token: {exc}") from exc
    except requests.RequestException as exc:
        raise Unavailable(CONNECTION, label=label, detail=f"token: {exc}") from exc
    _check_deadline(deadline, label)
    if response.status_code in (400, 401, 403):
        answer = _json(response, Refused, label)
        code = str((answer.get("error") or {}).get("code") or INVALID_CLIENT)
        raise Refused(code, label=label, detail=f"token: HTTP {response.status_code}")
    if response.status_code != 200:
        raise Unavailable(UNAVAILABLE, label=label, detail=f"token: HTTP {response.status_code}")
    answer = _json(response, Unavailable, label)
    token = answer.get("access_token")
    if not isinstance(token, str) or not token or answer.get("token_type", "").lower() != "bearer":
        raise Unavailable(BAD_TOKEN_ANSWER, label=label, detail="token answer without a token")
    return token, tokens.lifetime_of(answer)


def _remaining(deadline: float, label: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Unavailable(TIMEOUT, label=label, detail="no time left")
    return left


def _check_deadline(deadline: float, label: str) -> None:
    # `requests` times each read, not the whole answer: a register that trickles its answer
    # (or an in-process sandbox, in the tests) is cut off here, as the applicant would be.
    if time.monotonic() > deadline:
        raise Unavailable(TIMEOUT, label=label, detail="answered after the deadline")


def query(
    url: str, *, scope: str, label: str, body: dict, request_id: str | None = None
) -> tuple[dict, str]:
    """POST one query and return (data, the register's transaction id); raise NotFound,
    Refused or Unavailable. A 401 (token expired or revoked) fetches a new token once."""
    deadline = time.monotonic() + settings.REGISTERS_TIMEOUT
    request_id = request_id or uuid.uuid4().hex
    body = {"requestId": request_id, **body}
    for attempt in (1, 2):
        token = fetch_token(scope, label=label, deadline=deadline, fresh=attempt == 2)
        try:
            response = requests.post(
                url,
                json=body,
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": request_id},
                timeout=_remaining(deadline, label),
            )
        except requests.Timeout as exc:
            raise Unavailable(TIMEOUT, label=label, detail=str(exc)) from exc
        except requests.RequestException as exc:
            raise Unavailable(CONNECTION, label=label, detail=str(exc)) from exc
        _check_deadline(deadline, label)
        if response.status_code == 401 and attempt == 1:
            forget_token(scope)
            continue
        break
    status = response.status_code
    if status == 200:
        answer = _json(response, Unavailable, label)
        data = answer.get("data")
        if not isinstance(data, dict) or answer.get("requestId") != request_id:
            raise Unavailable(
                BAD_ANSWER, label=label, detail="answer without data or for another request"
            )
        return data, str(answer.get("transactionId") or "")[:64]
    answer = _json(response, Unavailable, label)
    error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
    code = str(error.get("code") or f"HTTP_{status}")[:40]
    detail = f"HTTP {status}: {str(error.get('message', ''))[:200]}"
    if status == 404:
        raise NotFound(code, label=label, detail=detail)
    if status in (400, 401, 403):
        raise Refused(code, label=label, detail=detail)
    raise Unavailable(code, label=label, detail=detail)  # 429, 5xx, anything else
