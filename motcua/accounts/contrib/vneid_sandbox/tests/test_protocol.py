"""The sandbox identity provider speaks OpenID Connect as a relying party expects: discovery,
the authorization endpoint's refusals, the token endpoint's RFC 6749 errors, PKCE, RS256 ID
tokens checked against the JWKS, userinfo's bearer challenge, RP-initiated logout."""

import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet

from motcua.accounts.contrib.vneid_sandbox import provider
from motcua.accounts.contrib.vneid_sandbox.models import AccessToken, AuthorizationCode

pytestmark = pytest.mark.django_db

BASE = "/sandbox/vneid"
HA = "046190012345"
REDIRECT = "http://testserver/accounts/vneid/callback/"
LOGOUT = "http://testserver/accounts/vneid/logged-out/"
CLIENT_ID = "motcua-sandbox"


@pytest.fixture(autouse=True)
def _testserver(settings):
    settings.SITE_URL = "http://testserver"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _basic(client_id=CLIENT_ID, secret=None) -> str:
    secret = settings.SANDBOX_VNEID_CLIENT_SECRET if secret is None else secret
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _authorize_params(**overrides) -> dict:
    verifier = overrides.pop("verifier", "v" * 50)
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile citizen_id phone address email",
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def _code(client, *, citizen_id=HA, **overrides) -> str:
    params = _authorize_params(**overrides)
    response = client.post(
        f"{BASE}/authorize/?{urlencode(params)}",
        {**params, "citizen_id": citizen_id, "password": "MotCua-Demo-2026", "action": "sign_in"},
    )
    assert response.status_code == 302, response.content[:300]
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


def _token(client, code, *, verifier="v" * 50, redirect_uri=REDIRECT, auth=None, **body):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        data["code_verifier"] = verifier
    data.update(body)
    headers = {} if auth is False else {"Authorization": auth or _basic()}
    return client.post(f"{BASE}/token/", data, headers=headers)


def test_discovery_document(client):
    doc = client.get(f"{BASE}/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver/sandbox/vneid"
    for name in ("authorization", "token", "userinfo", "end_session"):
        assert doc[f"{name}_endpoint"].startswith("http://testserver/sandbox/vneid/")
    assert doc["jwks_uri"] == "http://testserver/sandbox/vneid/jwks/"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }


def test_jwks_publishes_the_public_key_only(client):
    keys = client.get(f"{BASE}/jwks/").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]


def test_the_authorization_page_lists_the_people_and_is_marked_sandbox(client):
    page = client.get(f"{BASE}/authorize/", _authorize_params())
    text = page.content.decode()
    assert page.status_code == 200
    assert "THỬ NGHIỆM" in text and "sandbox" in text
    assert "Lê Thị Thu Hà" in text and HA in text and "Hoàng Văn Dũng" in text


def test_an_unknown_client_or_redirect_uri_is_not_redirected_to(client):
    response = client.get(f"{BASE}/authorize/", _authorize_params(client_id="evil"))
    assert response.status_code == 400 and "client_id" in response.content.decode()
    response = client.get(
        f"{BASE}/authorize/", _authorize_params(redirect_uri="https://evil.example/cb")
    )
    assert response.status_code == 400 and "redirect_uri" in response.content.decode()


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        # Longer than the columns that keep them with the code: refused, not a 500.
        ({"scope": "openid" + " profile" * 50}, "invalid_request"),
        ({"nonce": "n" * 301}, "invalid_request"),
        ({"code_challenge": "c" * 129}, "invalid_request"),
    ],
)
def test_a_bad_request_is_refused_back_to_the_client(client, override, error):
    response = client.get(f"{BASE}/authorize/", _authorize_params(**override))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == [error] and query["state"] == ["st4te"]


def test_the_code_flow_with_client_secret_basic(client):
    code = _code(client)
    response = _token(client, code)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    token = jwt.decode(body["id_token"], KeySet.import_key_set(client.get(f"{BASE}/jwks/").json()))
    assert token.header["alg"] == "RS256" and token.header["kid"] == provider.signing_key().kid
    claims = token.claims
    assert claims["iss"] == "http://testserver/sandbox/vneid"
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"] == provider.subject(HA) and HA not in claims["sub"]
    assert claims["nonce"] == "n0nce"
    assert claims["acr"] == "2"
    assert claims["exp"] - claims["iat"] == 300 and claims["auth_time"] <= claims["iat"]
    assert claims["name"] == "Lê Thị Thu Hà" and claims["birthdate"] == "1990-03-15"
    assert claims["citizen_id"] == HA and claims["phone_number"] == "0912345678"
    assert claims["gender"] == "female"
    assert claims["address"]["formatted"].startswith("12 Lê Lợi")
    # The subject is the same every time for the same person, and another for another.
    assert provider.subject(HA) == provider.subject(HA) != provider.subject("046085001234")


def test_the_code_flow_with_client_secret_post(client):
    code = _code(client)
    response = _token(
        client,
        code,
        auth=False,
        client_id=CLIENT_ID,
        client_secret=settings.SANDBOX_VNEID_CLIENT_SECRET,
    )
    assert response.status_code == 200 and "id_token" in response.json()


def test_scopes_limit_the_claims(client):
    code = _code(client, scope="openid")
    claims = jwt.decode(_token(client, code).json()["id_token"], provider.key_set()).claims
    assert "name" not in claims and "citizen_id" not in claims and claims["sub"]


