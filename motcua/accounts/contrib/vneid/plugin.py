"""The VNeID plugin: an OpenID Connect relying party built on Authlib's Django client.

Which VNeID is used is configuration only (docs/identity.md): VNEID_DISCOVERY_URL (empty: the
sandbox identity provider under SITE_URL), VNEID_CLIENT_ID, VNEID_CLIENT_SECRET, VNEID_SCOPES.
Everything else (endpoints, keys, issuer, algorithms) comes from the discovery document.

The flow: authorization code with PKCE (S256), `state` and `nonce` kept in the session by
Authlib; the code is exchanged with client_secret_basic; the ID token's signature is checked
against the provider's JWKS (RS256 only) and its iss, aud, exp, iat and nonce checked; then the
claims are read again from the userinfo endpoint with the access token (its `sub` must match).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from motcua.accounts.identity import (
    BaseProvider,
    IdentityError,
    SignInResult,
    VerifiedIdentity,
    register,
)
from motcua.core.registry import unset_settings

log = logging.getLogger(__name__)

SANDBOX_DISCOVERY_PATH = "/sandbox/vneid/.well-known/openid-configuration"
NAME = "vneid"

# One Authlib client per configuration (discovery URL, client id, secret, scopes): Authlib
# keeps the discovery document and the keys on the client, so a new SITE_URL (the tests, the
# browser tests' live server) gets a client of its own, and a document older than
# VNEID_METADATA_TTL_SECONDS is fetched again.
_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def discovery_url() -> str:
    return settings.VNEID_DISCOVERY_URL or f"{settings.SITE_URL}{SANDBOX_DISCOVERY_PATH}"


def _client():
    key = (
        discovery_url(),
        settings.VNEID_CLIENT_ID,
        settings.VNEID_CLIENT_SECRET,
        settings.VNEID_SCOPES,
        settings.VNEID_HTTP_TIMEOUT,
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            oauth = OAuth()
            client = oauth.register(
                NAME,
                client_id=settings.VNEID_CLIENT_ID,
                client_secret=settings.VNEID_CLIENT_SECRET,
                server_metadata_url=key[0],
                client_kwargs={
                    "scope": settings.VNEID_SCOPES,
                    "code_challenge_method": "S256",
                    "token_endpoint_auth_method": "client_secret_basic",
                    "default_timeout": settings.VNEID_HTTP_TIMEOUT,
                },
            )
            _clients[key] = client
        loaded_at = client.server_metadata.get("_loaded_at")
        if loaded_at and time.time() - loaded_at > settings.VNEID_METADATA_TTL_SECONDS:
            client.server_metadata = {}
    return client


def forget_clients() -> None:
    """Drop every cached client (its discovery document and keys): for the tests."""
    with _clients_lock:
        _clients.clear()


def _as_error(exc: Exception) -> IdentityError:
    """What went wrong, in the vocabulary of IdentityError."""
    if isinstance(exc, IdentityError):
        return exc
    if isinstance(exc, MismatchingStateError):
        return IdentityError("state", str(exc))
    if isinstance(exc, OAuthError):
        if exc.error in ("access_denied", "login_required", "consent_required"):
            return IdentityError("denied", exc.error)
        return IdentityError("protocol", f"{exc.error}: {exc.description or ''}")
    if isinstance(exc, requests.RequestException):
        return IdentityError("unavailable", f"{type(exc).__name__}: {exc}")
    if isinstance(exc, JoseError):
        return IdentityError("token", f"{type(exc).__name__}: {exc}")
    if isinstance(exc, AuthlibBaseError):
        return IdentityError("protocol", str(exc))
    if isinstance(exc, ValueError | KeyError | TypeError | RuntimeError):
        # JSON that does not parse, a document without an endpoint, keys that do not import.
        return IdentityError("protocol", f"{type(exc).__name__}: {exc}")
    log.exception("VNeID: unexpected failure")
    return IdentityError("protocol", f"{type(exc).__name__}: {exc}")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _birthdate(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _address(value) -> str:
    """The OpenID `address` claim is an object with `formatted`; a plain string is accepted."""
    if isinstance(value, dict):
        return _text(value.get("formatted"))
    return _text(value)


def identity_from_claims(claims: dict) -> VerifiedIdentity:
    """Map VNeID's claims to our fields (docs/identity.md lists them)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise IdentityError("token", "no sub")
    citizen_id = _text(claims.get("citizen_id"))
    if citizen_id and not (len(citizen_id) == 12 and citizen_id.isdigit()):
        citizen_id = ""
    return VerifiedIdentity(
        provider=NAME,
        subject=subject,
        assurance=str(claims.get("acr") or ""),
        full_name=_text(claims.get("name")),
        citizen_id=citizen_id,
        date_of_birth=_birthdate(claims.get("birthdate")),
        gender=_text(claims.get("gender")),
        address=_address(claims.get("address")),
        phone=_text(claims.get("phone_number")),
        email=_text(claims.get("email")),
        claims={k: v for k, v in claims.items() if isinstance(v, str | int | dict | list)},
    )


@register(NAME)
class VNeIDProvider(BaseProvider):
    label = "VNeID"

    def config_problems(self) -> list[str]:
        problems = unset_settings("VNEID_CLIENT_ID", "VNEID_CLIENT_SECRET")
        if "openid" not in settings.VNEID_SCOPES.split():
            problems.append("VNEID_SCOPES must include openid.")
        return problems

    def start(self, request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
        try:
            return _client().authorize_redirect(request, redirect_uri)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an IdentityError
            raise _as_error(exc) from exc

    def finish(self, request: HttpRequest) -> SignInResult:
        client = _client()
        try:
            metadata = client.load_server_metadata()
            if not metadata.get("issuer"):
                raise IdentityError("protocol", "the discovery document names no issuer")
            token = client.authorize_access_token(
                request,
                claims_options={
                    "iss": {"essential": True, "value": metadata.get("issuer")},
                    "aud": {"essential": True, "value": settings.VNEID_CLIENT_ID},
                    "sub": {"essential": True},
                    "exp": {"essential": True},
                    "iat": {"essential": True},
                },
                leeway=settings.VNEID_CLOCK_LEEWAY_SECONDS,
            )
            id_claims = token.get("userinfo")
            if not id_claims:
                raise IdentityError("token", "no ID token")
            userinfo = client.userinfo(token=token)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an IdentityError
            raise _as_error(exc) from exc
        if userinfo.get("sub") != id_claims.get("sub"):
            raise IdentityError("token", "userinfo is about another subject")
        claims = {**dict(userinfo), **dict(id_claims)}
        return SignInResult(identity=identity_from_claims(claims), logout_hint=token["id_token"])

    def logout_redirect(
        self, request: HttpRequest, *, logout_hint: str, post_logout_redirect_uri: str
    ) -> HttpResponse | None:
        try:
            client = _client()
            if not client.load_server_metadata().get("end_session_endpoint"):
                return None
            return client.logout_redirect(
                request,
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=logout_hint,
                client_id=settings.VNEID_CLIENT_ID,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes an IdentityError
            raise _as_error(exc) from exc

    def finish_logout(self, request: HttpRequest) -> None:
        try:
            _client().validate_logout_response(request)
        except Exception as exc:  # noqa: BLE001
            raise _as_error(exc) from exc
