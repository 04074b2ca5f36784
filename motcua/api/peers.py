"""Calling a peer MotCua installation: its token, its hand-over endpoint, its result file.

Secrets come from the environment only (Peer.client_secret_env, Peer.signing_key_env). The
envelope and the callbacks are signed with the Standard Webhooks scheme of motcua.api.webhooks
under the key both installations share; each hand-over's callbacks are signed with a key
derived from it and the hand-over's identity (`callback_secret`), so a leaked subscription
secret opens one hand-over, never the shared key.
"""

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from motcua.api import webhooks
from motcua.api.models import Peer
from motcua.core import tokens

USER_AGENT = "MotCua-LienThong/1"
SCOPES = "handovers:write results:read"


class PeerUnavailable(Exception):
    """The peer could not be reached or failed (5xx): try again later."""


@dataclass
class PeerRefused(Exception):
    """The peer answered 4xx: it will not take this hand-over as it is."""

    status: int
    detail: str


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not name or not value:
        raise ImproperlyConfigured(f"The environment variable {name!r} is not set.")
    return value


def signing_key(peer: Peer) -> str:
    return _env(peer.signing_key_env)


def callback_secret(peer: Peer, handover_key) -> str:
    """The secret that signs the callbacks of one hand-over, computed alike on both sides."""
    mac = hmac.new(
        signing_key(peer).encode(),
        f"motcua-handover-callback:{handover_key}".encode(),
        hashlib.sha256,
    ).digest()
    return "whsec_" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def url(peer: Peer, path: str) -> str:
    return peer.base_url.rstrip("/") + path


def _token(peer: Peer, *, fresh: bool = False) -> str:
    return tokens.cached_token(f"api:peer-token:{peer.pk}", lambda: _new_token(peer), fresh=fresh)


def _new_token(peer: Peer) -> tuple[str, int]:
    try:
        response = requests.post(
            url(peer, "/api/oauth/token/"),
            data={"grant_type": "client_credentials", "scope": SCOPES},
            auth=(peer.client_id, _env(peer.client_secret_env)),
            headers={"User-Agent": USER_AGENT},
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise PeerUnavailable(f"token: {exc}") from exc
    if response.status_code >= 500:
        raise PeerUnavailable(f"token: HTTP {response.status_code}")
    if response.status_code != 200:
        raise PeerRefused(response.status_code, _detail(response))
    body = response.json()
    return body["access_token"], tokens.lifetime_of({"expires_in": 3600, **body})


def _detail(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        parts = [str(body.get("detail") or body.get("error") or "")]
        for field, messages in (body.get("errors") or {}).items():
            parts.append(f"{field}: {' '.join(map(str, messages))}")
        return " ".join(p for p in parts if p)[:500]
    return str(body)[:300]


def _call(peer: Peer, method: str, path: str, **kwargs):
    """A call with a token; a token the peer no longer knows is fetched again once."""
    for fresh in (False, True):
        headers = {
            **kwargs.pop("headers", {}),
            "Authorization": f"Bearer {_token(peer, fresh=fresh)}",
            "User-Agent": USER_AGENT,
        }
        try:
            response = requests.request(
                method,
                url(peer, path),
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS * 3,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise PeerUnavailable(f"{path}: {exc}") from exc
        kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        if response.status_code != 401:
            break
    if response.status_code >= 500 or response.status_code == 429:
        raise PeerUnavailable(f"{path}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise PeerRefused(response.status_code, _detail(response))
    return response


def _post_signed(peer: Peer, path: str, *, key: str, payload: dict) -> dict:
    """POST `payload` signed with the shared key, `key` as webhook-id and Idempotency-Key."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = webhooks.sign_headers([signing_key(peer)], key, body)
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = key
    return _call(peer, "POST", path, data=body, headers=headers).json()


def send_envelope(peer: Peer, *, key: str, envelope: dict) -> dict:
    """POST the signed envelope to the peer's /api/v1/handovers/; its answer's JSON."""
    return _post_signed(peer, "/api/v1/handovers/", key=key, payload=envelope)


def send_cancel(peer: Peer, *, handover_key, notice: dict) -> dict:
    """Tell the peer that the lead dossier of a hand-over ended (stopped, withdrawn)."""
    return _post_signed(
        peer,
        f"/api/v1/handovers/{handover_key}/cancel/",
        key=f"handover-cancel-{handover_key}",
        payload=notice,
    )


@dataclass
class RemoteFile:
    name: str
    content_type: str
    content: bytes


def fetch_result(peer: Peer, dossier_uuid) -> RemoteFile:
    """The signed result PDF of the peer's dossier (its GET /api/v1/dossiers/{uuid}/result/file/)."""
    response = _call(peer, "GET", f"/api/v1/dossiers/{dossier_uuid}/result/file/")
    name = "ket-qua.pdf"
    disposition = response.headers.get("Content-Disposition", "")
    if "filename=" in disposition:
        name = disposition.split("filename=", 1)[1].split(";")[0].strip().strip('"') or name
    content_type = response.headers.get("Content-Type", "application/pdf").split(";")[0]
    return RemoteFile(name=name, content_type=content_type, content=response.content)
