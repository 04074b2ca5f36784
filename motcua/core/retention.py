"""Retention: each app removes the personal data and files it keeps about expired dossiers.

`dossiers` finds the dossiers past their procedure's retention period (its command
`manage.py purge_expired`) but cannot import the apps above it, which keep their own personal
data (results' PDFs, payments' receipts, shipments' addresses, notifications' texts...). Each
app registers a purger in its AppConfig.ready():

    @purgers.register("results")
    def purge_results(dossier_ids: list[int], files: list) -> dict[str, int]:
        ...  # blank or delete this app's rows for those dossiers; append (storage, name) of
        ...  # each stored file to delete to `files`; return counts ("results.pdf": 3)

A purger runs inside one transaction (per app and batch); the files it names are deleted only
after that transaction commits. A purger must be idempotent: a batch that failed in another
app is run again, whole, next time (decision 0058).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purger:
    app: str
    order: int
    run: Callable


@dataclass
class BatchOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # app -> exception class name
    files_deleted: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


class Purgers:
    def __init__(self):
        self._purgers: list[Purger] = []

    def register(self, app: str, *, order: int = 50):
        def decorator(run):
            if any(p.app == app for p in self._purgers):
                raise ImproperlyConfigured(f"A purger for {app!r} is registered twice.")
            self._purgers.append(Purger(app, order, run))
            self._purgers.sort(key=lambda p: p.order)
            return run

        return decorator

    @property
    def apps(self) -> list[str]:
        return [p.app for p in self._purgers]

    def run(self, dossier_ids: list[int]) -> BatchOutcome:
        """Every purger on one batch, each in its own transaction; files go after each commit.

        A purger that raises leaves its app's rows as they were (its transaction rolls back)
        and is reported in `failed`; the others still run.
        """
        outcome = BatchOutcome()
        for purger in self._purgers:
            files: list = []
            try:
                with transaction.atomic():
                    counts = purger.run(list(dossier_ids), files) or {}
            except Exception as exc:  # one app's failure must not stop the others
                logger.exception("Retention purger %s failed", purger.app)
                outcome.failed[purger.app] = type(exc).__name__
                continue
            for key, value in counts.items():
                outcome.counts[key] = outcome.counts.get(key, 0) + value
            for storage, name in files:
                if not name:
                    continue
                try:
                    storage.delete(name)
                    outcome.files_deleted += 1
                except OSError:
                    logger.exception("Retention: could not delete %s", name)
        return outcome


purgers = Purgers()


def file_removed(request, *, purged_at):
    """The answer for a file of a purged dossier: it existed, its file is gone (410)."""
    from django.shortcuts import render
    from django.utils.cache import patch_cache_control
    from django.utils.translation import gettext as _

    from motcua.core.dates import local_text

    response = render(
        request,
        "core/refused.html",
        {
            "title": _("Tệp đã được xoá theo thời hạn lưu trữ"),
            "message": _(
                "Giấy tờ này vẫn còn trong hồ sơ lưu trữ, nhưng tệp của nó đã được xoá cùng dữ "
                "liệu cá nhân ngày %(date)s, khi hết thời hạn lưu trữ."
            )
            % {"date": local_text(purged_at, "%d/%m/%Y")},
        },
        status=410,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def stored_files(rows, field: str) -> list[tuple]:
    """(storage, name) of the file in `field` of each row, where one is still stored: what a
    purger hands over to be deleted after its commit."""
    files = [getattr(row, field) for row in rows]
    return [(f.storage, f.name) for f in files if f.name and f.storage.exists(f.name)]
