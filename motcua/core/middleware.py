from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from motcua.core import boundary


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
            answer = declared.before_body(request)
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
