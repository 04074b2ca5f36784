"""The sandbox identity provider's protocol side: its clients, keys, subjects and tokens.

It speaks OpenID Connect as VNeID does to a relying party (docs/identity.md): discovery,
authorization code with PKCE (S256 only), client_secret_basic or client_secret_post at the
token endpoint, RS256 ID tokens with a `kid` published in the JWKS, userinfo with a bearer
token, RP-initiated logout. The people it signs in are core/sandbox/people.json.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from motcua.accounts.contrib.vneid_sandbox.models import SigningKey
from motcua.core.crypto import fernet
from motcua.core.sandbox import data

CODE_SECONDS = 60
ACCESS_TOKEN_SECONDS = 600
ID_TOKEN_SECONDS = 300
ALGORITHM = "RS256"
SCOPES = ("openid", "profile", "citizen_id", "phone", "address", "email")
# Which claims each scope releases (OpenID Connect Core 5.4, plus VNeID's citizen_id).
SCOPE_CLAIMS = {
    "profile": ("name", "birthdate", "gender"),
    "citizen_id": ("citizen_id",),
    "phone": ("phone_number",),
    "address": ("address",),
    "email": ("email",),
}
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_SEALED = "motcua.vneid_sandbox.key"


def issuer() -> str:
    return f"{settings.SITE_URL}/sandbox/vneid"


def endpoint(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(f'vneid_sandbox:{name}')}"


# --- The registered client ----------------------------------------------------------


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]
    logout_uris: tuple[str, ...]


def client(client_id: str) -> Client | None:
    """The client registered with this id (MotCua itself, from settings), or None."""
    if not client_id or client_id != settings.SANDBOX_VNEID_CLIENT_ID:
        return None
    site = settings.SITE_URL
    return Client(
        client_id=client_id,
        secret=settings.SANDBOX_VNEID_CLIENT_SECRET,
        redirect_uris=tuple(
            settings.SANDBOX_VNEID_REDIRECT_URIS or [f"{site}{reverse('accounts:vneid_callback')}"]
        ),
        logout_uris=tuple(
            settings.SANDBOX_VNEID_LOGOUT_URIS or [f"{site}{reverse('accounts:vneid_logged_out')}"]
        ),
    )


def secret_matches(registered: Client, secret: str) -> bool:
    return bool(registered.secret) and hmac.compare_digest(
        registered.secret.encode(), (secret or "").encode()
    )


# --- People ------------------------------------------------------------------------


def subject(citizen_id: str) -> str:
    """The person's `sub`: stable, opaque, and not their ID number."""
    key = f"motcua-sandbox:vneid-sub:{settings.SECRET_KEY}".encode()
    return "vneid-" + hmac.new(key, citizen_id.encode(), hashlib.sha256).hexdigest()[:32]


def password_matches(password: str) -> bool:
    return bool(settings.SANDBOX_VNEID_PASSWORD) and hmac.compare_digest(
        settings.SANDBOX_VNEID_PASSWORD.encode(), (password or "").encode()
    )


def claims_for(person: dict, scope: str) -> dict:
    """The claims about `person` that the scopes in `scope` release."""
    values = {
        "name": person["full_name"],
        "birthdate": person["date_of_birth"],
        "gender": person.get("gender", ""),
        "citizen_id": person["citizen_id"],
        "phone_number": person.get("phone", ""),
        "address": {
            "formatted": person.get("current_address") or person.get("permanent_address", ""),
            "country": person.get("nationality", "VN"),
        },
        "email": person.get("email", ""),
    }
    claims = {"sub": subject(person["citizen_id"])}
    granted = scope.split()
    for name, released in SCOPE_CLAIMS.items():
        if name in granted:
            claims.update({c: values[c] for c in released if values[c]})
    return claims


def level(person: dict) -> str:
    return str(person.get("vneid_level", 1))


# --- Codes, tokens, PKCE ----------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) == challenge."""
    if not VERIFIER.match(verifier or ""):
        return False
    return hmac.compare_digest(
        _b64(hashlib.sha256(verifier.encode()).digest()).encode(), (challenge or "").encode()
    )


def at_hash(access_token: str) -> str:
    return _b64(hashlib.sha256(access_token.encode()).digest()[:16])


# --- Keys and ID tokens --------------------------------------------------------------------


def signing_key() -> RSAKey:
    """The newest key, made (and stored sealed) the first time one is needed."""
    stored = SigningKey.objects.first()
    if stored is None:
        key = RSAKey.generate_key(2048, auto_kid=True)
        sealed = fernet(_SEALED).encrypt(key.as_pem(private=True)).decode()
        stored = SigningKey.objects.create(kid=key.kid, private_key=sealed)
    return _load(stored)


def _load(stored: SigningKey) -> RSAKey:
    pem = fernet(_SEALED).decrypt(stored.private_key.encode())
    return RSAKey.import_key(pem, {"kid": stored.kid, "use": "sig", "alg": ALGORITHM})


def jwks() -> dict:
    signing_key()  # a provider always publishes at least the key it will sign with
    keys = [_load(stored).as_dict(private=False) for stored in SigningKey.objects.all()]
    return {"keys": keys}


def key_set() -> KeySet:
    return KeySet([_load(stored) for stored in SigningKey.objects.all()])


def id_token(*, claims: dict, key: RSAKey | None = None) -> str:
    key = key or signing_key()
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key)


def id_token_claims(
    *, person: dict, client_id: str, nonce: str, auth_time, scope: str, access_token: str, sid: str
) -> dict:
    now = int(timezone.now().timestamp())
    claims = {
        "iss": issuer(),
        "aud": client_id,
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "auth_time": int(auth_time.timestamp()),
        "acr": level(person),
        "amr": ["pwd"],
        "at_hash": at_hash(access_token),
        **claims_for(person, scope),
    }
    if nonce:
        claims["nonce"] = nonce
    if sid:
        claims["sid"] = sid
    return claims


def read_id_token(token: str, *, client_id: str) -> dict | None:
    """The claims of an ID token this provider issued to `client_id` (expired or not: an
    id_token_hint may be), or None when it is not one."""
    try:
        decoded = jwt.decode(token, key_set(), algorithms=[ALGORITHM])
    except Exception:  # noqa: BLE001 - anything that is not our token is no hint
        return None
    claims = decoded.claims
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("iss") != issuer() or client_id not in audiences:
        return None
    return claims


def person(citizen_id: str) -> dict | None:
    return data.person(citizen_id)
