import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from motcua.core import boundary, client, ratelimit

log = logging.getLogger("motcua.ratelimit")


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a strict Content-Security-Policy and Permissions-Policy."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "object-src 'none'; frame-src 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class ClientAddressMiddleware:
    """First in the chain: the client's address and scheme behind trusted proxies
    (motcua.core.client). Sets request.client_ip, and marks the request secure when a
    trusted proxy says it came over HTTPS; an untrusted peer's forwarding headers are
    ignored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip, secure = client.resolve(request.META, client.trusted_networks())
        if secure is not None:
            request.META["wsgi.url_scheme"] = "https" if secure else "http"
        return self.get_response(request)


class RateLimitUnavailableMiddleware:
    """What a request needs cannot be reached for a moment: a rate limit's counters (Redis
    down), or the database (a restart, a failover). The request is refused with a 503 page,
    "try again in a few minutes", instead of a 500 or a limit let through; it changed nothing
    (a request commits whole or not at all)."""

    RETRY_AFTER_SECONDS = 120

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ratelimit.Unavailable):
            return self.refuse(request, exception)
        if isinstance(exception, OperationalError | InterfaceError):
            log.error("database unavailable, %s refused", request.path, exc_info=exception)
            return self.refuse(request, exception, logged=True)
        return None

    @classmethod
    def refuse(cls, request, exception, *, logged: bool = False):
        if not logged:
            log.warning("%s refused for now: %s", request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(cls.RETRY_AFTER_SECONDS)
        patch_cache_control(response, no_store=True)
        return response


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response that may carry personal data,
    unless the view chose its own Cache-Control (decision 0033):

    - every response to a signed-in user (applicants' dossiers and files, officers' pages,
      the profile), and every answer to a form (POST and the like);
    - the anonymous pages that show a dossier or a person: tracking, verification, accounts.

    Public pages for anonymous visitors (the catalogue, the home page) stay cacheable; static
    files never reach this middleware (WhiteNoise answers them first).
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
    PERSONAL_NAMESPACES = frozenset({"accounts"})
    PERSONAL_VIEWS = frozenset({"dossiers:track", "results:verify_token", "results:verify_upload"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response.headers and self.is_personal(request):
            response.headers["Cache-Control"] = "private, no-store"
        return response

    def is_personal(self, request) -> bool:
        if request.method not in self.SAFE_METHODS:
            return True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        match = request.resolver_match
        return match is not None and (
            match.view_name in self.PERSONAL_VIEWS or match.namespace in self.PERSONAL_NAMESPACES
        )


class RequestBodyLimitMiddleware:
    """Before CsrfViewMiddleware, which reads the form: run the view's check that must come
    before its body (a rate limit), refuse a declared Content-Length above the view's limit
    without reading the body, then read the form here, the upload handler stopping files at
    their limits (motcua.core.boundary, decision 0028)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limits = boundary.body_limits(view_func)
        request.body_limits = limits
        declared = getattr(view_func, "file_limits", None)
        if declared and declared.before_body and request.method == "POST":
            try:
                answer = declared.before_body(request)
            except ratelimit.Unavailable as exc:  # before the view: process_exception misses it
                return RateLimitUnavailableMiddleware.refuse(request, exc)
            if answer is not None:
                return answer
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limits.body_bytes:
            return boundary.too_large(request, limits.files_bytes)
        try:
            request.POST  # noqa: B018 -- parsed now, under the limits, not later by CSRF
        except RequestDataTooBig:  # form fields over DATA_UPLOAD_MAX_MEMORY_SIZE
            return boundary.too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except OSError:
            pass  # the client went away; CsrfViewMiddleware handles the unreadable form
        exceeded = getattr(request, "upload_too_large", None)
        if exceeded is not None:
            limit, file_name = exceeded
            return boundary.too_large(request, limit, file_name)
        return None


class ControlCharactersMiddleware:
    """After RequestBodyLimitMiddleware (the form is read by then): refuse control characters
    in the path, the query, form fields, file names and JSON bodies with a 400 (decision 0029)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if boundary.request_has_control_characters(request):
            return boundary.control_characters_refused(request)
        return None
