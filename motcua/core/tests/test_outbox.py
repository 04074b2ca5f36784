"""The transactional outbox: events commit with the change, subscribers run after commit,
failures are retried with backoff, and nothing is delivered twice."""

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.core import outbox
from motcua.core.events import Event
from motcua.core.models import AuditEntry, OutboxEvent


@dataclass(frozen=True, kw_only=True)
class ParcelWeighed(Event):
    name: ClassVar[str] = "test.parcel_weighed"
    grams: int
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class PinIssued(Event):
    name: ClassVar[str] = "test.pin_issued"
    secret_fields: ClassVar[tuple[str, ...]] = ("pin",)
    pin: str


@pytest.fixture
def calls(monkeypatch):
    """A fresh set of subscribers (the real ones stay registered elsewhere)."""
    monkeypatch.setattr(outbox, "_subscribers", {})
    return []


def _subscribe(calls, event_type, *, fail=0, sync=False, name="test.sub"):
    failures = {"left": fail}

    @outbox.subscriber(event_type, sync=sync, name=name)
    def handler(event, subject=None):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("mail server down")
        calls.append((name, event))

    return handler


def test_an_event_is_written_with_the_change_and_delivered_only_after_commit(
    db, calls, django_capture_on_commit_callbacks
):
    _subscribe(calls, ParcelWeighed)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AuditEntry.objects.create(action="weigh")
        outbox.publish(ParcelWeighed(grams=120, label="hộp"))
        assert calls == []  # nothing runs inside the transaction
    assert calls == [("test.sub", ParcelWeighed(grams=120, label="hộp"))]
    row = OutboxEvent.objects.get()
    assert row.name == "test.parcel_weighed" and row.payload == {"grams": 120, "label": "hộp"}
    assert row.pending == [] and row.delivered_at is not None and row.next_attempt_at is None


def test_a_rolled_back_change_leaves_no_event(db, calls, django_capture_on_commit_callbacks):
    _subscribe(calls, ParcelWeighed)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.publish(ParcelWeighed(grams=1))
        raise RuntimeError
    assert calls == [] and not OutboxEvent.objects.exists()


def test_a_failing_synchronous_subscriber_undoes_the_whole_change(db, calls):
    _subscribe(calls, ParcelWeighed, fail=1, sync=True)
    with pytest.raises(OSError), transaction.atomic():
        AuditEntry.objects.create(action="weigh")
        outbox.publish(ParcelWeighed(grams=1))
    assert not AuditEntry.objects.exists() and not OutboxEvent.objects.exists()


def test_a_synchronous_subscriber_gets_the_publishers_object_inside_the_transaction(db, calls):
    @outbox.subscriber(ParcelWeighed, sync=True, name="test.sync")
    def weigh(event, subject):
        calls.append((transaction.get_connection().in_atomic_block, subject))

    outbox.publish(ParcelWeighed(grams=1), subject="the parcel")
    assert calls == [(True, "the parcel")]
    assert OutboxEvent.objects.get().pending == []  # nothing left for after commit


