"""The sandbox portal's side of the protocol (contrib/dvcqg/protocol.py): the client it knows,
its access tokens (HS256 JWTs it signs with a key of its own) and its outage switch."""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from motcua.nationalportal.contrib.dvcqg import protocol

OUTAGE_KEY = "nationalportal_sandbox:outage"
ISSUER = "dvcqg-sandbox"


def client_id() -> str:
    return settings.SANDBOX_DVCQG_CLIENT_ID


def client_secret() -> str:
    return settings.SANDBOX_DVCQG_CLIENT_SECRET


def signing_secret() -> str:
    return settings.SANDBOX_DVCQG_SIGNING_SECRET


def _token_key() -> OctKey:
    raw = hmac.new(
        settings.SECRET_KEY.encode(), b"motcua-sandbox:dvcqg-token", hashlib.sha256
    ).digest()
    return OctKey.import_key(raw)


def issue_token(for_client: str, *, lifetime: int | None = None, now: float | None = None) -> str:
    now = time.time() if now is None else now
    lifetime = settings.SANDBOX_DVCQG_TOKEN_SECONDS if lifetime is None else lifetime
    claims = {
        "iss": ISSUER,
        "sub": for_client,
        "iat": int(now),
        "exp": int(now) + lifetime,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode({"alg": "HS256"}, claims, _token_key())


def check_token(authorization: str, *, now: float | None = None) -> tuple[str, str]:
    """(error code or OK, the client the token was issued to)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return protocol.TOKEN_MISSING, ""
    try:
        claims = jwt.decode(token.strip(), _token_key(), algorithms=["HS256"]).claims
    except (JoseError, ValueError, TypeError):
        return protocol.TOKEN_INVALID, ""
    if claims.get("iss") != ISSUER or not isinstance(claims.get("exp"), int):
        return protocol.TOKEN_INVALID, ""
    if claims["exp"] <= (time.time() if now is None else now):
        return protocol.TOKEN_EXPIRED, ""
    if claims.get("sub") != client_id():
        return protocol.CLIENT_UNKNOWN, str(claims.get("sub", ""))
    return protocol.OK, claims["sub"]


def outage() -> bool:
    """Whether the portal is "down": the setting, or the switch on the sandbox's page."""
    return settings.SANDBOX_DVCQG_OUTAGE or bool(cache.get(OUTAGE_KEY))


def set_outage(on: bool) -> None:
    if on:
        cache.set(OUTAGE_KEY, True, None)
    else:
        cache.delete(OUTAGE_KEY)
