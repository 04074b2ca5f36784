"""The sandbox identity provider's endpoints (OpenID Connect, docs/identity.md).

The authorization page signs in one of the people of core/sandbox/people.json with their ID
number and the sandbox password, or refuses (error=access_denied). Its provider session is a
signed cookie on /sandbox/vneid/ that the end-session endpoint deletes.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jws

from motcua.accounts.contrib.vneid_sandbox import provider
from motcua.accounts.contrib.vneid_sandbox.models import AccessToken, AuthorizationCode
from motcua.core.sandbox import data

SESSION_COOKIE = "vneid_sandbox_session"
SESSION_SALT = "motcua.vneid_sandbox.session"
SESSION_SECONDS = 3600
COOKIE_PATH = "/sandbox/vneid/"
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
)
# The authorization parameters kept with the code, and their columns' lengths.
SAVED_LIMITS = {
    name: AuthorizationCode._meta.get_field(name).max_length
    for name in ("scope", "nonce", "code_challenge")
}


def _with_params(url: str, params: dict) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        (k, v) for k, v in params.items() if v
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_page(request, message: str, status: int = 400):
    return render(request, "vneid_sandbox/error.html", {"message": message}, status=status)


# --- Discovery and keys ------------------------------------------------------------


@require_GET
def configuration(request):
    return JsonResponse(
        {
            "issuer": provider.issuer(),
            "authorization_endpoint": provider.endpoint("authorize"),
            "token_endpoint": provider.endpoint("token"),
            "userinfo_endpoint": provider.endpoint("userinfo"),
            "jwks_uri": provider.endpoint("jwks"),
            "end_session_endpoint": provider.endpoint("end_session"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [provider.ALGORITHM],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(provider.SCOPES),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "amr",
                "sid",
                "name",
                "birthdate",
                "gender",
                "citizen_id",
                "phone_number",
                "address",
                "email",
            ],
            "acr_values_supported": ["1", "2"],
            "ui_locales_supported": ["vi", "en"],
        }
    )


@require_GET
def jwks(request):
    return JsonResponse(provider.jwks())


# --- Authorization endpoint ----------------------------------------------------------


def _provider_session(request) -> dict | None:
    raw = request.COOKIES.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SESSION_SALT, max_age=SESSION_SECONDS)
    except signing.BadSignature:
        return None
    return value if provider.person(value.get("citizen_id", "")) else None


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    params = {
        name: (request.POST if request.method == "POST" else request.GET).get(name, "")
        for name in AUTHORIZE_PARAMS
    }
    registered = provider.client(params["client_id"])
    if registered is None:
        return _error_page(request, _("Ứng dụng (client_id) chưa được đăng ký với VNeID."))
    if params["redirect_uri"] not in registered.redirect_uris:
        return _error_page(
            request, _("Địa chỉ chuyển về (redirect_uri) không khớp với địa chỉ đã đăng ký.")
        )
    back = params["redirect_uri"]
    state = params["state"]

    def refuse(error: str, description: str):
        return HttpResponseRedirect(
            _with_params(back, {"error": error, "error_description": description, "state": state})
        )

    if params["response_type"] != "code":
        return refuse("unsupported_response_type", "Only the authorization code flow is supported.")
    scopes = params["scope"].split()
    if "openid" not in scopes or not set(scopes) <= set(provider.SCOPES):
        return refuse("invalid_scope", "The scope must include openid and only known scopes.")
    if not params["code_challenge"] or params["code_challenge_method"] != "S256":
        return refuse("invalid_request", "PKCE with code_challenge_method=S256 is required.")
    too_long = [name for name, limit in SAVED_LIMITS.items() if len(params[name]) > limit]
    if too_long:
        return refuse("invalid_request", f"Parameter too long: {', '.join(too_long)}.")

    current = _provider_session(request)
    form_error = ""
    citizen_id = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "refuse":
            return refuse("access_denied", "The person refused to sign in.")
        pick = request.POST.get("pick", "")
        citizen_id = (pick or request.POST.get("citizen_id", "")).strip()
        if action == "continue" and current:
            return _issue_code(request, params, current["citizen_id"], current)
        person = provider.person(citizen_id)
        if not citizen_id:
            form_error = _("Nhập số định danh cá nhân.")
        elif person is None or not provider.password_matches(request.POST.get("password", "")):
            form_error = _("Số định danh cá nhân hoặc mật khẩu không đúng.")
        else:
            return _issue_code(request, params, citizen_id, None)
    if params["prompt"] == "none":
        if current:
            return _issue_code(request, params, current["citizen_id"], current)
        return refuse("login_required", "The person is not signed in.")
    current_person = provider.person(current["citizen_id"]) if current else None
    return render(
        request,
        "vneid_sandbox/authorize.html",
        {
            "params": params,
            "people": data.people(),
            "current": current_person,
            "form_error": form_error,
            "citizen_id": citizen_id,
            "password_hint": settings.SANDBOX_VNEID_PASSWORD,
        },
        status=400 if form_error else 200,
    )


def _issue_code(request, params: dict, citizen_id: str, session: dict | None):
    now = timezone.now()
    if session is None:
        session = {
            "citizen_id": citizen_id,
            "sid": provider.new_secret()[:22],
            "auth_time": int(now.timestamp()),
        }
    code = provider.new_secret()
    # Codes live a minute and their tokens ten: what is a day old is only clutter.
    AuthorizationCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    AuthorizationCode.objects.create(
        code_hash=provider.digest(code),
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        scope=params["scope"],
        nonce=params["nonce"],
        code_challenge=params["code_challenge"],
        citizen_id=citizen_id,
        session_id=session["sid"],
        auth_time=datetime.fromtimestamp(session["auth_time"], tz=UTC),
        expires_at=now + timedelta(seconds=provider.CODE_SECONDS),
    )
    response = HttpResponseRedirect(
        _with_params(
            params["redirect_uri"],
            {"code": code, "state": params["state"], "iss": provider.issuer()},
        )
    )
    response.set_cookie(
        SESSION_COOKIE,
        signing.dumps(session, salt=SESSION_SALT),
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


# --- Token endpoint ---------------------------------------------------------------------


def _oauth_error(error: str, description: str, status: int = 400, **headers) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _client_credentials(request) -> tuple[str, str, str] | None:
    """(method, client_id, secret) from the Basic header or the body; None when both are used."""
    header = request.headers.get("Authorization", "")
    in_body = "client_secret" in request.POST
    if header.lower().startswith("basic "):
        if in_body:
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ("client_secret_basic", "", "")
        client_id, _sep, secret = decoded.partition(":")
        return ("client_secret_basic", unquote_plus(client_id), unquote_plus(secret))
    return (
        "client_secret_post",
        request.POST.get("client_id", ""),
        request.POST.get("client_secret", ""),
    )


@csrf_exempt
@require_POST
def token(request):
    credentials = _client_credentials(request)
    if credentials is None:
        return _oauth_error("invalid_request", "Use one client authentication method.")
    method, client_id, secret = credentials
    registered = provider.client(client_id)
    if registered is None or not provider.secret_matches(registered, secret):
        extra = (
            {"WWW_Authenticate": 'Basic realm="VNeID sandbox"'}
            if method == "client_secret_basic"
            else {}
        )
        return _oauth_error("invalid_client", "Client authentication failed.", 401, **extra)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "Only authorization_code is supported.")
    code_value = request.POST.get("code", "")
    if not code_value:
        return _oauth_error("invalid_request", "The code is missing.")
    with transaction.atomic():
        code = (
            AuthorizationCode.objects.select_for_update()
            .filter(code_hash=provider.digest(code_value))
            .first()
        )
        now = timezone.now()
        if code is None or code.client_id != client_id:
            return _oauth_error("invalid_grant", "The code is unknown.")
        if code.used_at is not None:
            # RFC 6749 4.1.2: a code used twice revokes what it gave the first time.
            code.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
            return _oauth_error("invalid_grant", "The code was already used.")
        code.used_at = now
        code.save(update_fields=["used_at"])
    if code.expires_at <= now:
        return _oauth_error("invalid_grant", "The code has expired.")
    if request.POST.get("redirect_uri", "") != code.redirect_uri:
        return _oauth_error(
            "invalid_grant", "The redirect_uri does not match the authorization request."
        )
    if not provider.pkce_matches(request.POST.get("code_verifier", ""), code.code_challenge):
        return _oauth_error("invalid_grant", "The PKCE code_verifier does not match.")
    person = provider.person(code.citizen_id)
    if person is None:
        return _oauth_error("invalid_grant", "The person is unknown.")
    access_token = provider.new_secret()
    AccessToken.objects.create(
        token_hash=provider.digest(access_token),
        code=code,
        client_id=client_id,
        citizen_id=code.citizen_id,
        scope=code.scope,
        expires_at=now + timedelta(seconds=provider.ACCESS_TOKEN_SECONDS),
    )
    claims = provider.id_token_claims(
        person=person,
        client_id=client_id,
        nonce=code.nonce,
        auth_time=code.auth_time,
        scope=code.scope,
        access_token=access_token,
        sid=code.session_id,
    )
    response = JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": provider.ACCESS_TOKEN_SECONDS,
            "scope": code.scope,
            "id_token": provider.id_token(claims=claims),
        }
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


# --- Userinfo ---------------------------------------------------------------------------


def _unauthorized(error: str = "", description: str = "") -> HttpResponse:
    challenge = 'Bearer realm="VNeID sandbox"'
    if error:
        challenge += f', error="{error}", error_description="{description}"'
    response = HttpResponse(
        json.dumps({"error": error or "invalid_request"}),
        status=401,
        content_type="application/json",
    )
    response["WWW-Authenticate"] = challenge
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request):
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return _unauthorized()
    value = header[7:].strip()
    stored = AccessToken.objects.filter(token_hash=provider.digest(value)).first()
    if stored is None or stored.revoked_at is not None:
        return _unauthorized("invalid_token", "The access token is not valid.")
    if stored.expires_at <= timezone.now():
        return _unauthorized("invalid_token", "The access token has expired.")
    person = provider.person(stored.citizen_id)
    if person is None:
        return _unauthorized("invalid_token", "The person is unknown.")
    claims = provider.claims_for(person, stored.scope)
    claims["acr"] = provider.level(person)
    response = JsonResponse(claims)
    response["Cache-Control"] = "no-store"
    return response


# --- RP-initiated logout ---------------------------------------------------------------


@never_cache
@require_GET
def end_session(request):
    """OpenID Connect RP-Initiated Logout 1.0: end the provider session, then send the browser
    to post_logout_redirect_uri (only a registered one, for the client the hint names)."""
    hint = request.GET.get("id_token_hint", "")
    client_id = request.GET.get("client_id", "")
    back = request.GET.get("post_logout_redirect_uri", "")
    claims = None
    if hint:
        audience = client_id
        if not audience:
            try:
                payload = json.loads(jws.extract_compact(hint.encode()).payload)
                audience = payload.get("aud", "")
                audience = audience[0] if isinstance(audience, list) else audience
            except Exception:  # noqa: BLE001 - a hint that does not parse is no hint
                audience = ""
        claims = provider.read_id_token(hint, client_id=audience)
        if claims is None:
            return _error_page(request, _("id_token_hint không phải ID token do VNeID cấp."))
        client_id = audience
    if back:
        registered = provider.client(client_id)
        if claims is None or registered is None or back not in registered.logout_uris:
            return _error_page(
                request,
                _("Địa chỉ chuyển về sau khi đăng xuất (post_logout_redirect_uri) không hợp lệ."),
            )
        response = HttpResponseRedirect(_with_params(back, {"state": request.GET.get("state", "")}))
    else:
        response = render(request, "vneid_sandbox/logged_out.html")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
