"""The relying party refuses what it must: forged, expired or misdirected ID tokens, a state
it did not issue, a provider that is down or slow. Nobody is signed in and the login page
says why; never a 500."""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from motcua.accounts.contrib.vneid.testing import applicant, approve, path_of, start
from motcua.accounts.contrib.vneid_sandbox import provider
from motcua.accounts.models import ExternalIdentity, User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HA = "046190012345"
INVALID = "VNeID trả về thông tin không hợp lệ"


@pytest.fixture
def known(db):
    """Hà's account, linked: a token that passed would sign her in."""
    user = applicant(citizen_id=HA)
    ExternalIdentity.objects.create(user=user, provider="vneid", subject=provider.subject(HA))
    return user


def _callback(client):
    """Button and sandbox sign-in done: the callback URL (a path on MotCua)."""
    return path_of(approve(client, start(client), HA))


def _refused(client, response, message: str, reason: str = "token"):
    """Refused for `reason` (the check that caught it), not for any failure on the way."""
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert message in client.get("/accounts/login/").content.decode()
    failed = AuditEntry.objects.get(action="identity_sign_in_failed")
    assert failed.data["reason"] == reason


def _shift_claims(monkeypatch, **changes):
    real = provider.id_token_claims

    def claims(**kwargs):
        values = real(**kwargs)
        for name, change in changes.items():
            values[name] = change(values[name]) if callable(change) else change
        return values

    monkeypatch.setattr(provider, "id_token_claims", claims)


def test_a_genuine_token_signs_in(client, in_process_http, known):
    response = client.get(_callback(client))
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(known.pk)


def test_a_token_signed_by_another_key_is_refused(client, in_process_http, monkeypatch, known):
    kid = provider.signing_key().kid  # the provider's own kid, on a key that is not its own
    forger = RSAKey.generate_key(2048)
    monkeypatch.setattr(
        provider,
        "id_token",
        lambda *, claims, key=None: jwt.encode({"alg": "RS256", "kid": kid}, claims, forger),
    )
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_token_with_an_unknown_kid_is_refused(client, in_process_http, monkeypatch, known):
    forger = RSAKey.generate_key(2048, auto_kid=True)
    monkeypatch.setattr(
        provider,
        "id_token",
        lambda *, claims, key=None: jwt.encode({"alg": "RS256", "kid": forger.kid}, claims, forger),
    )
    _refused(client, client.get(_callback(client)), INVALID)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_token_signed_with_hs256_and_the_public_key_is_refused(
    client, in_process_http, monkeypatch, known
):
    """The algorithm confusion attack: HMAC keyed with the provider's public key."""
    key = provider.signing_key()
    public = key.as_pem(private=False)

    def forged(*, claims, key=None):
        header = _b64(json.dumps({"alg": "HS256", "kid": provider.signing_key().kid}).encode())
        payload = _b64(json.dumps(claims).encode())
        mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(mac)}"

    monkeypatch.setattr(provider, "id_token", forged)
    _refused(client, client.get(_callback(client)), INVALID)


def test_an_unsigned_token_is_refused(client, in_process_http, monkeypatch, known):
    def unsigned(*, claims, key=None):
        header = _b64(json.dumps({"alg": "none"}).encode())
        return f"{header}.{_b64(json.dumps(claims).encode())}."

    monkeypatch.setattr(provider, "id_token", unsigned)
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_tampered_token_is_refused(client, in_process_http, monkeypatch, known):
    """A genuine signature over other claims: here, another person's subject swapped in."""
    real = provider.id_token

    def tampered(*, claims, key=None):
        header, _payload, signature = real(claims=claims, key=key).split(".")
        other = _b64(json.dumps({**claims, "sub": provider.subject("046085001234")}).encode())
        return f"{header}.{other}.{signature}"

    monkeypatch.setattr(provider, "id_token", tampered)
    _refused(client, client.get(_callback(client)), INVALID)


