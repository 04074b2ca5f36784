"""Notification work for the task queue: retries of deliveries that are due."""

from celery import shared_task

from motcua.notifications import services
from motcua.notifications.digest import send_officer_digests as send_digests


@shared_task(name="motcua.notifications.tasks.deliver_notifications", ignore_result=True)
def deliver_notifications() -> None:
    services.deliver_due()


@shared_task
def send_officer_digests() -> int:
    """Celery beat runs this daily at OFFICER_DIGEST_TIME (see motcua/celery.py)."""
    return send_digests()
