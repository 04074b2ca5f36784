"""Idempotency keys on every POST (decision 0067).

    @idempotent
    def post(self, request, ...): ...

The same key with the same request gives the first answer again, with the header
`Idempotent-Replayed: true`; the same key with another request is a 409. The record and the
work commit in one transaction: a request that fails stores nothing, so its retry runs again;
two requests with one key at once run one after the other (the second waits on the key's
unique index, then replays the first's answer). A key is remembered for
API_IDEMPOTENCY_KEEP_HOURS (a week by default), then forgotten (`forget_old`, daily in beat).
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from motcua.api.models import IdempotencyRecord
from motcua.api.problems import Conflict

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Location", "ETag")


def fingerprint(request) -> str:
    """A digest of what the request asks: method, path, fields and files' contents, so that
    the same request encoded again (another multipart boundary) has the same fingerprint."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    data = request.data
    fields = dict(data.lists()) if hasattr(data, "lists") else data  # a QueryDict: all values
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(getattr(request, "FILES", {}) or {}):
        for upload in request.FILES.getlist(name):
            file_digest = hashlib.sha256()
            for chunk in upload.chunks():
                file_digest.update(chunk)
            upload.seek(0)
            digest.update(f"\n{name}:{upload.name}:{file_digest.hexdigest()}".encode())
    return digest.hexdigest()


def idempotent(method):
    @wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            raise exceptions.ValidationError(
                {HEADER: [_("Mọi yêu cầu POST phải có tiêu đề Idempotency-Key.")]}
            )
        if len(key) > 255 or not key.isprintable():
            raise exceptions.ValidationError(
                {HEADER: [_("Idempotency-Key dài tối đa 255 ký tự in được.")]}
            )
        client = request.api_client
        print_ = fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        client=client,
                        key=key,
                        method=request.method,
                        path=request.path,
                        fingerprint=print_,
                    )
            except IntegrityError:
                return _replay(client, key, print_)
            response = method(view, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)  # store nothing: a retry runs again
                return response
            record.status_code = response.status_code
            # A view may keep a shown-once value (a webhook's secret) out of what is stored.
            kept = getattr(response, "data_to_replay", response.data)
            record.body = json.dumps(kept, default=str).encode()
            record.headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            record.save(update_fields=["status_code", "body", "headers"])
            return response

    return wrapper


def _replay(client, key: str, print_: str) -> Response:
    record = IdempotencyRecord.objects.get(client=client, key=key)
    if record.fingerprint != print_:
        raise Conflict(
            _(
                "Idempotency-Key này đã dùng cho một yêu cầu khác; hãy dùng khóa mới cho yêu cầu mới."
            )
        )
    if record.status_code is None:  # only on a database without row locks in between
        raise Conflict(_("Yêu cầu với Idempotency-Key này đang được xử lý; thử lại sau giây lát."))
    headers = dict(record.headers)
    headers["Idempotent-Replayed"] = "true"
    return Response(json.loads(bytes(record.body)), status=record.status_code, headers=headers)


def forget_old() -> int:
    """Forget the keys older than API_IDEMPOTENCY_KEEP_HOURS; returns how many."""
    since = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS)
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=since).delete()
    return deleted


@shared_task(name="motcua.api.idempotency.forget_old", ignore_result=True)
def forget_old_task() -> None:
    forget_old()
