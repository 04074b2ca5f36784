"""What the OpenAPI schema says of every operation beyond its own view (decision 0068).

- `problems(*codes)`: problem responses to put in a view's `extend_schema(responses=...)`,
  e.g. `responses={200: Out, **problems(404, 409)}`, each `application/problem+json` with the
  `Problem` component;
- `IF_NONE_MATCH` and `ETAG`, the parameters of a read of one object with an ETag
  (`api.conditional`): `extend_schema(parameters=[IF_NONE_MATCH, ETAG], responses={200: Out,
  304: ...})`;
- `declare_problems`, a postprocessing hook (SPECTACULAR_SETTINGS), adds to every operation
  of /api/v1/ the problems any of them can answer, so that no view can forget them: 401, 403
  and 429 always; 400 when the operation takes parameters or a body; 404 when its path has
  parameters or its list a cursor; 409 and 422 on POST, PUT, PATCH and DELETE; and the
  required Idempotency-Key header on POST. A view declares its other ones with `problems(...)`.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from motcua.api.problems import CONTENT_TYPE, TYPE_BASE

PROBLEM = {
    "type": "object",
    "description": "RFC 9457",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "example": TYPE_BASE + "invalid"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "field → messages",
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object"},
                ]
            },
        },
    },
}
REF = {"$ref": "#/components/schemas/Problem"}

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("ETag đang giữ: 304 nếu đối tượng chưa thay đổi."),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    required=True,
    description=_("Thẻ phiên bản: gửi lại trong If-None-Match để nhận 304 khi chưa đổi."),
)
NOT_MODIFIED = {
    304: OpenApiResponse(description=_("Chưa thay đổi từ ETag đã gửi (If-None-Match)."))
}
WRITES = ("post", "put", "patch", "delete")
SIGNED_CALLBACKS = {"/api/v1/handovers/callback/"}


def _descriptions():
    return {
        400: _("Yêu cầu không hợp lệ: `errors` nêu từng trường sai."),
        401: _("Thiếu mã truy cập, hoặc mã đã hết hạn, bị thu hồi."),
        403: _("Mã truy cập không có phạm vi cần cho thao tác này."),
        404: _("Không tìm thấy, hoặc không thuộc cơ quan của hệ thống gọi."),
        409: _(
            "Xung đột: trạng thái không cho phép, hoặc Idempotency-Key đã dùng cho yêu cầu khác."
        ),
        406: _("Không đáp ứng được định dạng yêu cầu."),
        410: _("Dữ liệu đã bị xoá hết hạn lưu trữ."),
        412: _("Điều kiện không thỏa mãn."),
        413: _("Nội dung quá lớn."),
        415: _("Kiểu nội dung không được hỗ trợ."),
        422: _("Dịch vụ từ chối yêu cầu: lý do ở `detail`, `errors`."),
        428: _("Thiếu điều kiện bắt buộc."),
        429: _("Quá nhiều yêu cầu: thử lại sau số giây ở tiêu đề Retry-After."),
        503: _("Tạm thời không phục vụ được."),
    }


class ProblemSerializer(serializers.Serializer):
    """The `Problem` component's fields, for a problem that adds its own (a subclass); the
    component itself is PROBLEM, put in by `declare_problems`."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False)


def problems(*codes: int) -> dict:
    """Problem responses for `extend_schema(responses=...)`."""
    return {
        (code, CONTENT_TYPE): OpenApiResponse(response=REF, description=_descriptions()[code])
        for code in codes
    }


def _problem_response(code: int) -> dict:
    return {
        "description": str(_descriptions()[code]),
        "content": {CONTENT_TYPE: {"schema": REF}},
    }


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    # What motcua.api.idempotency accepts: up to 255 printable characters, not blank.
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^[!-~]([ -~]*[!-~])?$",
    },
    "description": "",
}


def _codes_for(path: str, method: str, operation: dict) -> list[int]:
    codes = [401, 403, 429]
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.append(400)
    if "{" in path or any(p.get("name") == "cursor" for p in parameters):
        codes.append(404)
    if method in WRITES:
        codes += [409, 422]
    return codes


def declare_problems(result, generator, request, public):
    """SPECTACULAR_SETTINGS' POSTPROCESSING_HOOKS: see the module's docstring."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            if method not in ("get", *WRITES):
                continue
            # Every POST is @idempotent (api.idempotency), but the peer's callback: signed,
            # and deduplicated by its webhook-id.
            if method == "post" and path not in SIGNED_CALLBACKS:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(
                        {
                            **IDEMPOTENCY_KEY,
                            "description": str(
                                _(
                                    "Khóa do hệ thống gọi tạo cho mỗi yêu cầu (ví dụ một UUID): "
                                    "gửi lại cùng khóa, cùng yêu cầu thì nhận lại câu trả lời đầu."
                                )
                            ),
                        }
                    )
            responses = operation.setdefault("responses", {})
            for code in _codes_for(path, method, operation):
                responses.setdefault(str(code), _problem_response(code))
    return result
