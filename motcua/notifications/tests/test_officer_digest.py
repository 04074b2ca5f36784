"""The officers' daily digest: each unit hears of the dossiers it holds that are overdue or
due soon, once a day, and nothing of other units' dossiers."""

from datetime import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.factories import ProcedureFactory, make_organisation, make_submitted_dossier
from motcua.notifications.digest import send_officer_digests
from motcua.notifications.models import OfficerDigest
from motcua.workflow.machine import perform

# Monday 10/11/2025, before the office opens; Friday 07/11 and Tuesday 11/11 are working days.
MONDAY = timezone.make_aware(datetime(2025, 11, 10, 6, 0))


def at(day, hour=16):
    return timezone.make_aware(datetime(2025, 11, day, hour, 0))


def accepted(org, citizen, due_at, plate="75A-111.11"):
    """A dossier the desk accepted, now with the specialist department, due at `due_at`."""
    dossier = make_submitted_dossier(org.procedure, citizen, plate=plate)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due_at)
    dossier.refresh_from_db()
    assert dossier.current_unit == org.department
    return dossier


@pytest.fixture
def dossiers(org, citizen):
    return {
        "overdue": accepted(org, citizen, at(7), "75A-000.01"),
        "soon": accepted(org, citizen, at(11), "75A-000.02"),
        "later": accepted(org, citizen, at(28), "75A-000.03"),
    }


def digests_to(*officers):
    emails = sorted(o.email for o in officers)
    return [m for m in mail.outbox if sorted(m.to) == emails]


def test_a_unit_is_mailed_its_overdue_and_due_soon_dossiers(org, dossiers):
    assert send_officer_digests(now=MONDAY) == 1
    [digest] = digests_to(org.specialist, org.head)
    assert "1 hồ sơ quá hạn, 1 hồ sơ sắp đến hạn" in digest.subject
    body = digest.body
    assert dossiers["overdue"].code in body and "hạn 07/11/2025" in body
    assert dossiers["soon"].code in body and "hạn 11/11/2025" in body
    assert dossiers["later"].code not in body
    assert body.index(dossiers["overdue"].code) < body.index("Hồ sơ đến hạn trong 2 ngày")
    assert f"/officer/dossiers/{dossiers['soon'].uuid}/" in body
    assert "Cấp phù hiệu xe ô tô kinh doanh vận tải" in body


def test_officers_of_other_units_are_not_mailed_and_never_see_its_dossiers(org, dossiers, citizen):
    other = make_organisation(ProcedureFactory(name="Cấp giấy phép xây dựng"))
    theirs = accepted(other, citizen, at(7), "75A-999.99")
    assert send_officer_digests(now=MONDAY) == 2
    assert not digests_to(org.desk_officer, org.desk_head)  # the desk holds nothing late
    [ours] = digests_to(org.specialist, org.head)
    [their_digest] = digests_to(other.specialist, other.head)
    assert theirs.code not in ours.body and dossiers["overdue"].code not in their_digest.body
    assert theirs.code in their_digest.body


def test_a_second_run_the_same_day_sends_nothing(org, dossiers):
    assert send_officer_digests(now=MONDAY) == 1
    assert send_officer_digests(now=MONDAY.replace(hour=15)) == 0
    assert len(mail.outbox) == 1
    assert OfficerDigest.objects.get().overdue == 1
    # The next working day, a new digest.
    assert send_officer_digests(now=at(11, 7)) == 1
    assert len(mail.outbox) == 2


def test_nothing_is_sent_when_nothing_is_due_soon_or_overdue(org, citizen):
    accepted(org, citizen, at(28))
    assert send_officer_digests(now=MONDAY) == 0
    assert mail.outbox == [] and not OfficerDigest.objects.exists()


def test_nothing_is_sent_on_a_day_off(org, dossiers):
    sunday = timezone.make_aware(datetime(2025, 11, 9, 7, 0))
    assert send_officer_digests(now=sunday) == 0
    assert mail.outbox == []


def test_finished_dossiers_are_not_listed(org, dossiers):
    from motcua.dossiers.models import Status

    Dossier.objects.filter(pk=dossiers["overdue"].pk).update(status=Status.RETURNED)
    send_officer_digests(now=MONDAY)
    [digest] = mail.outbox
    assert dossiers["overdue"].code not in digest.body and "0 hồ sơ quá hạn" in digest.subject


def test_a_mail_that_fails_is_tried_again_by_the_next_run(org, dossiers, settings):
    settings.EMAIL_BACKEND = "motcua.notifications.tests.failing_mail.Backend"
    assert send_officer_digests(now=MONDAY) == 0
    assert not OfficerDigest.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_officer_digests(now=MONDAY) == 1


def test_the_command_sends_todays_digests(org, dossiers, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    call_command("send_officer_digests")
    assert len(digests_to(org.specialist, org.head)) == 1


def test_beat_sends_the_digests_daily_at_the_configured_time(org, dossiers):
    from motcua.celery import app
    from motcua.notifications.tasks import send_officer_digests as task

    app.finalize()
    entry = app.conf.beat_schedule["send-officer-digests"]
    assert entry["task"] == task.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert task.apply().get() in (0, 1)  # runs (today's date decides whether a mail goes)