def test_a_code_is_used_once_and_its_tokens_are_revoked_when_reused(client):
    code = _code(client)
    first = _token(client, code)
    assert first.status_code == 200
    again = _token(client, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()
    access = first.json()["access_token"]
    response = client.get(f"{BASE}/userinfo/", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401


def test_a_code_expires_after_sixty_seconds(client):
    code = _code(client)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _token(client, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_is_invalid_grant(client):
    code = _code(client)
    response = _token(client, code, verifier="w" * 50)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    # ...and the code is spent: the right verifier after a wrong one is too late.
    assert _token(client, code).json()["error"] == "invalid_grant"


def test_a_non_ascii_code_challenge_is_invalid_grant_not_a_500(client):
    params = _authorize_params(code_challenge="thử-thách")
    response = client.post(
        f"{BASE}/authorize/?{urlencode(params)}",
        {**params, "citizen_id": HA, "password": "MotCua-Demo-2026", "action": "sign_in"},
    )
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    response = _token(client, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_a_missing_pkce_verifier_is_invalid_grant(client):
    response = _token(client, _code(client), verifier=None)
    assert response.json()["error"] == "invalid_grant"


def test_another_redirect_uri_is_invalid_grant(client):
    response = _token(client, _code(client), redirect_uri="http://testserver/other/")
    assert response.json()["error"] == "invalid_grant"


def test_an_unknown_code_is_invalid_grant(client):
    assert _token(client, "made-up").json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_invalid_client(client):
    code = _code(client)
    response = _token(client, code, auth=_basic(secret="wrong"))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")
    response = _token(client, code, auth=False, client_id=CLIENT_ID, client_secret="wrong")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    response = _token(client, code, auth=_basic(client_id="evil"))
    assert response.status_code == 401
    # The code was never spent by those attempts.
    assert _token(client, code).status_code == 200


def test_two_client_authentications_at_once_are_refused(client):
    response = _token(client, _code(client), client_secret=settings.SANDBOX_VNEID_CLIENT_SECRET)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_only_the_authorization_code_grant(client):
    response = _token(client, _code(client), grant_type="password")
    assert response.json()["error"] == "unsupported_grant_type"


def test_userinfo_needs_a_valid_bearer_token(client):
    response = client.get(f"{BASE}/userinfo/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    response = client.get(f"{BASE}/userinfo/", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401 and 'error="invalid_token"' in response["WWW-Authenticate"]
    access = _token(client, _code(client)).json()["access_token"]
    response = client.get(f"{BASE}/userinfo/", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 200
    assert response.json()["sub"] == provider.subject(HA)
    assert response.json()["citizen_id"] == HA
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"{BASE}/userinfo/", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401


def test_end_session_returns_to_a_registered_uri_only(client):
    id_token = _token(client, _code(client)).json()["id_token"]
    assert client.cookies["vneid_sandbox_session"].value
    response = client.get(
        f"{BASE}/logout/",
        {"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT, "state": "s1"},
    )
    assert response.status_code == 302 and response["Location"] == f"{LOGOUT}?state=s1"
    assert client.cookies["vneid_sandbox_session"].value == ""

    response = client.get(
        f"{BASE}/logout/",
        {"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.status_code == 400
    # Without a hint nobody vouches for the client: no redirect anywhere.
    response = client.get(f"{BASE}/logout/", {"post_logout_redirect_uri": LOGOUT})
    assert response.status_code == 400
    # A hint the provider did not sign is no hint.
    header, payload, _sig = id_token.split(".")
    response = client.get(
        f"{BASE}/logout/",
        {"id_token_hint": f"{header}.{payload}.AAAA", "post_logout_redirect_uri": LOGOUT},
    )
    assert response.status_code == 400
    # Without a redirect the provider shows its own page.
    response = client.get(f"{BASE}/logout/")
    assert response.status_code == 200 and "đăng xuất" in response.content.decode()


def test_the_provider_session_offers_to_continue(client):
    _code(client)
    page = client.get(f"{BASE}/authorize/", _authorize_params()).content.decode()
    assert "Tiếp tục với tư cách Lê Thị Thu Hà" in page
    params = _authorize_params()
    response = client.post(
        f"{BASE}/authorize/?{urlencode(params)}", {**params, "action": "continue"}
    )
    assert "code=" in response["Location"]
    # prompt=none answers without a page while the session lasts, login_required after.
    response = client.get(f"{BASE}/authorize/", _authorize_params(prompt="none"))
    assert "code=" in response["Location"]
    client.cookies.pop("vneid_sandbox_session")
    response = client.get(f"{BASE}/authorize/", _authorize_params(prompt="none"))
    assert "error=login_required" in response["Location"]


def test_the_picked_person_still_needs_the_password(client):
    params = _authorize_params()
    response = client.post(
        f"{BASE}/authorize/?{urlencode(params)}", {**params, "pick": HA, "password": "x"}
    )
    assert response.status_code == 400
    response = client.post(
        f"{BASE}/authorize/?{urlencode(params)}",
        {**params, "pick": HA, "password": "MotCua-Demo-2026"},
    )
    assert response.status_code == 302 and "code=" in response["Location"]


def test_the_signing_key_is_sealed_at_rest():
    key = provider.signing_key()
    from motcua.accounts.contrib.vneid_sandbox.models import SigningKey

    stored = SigningKey.objects.get()
    assert stored.kid == key.kid
    assert "PRIVATE KEY" not in stored.private_key
    assert secrets.compare_digest(
        provider.signing_key().as_pem(private=True), key.as_pem(private=True)
    )
