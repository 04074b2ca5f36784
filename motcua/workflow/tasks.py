from celery import shared_task

from motcua.workflow.services import escalate_late_tasks as escalate


@shared_task
def escalate_late_tasks() -> int:
    """Celery beat runs this every 15 minutes (see motcua/celery.py)."""
    return escalate()
