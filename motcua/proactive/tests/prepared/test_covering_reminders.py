"""Reminders of the same things (issue 17, decision 0085): a later reminder reuses an earlier
draft only when that draft covers everything it lists, and says nothing once the renewal was
submitted and is being handled."""

import pytest
from django.utils import timezone

from motcua.core.models import OutboxEvent
from motcua.dossiers.models import Dossier, Status
from motcua.proactive.models import Reminder
from motcua.proactive.tests.prepared.conftest import drafts, make_reminder, make_rule, tell

pytestmark = pytest.mark.django_db

A, C = "75B-012.34", "75B-015.67"


def plates(dossier) -> list[str]:
    return sorted(v["plate"] for v in dossier.form_data.get("vehicles", []))


def later_reminder(first: Reminder, *items) -> Reminder:
    """The 10-day reminder of `items` (DueItems), after `first`."""
    second = Reminder.objects.create(
        rule=first.rule, holder=first.holder, day=timezone.localdate(), due_on=first.due_on
    )
    for item in items:
        second.items.create(rule=first.rule, item=item, due_on=first.due_on, offset=10)
    return second


def test_a_later_reminder_of_more_badges_gets_a_draft_with_all_of_them(
    in_process_http, earlier, company, django_capture_on_commit_callbacks
):
    rule = make_rule(offsets=[30, 10])
    first = tell(
        make_reminder(earlier, company, plates=(A,), rule=rule), django_capture_on_commit_callbacks
    )
    assert plates(first.dossier) == [A]
    # The 10-day reminder of A comes with the 30-day one of C: one reminder of both.
    both = make_reminder(earlier, company, plates=(C,), rule=rule)
    both.items.create(rule=rule, item=first.items.get().item, due_on=first.due_on, offset=10)
    both = tell(both, django_capture_on_commit_callbacks)
    assert both.dossier != first.dossier
    assert plates(both.dossier) == [A, C]  # C does not lapse


def test_a_renewal_already_submitted_is_neither_prepared_again_nor_announced(
    in_process_http, earlier, company, django_capture_on_commit_callbacks
):
    rule = make_rule(offsets=[30, 10])
    first = tell(make_reminder(earlier, company, rule=rule), django_capture_on_commit_callbacks)
    Dossier.objects.filter(pk=first.dossier_id).update(status=Status.SUBMITTED)
    told = OutboxEvent.objects.filter(name="proactive.reminder_ready").count()
    assert told == 1
    second = tell(later_reminder(first, first.items.get().item), django_capture_on_commit_callbacks)
    assert second.ready_at is not None  # kept by the job: the occasion counts as reminded
    assert second.dossier_id == first.dossier_id  # /proactive/ shows the submitted one
    assert not drafts().exists()
    assert OutboxEvent.objects.filter(name="proactive.reminder_ready").count() == told
