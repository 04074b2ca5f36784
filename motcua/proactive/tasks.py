from celery import shared_task

from motcua.proactive import job


@shared_task
def send_proactive_reminders() -> dict[str, int]:
    """Celery beat runs this daily (see motcua/celery.py): what falls due, reminded once."""
    return job.send_reminders()
