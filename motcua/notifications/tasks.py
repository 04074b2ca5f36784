from celery import shared_task

from motcua.notifications.digest import send_officer_digests as send_digests


@shared_task
def send_officer_digests() -> int:
    """Celery beat runs this daily at OFFICER_DIGEST_TIME (see motcua/celery.py)."""
    return send_digests()
