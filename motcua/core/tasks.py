"""Celery finds each app's tasks in its `tasks` module; the outbox's are defined with it."""

from motcua.core.outbox import deliver_due_task, deliver_event_task

__all__ = ["deliver_due_task", "deliver_event_task"]
