from celery import shared_task

from motcua.feedback.contact_codes import purge_codes
from motcua.feedback.petitions import escalate_late_petitions as escalate


@shared_task
def escalate_late_petitions() -> int:
    """Celery beat runs this every 15 minutes (see motcua/celery.py); old one-time codes
    are deleted on the way."""
    purge_codes()
    return escalate()