def test_an_expired_token_is_refused(client, in_process_http, monkeypatch, known):
    _shift_claims(monkeypatch, iat=lambda t: t - 3600, exp=lambda t: t - 3000)
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_token_for_another_client_is_refused(client, in_process_http, monkeypatch, known):
    _shift_claims(monkeypatch, aud="another-client")
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_token_for_another_client_naming_us_as_azp_is_refused(
    client, in_process_http, monkeypatch, known
):
    _shift_claims(monkeypatch, aud="another-client")
    real = provider.id_token_claims
    monkeypatch.setattr(
        provider, "id_token_claims", lambda **kw: {**real(**kw), "azp": "motcua-sandbox"}
    )
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_token_from_another_issuer_is_refused(client, in_process_http, monkeypatch, known):
    _shift_claims(monkeypatch, iss="https://sso.dancuquocgia.example")
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_token_with_another_nonce_is_refused(client, in_process_http, monkeypatch, known):
    _shift_claims(monkeypatch, nonce="replayed-nonce")
    _refused(client, client.get(_callback(client)), INVALID)


def test_a_tampered_state_is_refused(client, in_process_http, known):
    callback = _callback(client)
    parts = urlsplit(callback)
    forged = parts.query.replace("state=", "state=x")
    _refused(client, client.get(f"{parts.path}?{forged}"), "không hợp lệ hoặc đã hết hạn", "state")


def test_a_callback_without_state_is_refused(client, in_process_http, known):
    _refused(client, client.get("/accounts/vneid/callback/?code=abc"), "không hợp lệ", "state")


def test_a_callback_replayed_is_refused(client, in_process_http, known):
    callback = _callback(client)
    client.get(callback)
    client.logout()
    _refused(client, client.get(callback), "không hợp lệ hoặc đã hết hạn", "state")


def test_a_callback_from_another_browser_is_refused(client, in_process_http, known):
    from django.test import Client

    callback = _callback(client)
    other = Client()
    _refused(other, other.get(callback), "không hợp lệ hoặc đã hết hạn", "state")


def test_userinfo_about_someone_else_is_refused(client, in_process_http, monkeypatch, known):
    """The userinfo endpoint answers about another subject than the ID token's."""
    from motcua.accounts.contrib.vneid_sandbox import views

    real = views.JsonResponse

    def answer(data, *args, **kwargs):
        if "sub" in data and "access_token" not in data and "keys" not in data:
            data = {**data, "sub": "vneid-someone-else"}
        return real(data, *args, **kwargs)

    monkeypatch.setattr(views, "JsonResponse", answer)
    _refused(client, client.get(_callback(client)), INVALID)


@pytest.mark.parametrize(
    "error",
    [requests.ConnectionError("connection refused"), requests.Timeout("read timed out")],
    ids=["unreachable", "timeout"],
)
def test_discovery_unreachable(client, in_process_http, error):
    in_process_http.fail("/sandbox/vneid/", error)
    response = client.get("/accounts/vneid/login/")
    _refused(client, response, "Không kết nối được với VNeID", "unavailable")


def test_discovery_answering_an_error_page(client, in_process_http, settings):
    settings.VNEID_DISCOVERY_URL = "http://testserver/sandbox/vneid/no-such-document"
    _refused(
        client, client.get("/accounts/vneid/login/"), "Không kết nối được với VNeID", "unavailable"
    )


def test_a_network_with_no_route_to_the_provider(client, in_process_http, settings):
    settings.VNEID_DISCOVERY_URL = "https://sso.vneid.example/.well-known/openid-configuration"
    _refused(
        client, client.get("/accounts/vneid/login/"), "Không kết nối được với VNeID", "unavailable"
    )


@pytest.mark.parametrize("path", ["/sandbox/vneid/token/", "/sandbox/vneid/jwks/"])
def test_token_endpoint_or_keys_timing_out(client, in_process_http, known, path):
    callback = _callback(client)
    in_process_http.fail(path, requests.Timeout("read timed out"))
    _refused(client, client.get(callback), "Không kết nối được với VNeID", "unavailable")


def test_userinfo_timing_out(client, in_process_http, known):
    callback = _callback(client)
    in_process_http.fail("/sandbox/vneid/userinfo/", requests.Timeout("read timed out"))
    _refused(client, client.get(callback), "Không kết nối được với VNeID", "unavailable")


def test_a_wrong_client_secret_is_refused(client, in_process_http, settings, known):
    settings.SANDBOX_VNEID_CLIENT_SECRET = "the-provider-knows-another-secret"
    _refused(client, client.get(_callback(client)), INVALID, "protocol")
    assert not User.objects.filter(identity_verified_at__isnull=False).exists()
