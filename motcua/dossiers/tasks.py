from celery import shared_task
from django.conf import settings

from motcua.dossiers import expiry, retention


@shared_task
def expire_drafts() -> dict[str, int]:
    """Celery beat runs this daily (see motcua/celery.py)."""
    return expiry.run()


@shared_task
def purge_expired() -> dict:
    """Nightly (motcua/celery.py): personal data of dossiers past retention (decision 0058)."""
    if not settings.RETENTION_PURGE_ENABLED:
        return {"skipped": True}
    report = retention.purge_expired()
    return {"found": report.found, "purged": report.purged, "failed": len(report.failures)}
