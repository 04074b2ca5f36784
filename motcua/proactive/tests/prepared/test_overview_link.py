"""The reminders on the person's proactive page: the link says where it leads."""

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.proactive import preparing
from motcua.proactive.models import Reminder
from motcua.proactive.tests.prepared.conftest import make_reminder

pytestmark = pytest.mark.django_db


def link_text(client, reminder) -> str:
    doc = lxml.html.fromstring(client.get(reverse("proactive:overview")).content.decode())
    href = reverse("proactive:follow", args=[reminder.uuid])
    (link,) = doc.xpath(f'//ul[@id="reminders"]//a[@href="{href}"]')
    return " ".join(link.text_content().split())


def test_the_link_to_a_renewal_already_submitted_says_so(in_process_http, client, earlier, company):
    reminder = make_reminder(earlier, company)
    dossier = preparing.prepare(reminder)
    Reminder.objects.filter(pk=reminder.pk).update(dossier=dossier, ready_at=timezone.now())
    client.force_login(company)
    assert link_text(client, reminder) == "Mở hồ sơ đã được chuẩn bị sẵn"
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.SUBMITTED)
    assert link_text(client, reminder) == "Xem hồ sơ đã nộp"