def test_a_failed_delivery_is_retried_with_backoff_and_then_delivered_once(
    db, calls, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_SECONDS = 30
    _subscribe(calls, ParcelWeighed, fail=2)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(ParcelWeighed(grams=5))
    row.refresh_from_db()
    assert calls == [] and row.attempts == 1 and "mail server down" in row.last_error
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    assert outbox.deliver_due() == {"delivered": 0, "left": 0}  # not due yet

    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_due() == {"delivered": 0, "left": 1}
    row.refresh_from_db()
    second_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < second_wait <= timedelta(seconds=60)  # doubled

    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(calls) == 1
    for _ in range(2):
        assert outbox.deliver(row.pk) is True
        assert outbox.deliver(row.pk, fresh=True) is True
        call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(calls) == 1


def test_only_the_failed_subscriber_is_tried_again(db, calls, django_capture_on_commit_callbacks):
    _subscribe(calls, ParcelWeighed, name="test.mail")
    _subscribe(calls, ParcelWeighed, fail=1, name="test.sms")
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(ParcelWeighed(grams=5))
    row.refresh_from_db()
    assert [c[0] for c in calls] == ["test.mail"] and row.pending == ["test.sms"]
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_due()
    assert [c[0] for c in calls] == ["test.mail", "test.sms"]


def test_a_database_restart_after_the_mail_went_does_not_send_it_again(
    db, calls, monkeypatch, django_capture_on_commit_callbacks
):
    """The strike-off of a subscriber that ran is tried again while the database is away:
    were it lost, the next try would send the e-mail a second time (bench/faults.py)."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)
    update, failures = QuerySet.update, {"left": 2}

    def flaky_update(self, **kwargs):
        if self.model is OutboxEvent and "pending" in kwargs and failures["left"]:
            failures["left"] -= 1
            raise OperationalError("the connection is lost")
        return update(self, **kwargs)

    _subscribe(calls, ParcelWeighed)
    monkeypatch.setattr(QuerySet, "update", flaky_update)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(ParcelWeighed(grams=7))
    row.refresh_from_db()
    assert row.pending == [] and row.delivered_at is not None and failures["left"] == 0
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_due()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_runs_outside_any_transaction_so_no_commit_fails_after_its_mail(calls):
    """Had the delivery wrapped the subscriber in a transaction, a database restart between
    the mail and the COMMIT would fail the delivery and send the mail again."""
    from django.db import connection

    inside = []

    @outbox.subscriber(ParcelWeighed, name="test.mail")
    def mail(event, subject=None):
        inside.append(connection.in_atomic_block)

    with transaction.atomic():
        outbox.publish(ParcelWeighed(grams=3))
    assert inside == [False]


def test_an_event_taken_by_one_worker_is_not_taken_by_another(db, calls):
    _subscribe(calls, ParcelWeighed)
    row = outbox.publish(ParcelWeighed(grams=5))  # no commit yet: not delivered
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    # Another worker claimed it a moment ago (attempts moved on, lease in the future).
    OutboxEvent.objects.filter(pk=row.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert outbox.deliver(row.pk, fresh=True) is False
    assert outbox.deliver(row.pk) is False
    assert calls == []


def test_a_delivery_that_keeps_failing_is_given_up_and_can_be_requeued(
    db, calls, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    _subscribe(calls, ParcelWeighed, fail=2)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(ParcelWeighed(grams=5))
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_due()
    row.refresh_from_db()
    assert row.failed_at is not None and row.next_attempt_at is None and row.pending
    assert outbox.deliver_due() == {"delivered": 0, "left": 0}
    call_command("deliver_outbox", "--retry-failed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(calls) == 1
    row.refresh_from_db()
    assert row.delivered_at is not None and row.pending == []


def test_secret_fields_are_stored_encrypted_and_blanked_once_delivered(
    db, calls, django_capture_on_commit_callbacks
):
    _subscribe(calls, PinIssued, fail=1)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(PinIssued(pin="482913"))
    row.refresh_from_db()
    assert "482913" not in str(row.payload)
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_due()
    assert calls == [("test.sub", PinIssued(pin="482913"))]
    row.refresh_from_db()
    assert row.payload == {"pin": ""}


def test_an_unregistered_event_type_is_refused(db):
    @dataclass(frozen=True, kw_only=True)
    class Nameless(Event):
        size: int

    with pytest.raises(Exception, match="not a registered event type"):
        outbox.publish(Nameless(size=1))


def test_struck_off_subscribers_never_run_and_an_event_left_with_none_is_delivered(
    db, calls, django_capture_on_commit_callbacks
):
    _subscribe(calls, ParcelWeighed, name="mail.tell")
    _subscribe(calls, ParcelWeighed, name="stats.count")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = outbox.publish(ParcelWeighed(grams=1))
        quiet = outbox.publish(ParcelWeighed(grams=2))
        changed = outbox.strike_off_subscribers(
            OutboxEvent.objects.filter(pk=kept.pk), lambda name: name.startswith("mail.")
        )
        changed += outbox.strike_off_subscribers(
            OutboxEvent.objects.filter(pk=quiet.pk), lambda name: True
        )
    assert changed == 2
    assert calls == [("stats.count", ParcelWeighed(grams=1))]
    for row in OutboxEvent.objects.all():
        assert row.pending == [] and row.delivered_at is not None and row.next_attempt_at is None
