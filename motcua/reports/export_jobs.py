"""Exports in the background (decision 0064): start one, build it with its progress, clean
up the old ones.

`start_export` records the export (and its audit entry) and, once the request's transaction
has committed, hands it to Celery when there is a broker, else to a thread of the web
process (the embedded default), so the request returns at once. `run_export` is the task:
idempotent (a finished export is left alone; a retried one is built again from the start and
its file replaced).
"""

import logging
import threading
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import ratelimit
from motcua.core.audit import record_audit
from motcua.core.outbox import now_and_then
from motcua.reports import exports
from motcua.reports import indicators as ind
from motcua.reports.models import Export

log = logging.getLogger("motcua.reports.exports")

RATE_SCOPE = "report-export"


class ExportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parameters_of(*, period: ind.Period, scope: ind.Scope, query: str = "") -> dict:
    return {
        "period": period.key,
        "agency": scope.agency_id,
        "sector": scope.sector_id,
        "procedure": scope.procedure_code,
        "channel": scope.channel,
        "query": query,
    }


def period_and_scope(parameters: dict) -> tuple[ind.Period, ind.Scope]:
    period = ind.parse_period(parameters.get("period", ""))
    if period is None:
        raise ValueError(f"bad period {parameters.get('period')!r}")
    scope = ind.Scope(
        agency_id=parameters.get("agency"),
        sector_id=parameters.get("sector"),
        procedure_code=parameters.get("procedure") or "",
        channel=parameters.get("channel") or "",
    )
    return period, scope


def start_export(
    *, user, format: str, period: ind.Period, scope: ind.Scope, query: str = "", request=None
) -> Export:
    """Record the export and have it built after commit. The caller checked that `user`
    reads `scope`'s agency. Raises ExportRefused past REPORTS_EXPORTS_PER_HOUR."""
    if format not in Export.Format.values:
        raise ExportRefused(_("Định dạng tệp không hợp lệ."))
    try:
        ratelimit.limit(
            RATE_SCOPE, str(user.pk), limit=settings.REPORTS_EXPORTS_PER_HOUR, window=3600
        )
    except ratelimit.Limited as limited:
        raise ExportRefused(
            _("Bạn đã xuất nhiều báo cáo. Vui lòng thử lại sau %(wait)s.")
            % {"wait": ratelimit.wait_text(limited.seconds)}
        ) from None
    agency_name, _receiver = exports.agency_names(scope.agency_id)
    with transaction.atomic():
        export = Export.objects.create(
            requested_by=user,
            format=format,
            parameters=parameters_of(period=period, scope=scope, query=query),
            description=f"{exports.period_text(period)} · {agency_name}"[:300],
        )
        record_audit(
            action="report_export_started",
            actor=user,
            target=f"export:{export.uuid}",
            request=request,
            format=format,
            parameters=export.parameters,
        )
        transaction.on_commit(partial(dispatch, export.pk))
    now_and_then("reports.exports", delete_old_exports)  # no beat without a broker
    return export


def dispatch(export_id: int) -> None:
    """After commit: to the broker, or a thread of this process (no broker, or the broker
    cannot be reached), or here and now (tests)."""
    from motcua.reports.tasks import build_export_task

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            build_export_task.apply_async((export_id,), retry=False)
            return
        except Exception as exc:  # broker down: build it here rather than never
            log.warning(
                "exports: broker unreachable, export %s built in-process: %r", export_id, exc
            )
    elif not settings.REPORTS_EXPORT_IN_THREAD:
        run_export(export_id=export_id)
        return
    threading.Thread(
        target=_in_thread, args=(export_id,), name=f"export-{export_id}", daemon=True
    ).start()


def _in_thread(export_id: int) -> None:
    try:
        run_export(export_id=export_id)
    finally:
        connections.close_all()  # this thread's own connections


def run_export(*, export_id: int, builders: dict | None = None) -> None:
    """Build the export's file, saving its progress as each sector is read. A finished export
    is left as it is; a failure is recorded on the export (status failed, a message)."""
    now = timezone.now()
    claimed = Export.objects.filter(
        pk=export_id, status__in=(Export.Status.QUEUED, Export.Status.RUNNING)
    ).update(status=Export.Status.RUNNING, progress=0, started_at=now, error="")
    if not claimed:
        return
    export = Export.objects.get(pk=export_id)
    rows = Export.objects.filter(pk=export_id)
    try:
        period, scope = period_and_scope(export.parameters)
        build = (builders or exports.BUILDERS)[export.format]
        content = build(period=period, scope=scope, progress=lambda p: _progress(rows, p))
        name = f"reports/exports/{export.uuid}.{export.format}"
        storage = export.file.storage
        if export.file.name:
            storage.delete(export.file.name)
        storage.delete(name)  # a retry replaces what an earlier try left
        saved = storage.save(name, ContentFile(content))
    except Exception as exc:  # any failure ends the export, with a message for the reader
        log.exception("exports: export %s failed", export_id)
        error = _("Không tạo được tệp: %(error)s. Hãy thử lại hoặc báo quản trị hệ thống.") % {
            "error": type(exc).__name__
        }
        _retried(
            lambda: rows.update(
                status=Export.Status.FAILED, error=error, finished_at=timezone.now()
            )
        )
        return
    _retried(
        lambda: rows.update(
            status=Export.Status.DONE,
            progress=100,
            file=saved,
            filename=exports.filename(period=period, extension=export.format),
            finished_at=timezone.now(),
        )
    )


def _progress(rows, value: int) -> None:
    """Progress is shown, not kept: a write that meets a locked table (SQLite, while a page
    reads the export's status) is skipped; the next one, or the end, says more."""
    try:
        rows.update(progress=value)
    except OperationalError:
        log.info("exports: progress %s not saved (table busy)", value)


def _retried(write, *, tries: int = 5) -> None:
    """The export's end must be saved: retried a few times on a locked table."""
    for attempt in range(tries):
        try:
            write()
            return
        except OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def delete_old_exports(*, now=None) -> dict[str, int]:
    """Delete exports (and their files) older than REPORTS_EXPORT_KEEP_DAYS; mark failed
    those left queued or running for REPORTS_EXPORT_STALE_MINUTES (their worker died)."""
    now = now or timezone.now()
    stale = Export.objects.filter(
        status__in=(Export.Status.QUEUED, Export.Status.RUNNING),
        created_at__lt=now - timedelta(minutes=settings.REPORTS_EXPORT_STALE_MINUTES),
    ).update(
        status=Export.Status.FAILED,
        error=_("Quá thời gian tạo tệp. Hãy thử lại."),
        finished_at=now,
    )
    old = Export.objects.filter(
        created_at__lt=now - timedelta(days=settings.REPORTS_EXPORT_KEEP_DAYS)
    )
    deleted = 0
    for export in old.filter(~Q(file="")).only("pk", "file"):
        try:
            export.file.storage.delete(export.file.name)
        except OSError:
            log.exception("exports: could not delete %s", export.file.name)
    deleted, _counts = old.delete()
    return {"deleted": deleted, "stale": stale}
