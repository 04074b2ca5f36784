"""Who acted for whom, as the officers see it (dossier page, receipt slip), and the members
who follow a company's dossiers hearing of it once (decision 0077)."""

import uuid
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from motcua.accounts import members
from motcua.accounts.testing import login_officer
from motcua.accounts.tests.representation_helpers import staff
from motcua.core.events import DossierAccepted
from motcua.documents.context import dossier_context
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.helpers import VALID_FORM, pdf
from motcua.factories import make_submitted_dossier
from motcua.notifications.models import Notification
from motcua.notifications.subscribers import tell_applicant
from motcua.workflow.machine import perform

pytestmark = pytest.mark.django_db


def _submit_for_company(client, procedure, people, capture):
    client.force_login(people.applicant)
    client.post(
        reverse("dossiers:start", args=[procedure.code]),
        {"token": str(uuid.uuid4()), "for": str(people.company.pk)},
    )
    dossier = Dossier.objects.get()
    services.dossier_save_form(dossier=dossier, applicant=people.applicant, data=VALID_FORM)
    for component in procedure.components.filter(requirement="required"):
        services.attachment_add(
            dossier=dossier, component=component, upload=pdf(), applicant=people.applicant
        )
    services.dossier_save_delivery(
        dossier=dossier, applicant=people.applicant, method="online", postal_address=""
    )
    with capture(execute=True):
        client.post(reverse("dossiers:submit", args=[dossier.uuid]), {"declaration": "on"})
    dossier.refresh_from_db()
    return dossier


def test_the_officer_sees_who_applied_and_who_acted_for_them(
    client, procedure, org, django_capture_on_commit_callbacks
):
    people = staff()
    dossier = _submit_for_company(client, procedure, people, django_capture_on_commit_callbacks)
    login_officer(client, org.desk_officer)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert "Công ty TNHH Vận tải Hương Giang" in page
    assert "Người thực hiện" in page and "Nguyễn Minh Khoa (thành viên)" in page

    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    dossier.refresh_from_db()
    context = dossier_context(dossier, kind="receipt")
    assert context["acted_for"] == "Nguyễn Minh Khoa (thành viên)"
    slip = render_to_string("documents/_applicant.html", context)
    assert "Công ty TNHH Vận tải Hương Giang" in slip
    assert "Người thực hiện: Nguyễn Minh Khoa (thành viên)" in slip


def test_a_dossier_the_applicant_submitted_alone_names_no_one_else(client, citizen, procedure, org):
    dossier = make_submitted_dossier(procedure, citizen)
    login_officer(client, org.desk_officer)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert "Người thực hiện" not in page


def test_every_member_hears_of_the_companys_dossier_once(
    client, procedure, org, django_capture_on_commit_callbacks
):
    people = staff()
    # The applicant also holds the company's authorisation: still one notice.
    members.authorisation_create(
        principal=people.company,
        citizen_id=people.applicant.citizen_id,
        full_name=people.applicant.full_name,
        valid_until=timezone.localdate() + timedelta(days=10),
    )
    dossier = _submit_for_company(client, procedure, people, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    told = sorted(Notification.objects.filter(kind="accepted").values_list("user_id", flat=True))
    assert told == sorted(
        [people.company.pk, people.admin.pk, people.applicant.pk, people.follower.pk]
    )
    assert Notification.objects.filter(kind="submitted").count() == 4
    # The same fact told again (the outbox retries a subscriber) tells nobody twice.
    dossier.refresh_from_db()
    again = DossierAccepted.about(dossier, action="accept", actor=org.desk_officer)
    tell_applicant(again, "accepted", dossier)
    first = Notification.objects.filter(kind="accepted").count()
    tell_applicant(again, "accepted", dossier)
    assert Notification.objects.filter(kind="accepted").count() == first
