"""A broker or mail-server outage fails no submission and loses no receipt: each is sent
exactly once when the outage is over."""

import base64
import json
import smtplib

import pytest
import redis
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motcua.celery import app as celery_app
from motcua.core import outbox
from motcua.core.models import OutboxEvent
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.tests.helpers import complete_draft
from motcua.factories import UserFactory
from motcua.notifications.models import Delivery


@pytest.fixture
def broker(settings):
    """Celery with a real broker (not in-process): a closed port or a Redis database."""
    # The app reads Django's settings with the CELERY_ prefix (motcua/celery.py): its values
    # are changed under those names.
    conf = celery_app.conf
    saved = {
        "CELERY_TASK_ALWAYS_EAGER": conf.task_always_eager,
        "CELERY_BROKER_URL": conf.broker_url,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.CELERY_TASK_ALWAYS_EAGER = False

    def point_at(url):
        """New connections from now on go to `url`, as after a restart of the broker."""
        conf.CELERY_BROKER_URL = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    yield point_at
    conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _submit_as_applicants(client, procedure, count):
    applicants = [UserFactory(email=f"nguoi{i}@example.vn") for i in range(count)]
    for applicant in applicants:
        dossier = complete_draft(procedure, applicant)
        client.force_login(applicant)
        response = client.post(
            reverse("dossiers:submit", args=[dossier.uuid]), {"declaration": "on"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("dossiers:submitted", args=[dossier.uuid])
    return applicants


@pytest.mark.django_db(transaction=True)
def test_submissions_succeed_with_the_broker_down_and_each_receipt_goes_once_it_is_back(
    client, procedure, broker, settings, redis_url
):
    settings.OUTBOX_GRACE_SECONDS = 0  # let the sweep take them at once once the broker is up
    broker("redis://127.0.0.1:1/0")  # nothing listens there: connection refused
    applicants = _submit_as_applicants(client, procedure, 4)

    assert Dossier.objects.filter(status=Status.SUBMITTED).count() == 4
    assert mail.outbox == []
    waiting = OutboxEvent.objects.filter(name="dossier.submitted", delivered_at=None)
    assert waiting.count() == 4

    # The broker is back: beat (or cron) runs deliver_outbox.
    broker(redis_url)
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in applicants)
    assert not OutboxEvent.objects.filter(delivered_at=None, name="dossier.submitted").exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_up_the_receipt_is_queued_there_and_sent_once_by_the_worker(
    client, procedure, broker, redis_url
):
    queue = redis.Redis.from_url(redis_url)
    broker(redis_url)
    applicant = _submit_as_applicants(client, procedure, 1)[0]
    assert mail.outbox == []

    messages = queue.lrange("celery", 0, -1)
    assert len(messages) == 1
    message = json.loads(messages[0])
    assert message["headers"]["task"] == "motcua.core.outbox.deliver_event"
    (event_id,), _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    event = OutboxEvent.objects.get(pk=event_id)
    assert event.name == "dossier.submitted"

    # What the worker does with the message, twice (a redelivered message changes nothing).
    outbox.deliver_event_task(event_id)
    outbox.deliver_event_task(event_id)
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.to for m in mail.outbox] == [[applicant.email]]


@pytest.mark.django_db(transaction=True)
def test_submissions_succeed_with_the_mail_server_down_and_receipts_go_once_it_is_back(
    client, procedure, settings, monkeypatch
):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    applicants = _submit_as_applicants(client, procedure, 3)
    assert Dossier.objects.filter(status=Status.SUBMITTED).count() == 3
    # The outbox's work is done (a notification each); their e-mails wait to be retried.
    waiting = Delivery.objects.filter(channel="email", notification__kind="submitted")
    assert [d.status for d in waiting] == [Delivery.Status.QUEUED] * 3
    assert all("connection unexpectedly closed" in d.reason for d in waiting)

    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    waiting.update(next_attempt_at=timezone.now())
    call_command("deliver_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("deliver_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == sorted(a.email for a in applicants)
