"""Errors as problem details (RFC 9457), in the caller's language (Accept-Language).

Every refusal the services raise becomes a 4xx with `type`, `title`, `status`, `detail` and,
for input errors, `errors` (field → messages). Nothing a client sends turns into a 500.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from motcua.core import boundary, ratelimit
from motcua.workflow.actions.base import TransitionRefused

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = boundary.PROBLEM_TYPES  # documented in docs/api.md; the boundary's refusals too


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"


def _titles():
    return {
        400: _("Yêu cầu không hợp lệ"),
        401: _("Chưa xác thực"),
        403: _("Không được phép"),
        404: _("Không tìm thấy"),
        405: _("Phương thức không được hỗ trợ"),
        406: _("Không đáp ứng được định dạng yêu cầu"),
        409: _("Xung đột"),
        412: _("Điều kiện không thỏa mãn"),
        413: _("Nội dung quá lớn"),
        415: _("Kiểu nội dung không được hỗ trợ"),
        422: _("Không thực hiện được"),
        428: _("Thiếu điều kiện bắt buộc"),
        429: _("Quá nhiều yêu cầu"),
        503: _("Tạm thời không phục vụ được"),
    }


def problem(status_code: int, detail: str = "", *, code: str = "", errors=None, headers=None):
    """A problem-details response (for views outside DRF's exception handling too)."""
    body = {
        "type": TYPE_BASE + (code or str(status_code)),
        "title": str(_titles().get(status_code, _("Lỗi"))),
        "status": status_code,
        "detail": str(detail) if detail else str(_titles().get(status_code, "")),
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)
    return response


def _messages(value):
    if isinstance(value, dict):
        return {k: _messages(v) for k, v in value.items()}
    if isinstance(value, list):
        flat = []
        for item in value:
            item = _messages(item)
            flat.extend(item if isinstance(item, list) else [item])
        return flat
    return [str(value)]


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error of an API view as problem details."""
    if isinstance(exc, TransitionRefused):
        return problem(409, str(exc), code="transition-refused")
    if isinstance(exc, ValidationError):  # a service's refusal (DossierError and others)
        if hasattr(exc, "error_dict"):
            return problem(422, _("Dữ liệu chưa hợp lệ."), code="invalid", errors=exc.message_dict)
        return problem(422, " ".join(exc.messages), code="refused")
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return problem(404, _("Không tìm thấy đối tượng này."), code="not-found")
    if isinstance(exc, PermissionDenied):
        return problem(403, _("Bạn không được phép thực hiện thao tác này."), code="forbidden")
    if isinstance(exc, ratelimit.Unavailable):
        return problem(503, _("Hệ thống tạm thời quá tải, vui lòng thử lại sau."))
    response = drf_handler(exc, context)
    if response is None:
        return None
    headers = {
        k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail)
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        return problem(
            400, _("Dữ liệu gửi lên chưa hợp lệ."), code="invalid", errors=errors, headers=headers
        )
    if isinstance(exc, exceptions.Throttled):
        return problem(
            429,
            _("Hệ thống của bạn đã gửi quá nhiều yêu cầu; thử lại sau %(s)s giây.")
            % {"s": exc.wait and int(exc.wait) or 60},
            code="rate-limited",
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    if isinstance(detail, dict | list):
        detail = " ".join(
            _messages(detail) if isinstance(detail, list) else sum(_messages(detail).values(), [])
        )
    return problem(
        response.status_code, detail, code=getattr(exc, "default_code", ""), headers=headers
    )


@csrf_exempt  # a POST to nowhere is a 404 problem too, not the CSRF failure page
def not_found_view(request, *args, **kwargs):
    """Any /api/ path that names nothing: a problem, never the portal's HTML page."""
    return JsonResponse(
        {
            "type": TYPE_BASE + "not-found",
            "title": str(_titles()[404]),
            "status": 404,
            "detail": _("Không có tài nguyên API ở địa chỉ này."),
        },
        status=404,
        content_type=CONTENT_TYPE,
    )
