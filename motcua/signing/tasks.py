"""Signing work for the task queue."""

from celery import shared_task

from motcua.signing import audit


@shared_task
def sign_audit_digests() -> list[str]:
    """Every night (celery beat): sign yesterday's digest of the audit's hash chains."""
    return [digest.day.isoformat() for digest in audit.sign_due_days()]
