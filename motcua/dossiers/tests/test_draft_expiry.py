"""Drafts expire: a reminder once, then the draft and its files are deleted."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import OutboxEvent
from motcua.dossiers import expiry, services
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.helpers import pdf

DAY = timedelta(days=1)


@pytest.fixture
def draft(citizen, procedure):
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    component = procedure.components.get(name="Giấy đề nghị")
    services.attachment_add(dossier=dossier, component=component, upload=pdf(), applicant=citizen)
    return dossier


def left_since(dossier, moment):
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=moment)


def run(now, capture):
    with capture(execute=True):
        return expiry.run(now=now)


def test_reminder_once_then_the_draft_and_its_files_are_deleted(
    draft, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    left_since(draft, start)
    stored = Attachment.objects.get().file.name
    assert default_storage.exists(stored)

    assert run(start + 22 * DAY, django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "deleted": 0,
    }
    assert run(start + 23 * DAY + timedelta(hours=1), django_capture_on_commit_callbacks) == {
        "reminded": 1,
        "deleted": 0,
    }
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [citizen.email]
    expires = timezone.localtime(start + 30 * DAY).strftime("%d/%m/%Y")
    assert expires in mail.subject and expires in mail.body
    assert reverse("dossiers:detail", args=[draft.uuid]) in mail.body
    # Later runs before the expiry send nothing more.
    run(start + 25 * DAY, django_capture_on_commit_callbacks)
    run(start + 29 * DAY, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert OutboxEvent.objects.filter(name="draft.expiring").count() == 1

    assert run(start + 30 * DAY + timedelta(hours=1), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "deleted": 1,
    }
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.exists()
    assert not default_storage.exists(stored)
    assert len(mailoutbox) == 1


def test_a_draft_changed_after_the_reminder_is_kept_and_may_be_reminded_again(
    draft, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now() - 24 * DAY
    left_since(draft, start)
    with django_capture_on_commit_callbacks(execute=True):
        expiry.run()
    assert len(mailoutbox) == 1
    # The applicant comes back and saves a section: the clock starts again.
    services.dossier_save_form(dossier=draft, applicant=citizen, data={"applicant": {}})
    assert run(start + 31 * DAY, django_capture_on_commit_callbacks)["deleted"] == 0
    assert Dossier.objects.filter(pk=draft.pk).exists()
    later = timezone.now() + 24 * DAY
    assert run(later, django_capture_on_commit_callbacks)["reminded"] == 1
    assert len(mailoutbox) == 2


def test_a_late_reminder_still_leaves_the_applicant_its_days(
    draft, mailoutbox, django_capture_on_commit_callbacks
):
    # Nothing ran for 40 days (or the expiry was shortened): remind first, delete 7 days later.
    start = timezone.now()
    left_since(draft, start)
    assert run(start + 40 * DAY, django_capture_on_commit_callbacks) == {
        "reminded": 1,
        "deleted": 0,
    }
    assert timezone.localtime(start + 47 * DAY).strftime("%d/%m/%Y") in mailoutbox[0].body
    assert run(start + 46 * DAY, django_capture_on_commit_callbacks)["deleted"] == 0
    assert run(start + 47 * DAY + timedelta(hours=1), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "deleted": 1,
    }


def test_without_reminders_a_draft_is_deleted_at_its_expiry(
    draft, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DRAFT_REMINDER_DAYS = 0
    settings.DRAFT_EXPIRY_DAYS = 10
    start = timezone.now()
    left_since(draft, start)
    assert run(start + 9 * DAY, django_capture_on_commit_callbacks)["deleted"] == 0
    assert run(start + 10 * DAY + timedelta(hours=1), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "deleted": 1,
    }
    assert not mailoutbox


def test_submitted_dossiers_never_expire(draft, django_capture_on_commit_callbacks):
    Dossier.objects.filter(pk=draft.pk).update(status=1, updated_at=timezone.now() - 400 * DAY)
    assert run(timezone.now(), django_capture_on_commit_callbacks) == {"reminded": 0, "deleted": 0}
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_the_command_reminds_and_deletes(draft, capsys):
    left_since(draft, timezone.now() - 31 * DAY)
    call_command("expire_drafts")
    assert "Reminded 1 drafts; deleted 0 expired drafts." in capsys.readouterr().out


def test_the_draft_list_and_the_task_list_show_when_a_draft_expires(client, citizen, draft):
    left_since(draft, timezone.now() - 5 * DAY)
    draft.refresh_from_db()
    expires = timezone.localtime(draft.updated_at + 30 * DAY).strftime("%d/%m/%Y")
    client.force_login(citizen)
    mine = client.get(reverse("dossiers:mine")).content.decode()
    assert f"Tự động xóa ngày {expires} nếu không sửa" in mine
    tasks = client.get(reverse("dossiers:detail", args=[draft.uuid])).content.decode()
    assert f"bản này sẽ bị xóa ngày {expires} nếu không sửa" in tasks


def test_beat_runs_the_expiry_daily():
    from motcua.celery import app
    from motcua.dossiers.tasks import expire_drafts

    assert app.conf.beat_schedule["expire-drafts"]["task"] == expire_drafts.name
