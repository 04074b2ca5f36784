"""Notification work for the task queue: retries of deliveries that are due."""

from celery import shared_task

from motcua.notifications import services


@shared_task(name="motcua.notifications.tasks.deliver_notifications", ignore_result=True)
def deliver_notifications() -> None:
    services.deliver_due()
