"""What a request may bring in, checked at the boundary before any view or database sees it.

Body size (decision 0028): every request has a body limit, refused from its Content-Length
before a byte is read, and an upload handler that stops reading files once they pass the
limit. A view that takes files says how much with `@accepts_files`, and may name a check to
run before its body is read (the public verification's hourly quota).

Control characters (decision 0029): C0 controls other than tab, line feed and carriage return,
DEL and lone surrogates are refused with a 400 wherever they come: the path, the query, form
fields, file names and JSON bodies. PostgreSQL cannot store NUL in text or JSONB, nor a lone
surrogate in UTF-8, and no person types any of them.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class BodyLimits:
    file_bytes: int  # any one file
    files_bytes: int  # all the files of the request together
    body_bytes: int  # the whole body, as its Content-Length declares it


@dataclass(frozen=True)
class FileLimits:
    """A view's limits, as names of settings (read on each request, so tests may change them)."""

    file_setting: str
    files_setting: str
    before_body: Callable | None


def accepts_files(file_setting: str, *, files_setting: str = "", before_body=None):
    """Let a view take files of up to `settings.<file_setting>` bytes each, and
    `settings.<files_setting>` together (default: one file's worth).

    `before_body(request)` runs before the body is read and may answer instead of the view
    (a rate limit). Put this decorator outermost, so that the middleware sees it."""

    def decorate(view):
        view.file_limits = FileLimits(file_setting, files_setting or file_setting, before_body)
        return view

    return decorate


def body_limits(view) -> BodyLimits:
    fields = settings.REQUEST_MAX_BYTES
    declared = getattr(view, "file_limits", None)
    if declared is None:
        # Files are no part of these pages' forms: they count within the one body limit.
        return BodyLimits(file_bytes=fields, files_bytes=fields, body_bytes=fields)
    each = getattr(settings, declared.file_setting)
    together = max(getattr(settings, declared.files_setting), each)
    return BodyLimits(file_bytes=each, files_bytes=together, body_bytes=together + fields)


API_PREFIX = "/api/"
PROBLEM_TYPES = "https://motcua.gov.vn/problems/"  # the API's problem types (docs/api.md)


def wants_json(request) -> bool:
    return (
        request.content_type == "application/json"
        or request.headers.get("X-Requested-With") == "fetch"
        or "application/json" in request.headers.get("Accept", "")
    )


def refusal(request, *, status: int, title: str, message: str, back_url="") -> HttpResponse:
    """The page (or JSON, for scripts; problem details for the API) that refuses a request at
    the boundary."""
    if request.path.startswith(API_PREFIX):  # the API's problem details (motcua.api.problems)
        body = {"type": PROBLEM_TYPES + "invalid", "title": str(title), "status": status}
        response = JsonResponse(
            {**body, "detail": str(message)}, status=status, content_type="application/problem+json"
        )
    elif wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        context = {"title": title, "message": message, "back_url": back_url}
        response = render(request, "core/refused.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def too_large(request, limit: int, file_name: str = "") -> HttpResponse:
    if file_name:
        message = _(
            "Tệp “%(name)s” lớn hơn giới hạn %(limit)s. Vui lòng chọn tệp nhỏ hơn rồi gửi lại."
        ) % {"name": file_name[:120], "limit": filesizeformat(limit)}
    else:
        message = _(
            "Tệp hoặc dữ liệu gửi lên lớn hơn giới hạn %(limit)s. "
            "Vui lòng chọn tệp nhỏ hơn rồi gửi lại."
        ) % {"limit": filesizeformat(limit)}
    return refusal(
        request,
        status=413,
        title=_("Dữ liệu gửi lên quá lớn"),
        message=message,
        back_url=_page_before(request),
    )


def _page_before(request) -> str:
    """The page the form was on (browsers send it for same-origin posts), else nothing."""
    referer = request.headers.get("Referer", "")
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and allowed else ""


class LimitedUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: passes file data on to the next handler until a
    file, or the files together, pass the view's limit; then stops reading the body at once
    (the partial file is dropped) and marks the request, which the middleware refuses."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limits = getattr(request, "body_limits", None)
        self.file_bytes = 0
        self.files_bytes = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        self.files_bytes += len(raw_data)
        limits = self.limits or body_limits(None)
        if self.file_bytes > limits.file_bytes:
            self.request.upload_too_large = (limits.file_bytes, self.file_name)
        elif self.files_bytes > limits.files_bytes:
            self.request.upload_too_large = (limits.files_bytes, "")
        else:
            return raw_data
        raise StopUpload(connection_reset=True)

    def file_complete(self, file_size):
        return None  # the next handler makes the file


# C0 controls but tab, LF and CR; DEL; lone surrogates (only JSON's \ud800 escapes make them).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_control_characters(value) -> bool:
    """Whether a string, or any key or string inside parsed JSON, holds a refused character."""
    pending = [value]  # a loop, not recursion: JSON may nest as deep as its parser allows
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if CONTROL_CHARACTERS.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def request_has_control_characters(request) -> bool:
    texts = [request.path_info]
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            texts.append(key)
            texts.extend(values)
    for key, files in request.FILES.lists():
        texts.append(key)
        texts.extend(f.name or "" for f in files)
    # One search over the lot, joined by a character that is allowed: half the cost of a
    # search per field (0.5 ms for a section of 950 fields; a few µs for a page's query).
    if CONTROL_CHARACTERS.search("\n".join(texts)):
        return True
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError, RequestDataTooBig):
            return False  # the view meets the same fault, and refuses it
        return has_control_characters(data)
    return False


def control_characters_refused(request) -> HttpResponse:
    return refusal(
        request,
        status=400,
        title=_("Dữ liệu không hợp lệ"),
        message=_(
            "Dữ liệu gửi lên có ký tự điều khiển không được phép (ví dụ ký tự NUL). "
            "Vui lòng xóa ký tự đó, hoặc gõ lại nội dung, rồi gửi lại."
        ),
    )
