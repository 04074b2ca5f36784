from celery import shared_task

from motcua.feedback.petitions import escalate_late_petitions as escalate


@shared_task
def escalate_late_petitions() -> int:
    """Celery beat runs this every 15 minutes (see motcua/celery.py)."""
    return escalate()
