from celery import shared_task

from motcua.dossiers import expiry


@shared_task
def expire_drafts() -> dict[str, int]:
    """Celery beat runs this daily (see motcua/celery.py)."""
    return expiry.run()
