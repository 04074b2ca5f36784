"""Celery application: the task queue for e-mail and other work done after commit."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, run by `celery -A motcua beat` in production (docs/production.md).
app.conf.beat_schedule = {
    # Domain events whose after-commit delivery failed or never reached a worker.
    "deliver-outbox": {
        "task": "motcua.core.outbox.deliver_due",
        "schedule": 60,
    },
    # Notification deliveries whose retry is due (temporary channel failures).
    "deliver-notifications": {
        "task": "motcua.notifications.tasks.deliver_notifications",
        "schedule": 60,
    },
    # Webhook deliveries whose retry is due (an integrator's endpoint was down).
    "deliver-webhooks": {
        "task": "motcua.api.webhooks.deliver_due",
        "schedule": 60,
    },
    # Dossier statuses the national portal did not take yet (it was down or slow).
    "deliver-portal-pushes": {
        "task": "motcua.nationalportal.services.deliver_due",
        "schedule": 60,
    },
    # The API's idempotency keys past API_IDEMPOTENCY_KEEP_HOURS.
    "forget-idempotency-keys": {
        "task": "motcua.api.idempotency.forget_old",
        "schedule": crontab(hour=3, minute=30),
    },
    "escalate-late-tasks": {
        "task": "motcua.workflow.tasks.escalate_late_tasks",
        "schedule": 15 * 60,
    },
    # Petitions past a stage's deadline (decision 0047), once per stage.
    "escalate-late-petitions": {
        "task": "motcua.feedback.tasks.escalate_late_petitions",
        "schedule": 15 * 60,
    },
    # Reminders of drafts about to expire, and deletion of the expired ones (decision 0030).
    "expire-drafts": {
        "task": "motcua.dossiers.tasks.expire_drafts",
        "schedule": crontab(hour=2, minute=0),
    },
    # Proactive reminders of what falls due (badges, licences), once per occasion (issue 17).
    "send-proactive-reminders": {
        "task": "motcua.proactive.tasks.send_proactive_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    # Personal data and files of dossiers past their retention period (decision 0058);
    # RETENTION_PURGE_ENABLED=false turns it off.
    "purge-expired-dossiers": {
        "task": "motcua.dossiers.tasks.purge_expired",
        "schedule": crontab(hour=3, minute=0),
    },
    # Payments whose notification never came are settled by asking the gateway (querydr);
    # attempts abandoned past their link's expiry are marked expired (decision 0049).
    "poll-payments": {
        "task": "motcua.payments.tasks.poll_pending_payments",
        "schedule": 5 * 60,
    },
    # Yesterday's digest of the audit's hash chains, signed with the system's key.
    "sign-audit-digests": {
        "task": "motcua.signing.tasks.sign_audit_digests",
        "schedule": crontab(hour=0, minute=20),
    },
    # Yesterday's gateway lists against our records (đối soát), after midnight.
    "reconcile-payments": {
        "task": "motcua.payments.tasks.reconcile_yesterday",
        "schedule": crontab(hour=1, minute=30),
    },
    # Report exports older than REPORTS_EXPORT_KEEP_DAYS, with their files (decision 0064).
    "delete-old-exports": {
        "task": "motcua.reports.tasks.delete_old_exports",
        "schedule": crontab(hour=3, minute=30),
    },
}


@app.on_after_finalize.connect
def _schedule_officer_digests(sender, **kwargs):
    """Each unit's digest of its dossiers due soon and overdue, daily at OFFICER_DIGEST_TIME
    (decision 0043): read once the settings are loaded, not when this module is imported."""
    from django.conf import settings

    hour, minute = (int(part) for part in settings.OFFICER_DIGEST_TIME.split(":"))
    sender.conf.beat_schedule["send-officer-digests"] = {
        "task": "motcua.notifications.tasks.send_officer_digests",
        "schedule": crontab(hour=hour, minute=minute),
    }
