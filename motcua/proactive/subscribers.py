"""Proactive subscribers (issue 17): the chain from a due reminder to the notification.

ProactiveReminderDue (published by the daily job with the Reminder) → prepare the dossier
when the rule says so (outside the job's transaction: the registers are asked over the
network) → ProactiveReminderReady, which notifications tells the person of. Each step is
idempotent: the prepared dossier is found again on a rerun, and the notification is keyed
on the Ready event.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.core.events import ProactiveReminderDue, ProactiveReminderReady
from motcua.core.outbox import publish, subscriber
from motcua.proactive import choices, preparing
from motcua.proactive.models import Reminder

logger = logging.getLogger(__name__)


@subscriber(ProactiveReminderDue, name="proactive.prepare")
def prepare_and_tell(event: ProactiveReminderDue) -> None:
    reminder = (
        Reminder.objects.select_related("rule", "holder").filter(pk=event.reminder_id).first()
    )
    if reminder is None or not reminder.holder.is_active or choices.refused(reminder.holder_id):
        return  # refused in between, or the account closed: neither prepared nor told
    pending = preparing.submitted_before(reminder)
    if pending is not None:
        # Already submitted from an earlier reminder of the same things and still being
        # handled: nothing prepared, nobody told; the reminder shows that dossier.
        with transaction.atomic():
            locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
            if locked.ready_at is None:
                Reminder.objects.filter(pk=reminder.pk).update(
                    dossier=pending, ready_at=timezone.now()
                )
        return
    dossier = None
    if reminder.rule.prepare:
        try:
            dossier = preparing.prepare(reminder)
        except Exception:
            # Whatever broke the preparation, the person is still reminded (level 1); a
            # draft left half-built is not handed to them.
            logger.exception("Reminder %s: the preparation failed", reminder.pk)
            preparing.drop_unfinished(reminder)
            dossier = None
    with transaction.atomic():
        # Once: a rerun after a failure between here and the strike-off finds it published.
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.ready_at is not None:
            return
        dossier = dossier or locked.dossier
        Reminder.objects.filter(pk=reminder.pk).update(dossier=dossier, ready_at=timezone.now())
        publish(
            ProactiveReminderReady(
                reminder_id=reminder.pk,
                holder_id=reminder.holder_id,
                dossier_id=dossier.pk if dossier else None,
                path=reverse("proactive:follow", args=[reminder.uuid]),
            )
        )
