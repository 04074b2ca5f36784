"""Celery application: the task queue for e-mail and other work done after commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, run by `celery -A motcua beat` in production (docs/production.md).
app.conf.beat_schedule = {
    "escalate-late-tasks": {
        "task": "motcua.workflow.tasks.escalate_late_tasks",
        "schedule": 15 * 60,
    },
}
