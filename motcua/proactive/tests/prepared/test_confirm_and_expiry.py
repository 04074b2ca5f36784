"""A prepared draft is submitted only with the person's confirmation, is deleted if left
untouched, and the desk sees that the dossier was started proactively (decision 0085)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.dossiers import expiry, selectors, services
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.tests.helpers import VALID_FORM, pdf
from motcua.factories import make_organisation, make_submitted_dossier

pytestmark = pytest.mark.django_db

CONFIRM = "Tôi đã kiểm tra hồ sơ do cơ quan chuẩn bị sẵn và đồng ý nộp"


def prepared_draft(procedure, applicant) -> Dossier:
    """A complete draft as preparing.build leaves it (without the earlier result)."""
    dossier = services.dossier_prepare(
        procedure=procedure,
        applicant=applicant,
        form_data=VALID_FORM,
        prepared_from=None,
        proactive={"reminder": str(uuid.uuid4()), "earlier_code": "H56-250101-0007"},
        level=2,
        expires_at=timezone.now() + timedelta(days=30),
    )
    for component in procedure.components.filter(requirement="required"):
        services.attachment_add(
            dossier=dossier, component=component, upload=pdf(), applicant=applicant
        )
    services.dossier_prepared(dossier=dossier, proactive={"fields_prefilled": 5})
    dossier.refresh_from_db()
    return dossier


def submit(client, dossier, **data):
    return client.post(reverse("dossiers:submit", args=[dossier.uuid]), data)


def test_nothing_is_submitted_without_the_persons_confirmation(procedure, citizen):
    make_organisation(procedure)
    dossier = prepared_draft(procedure, citizen)
    with pytest.raises(services.PreparedNotConfirmed, match="xác nhận đã kiểm tra hồ sơ"):
        services.dossier_submit(dossier_uuid=dossier.uuid, applicant=citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and "confirmed_at" not in dossier.proactive
    submitted = services.dossier_submit(
        dossier_uuid=dossier.uuid, applicant=citizen, confirmed_prepared=True
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.proactive["confirmed_at"]
    assert submitted.proactive["fields_prefilled"] == 5


def test_the_review_page_asks_for_the_confirmation(client, procedure, citizen):
    make_organisation(procedure)
    dossier = prepared_draft(procedure, citizen)
    ordinary = services.dossier_start(procedure=procedure, applicant=citizen)
    client.force_login(citizen)
    assert CONFIRM in client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    assert (
        CONFIRM not in client.get(reverse("dossiers:review", args=[ordinary.uuid])).content.decode()
    )
    response = submit(client, dossier, declaration="on")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Xác nhận quý vị đã kiểm tra hồ sơ do cơ quan chuẩn bị sẵn trước khi nộp." in page
    assert 'href="#confirm_prepared"' in page
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DRAFT
    response = submit(client, dossier, declaration="on", confirm_prepared="on")
    assert response["Location"] == reverse("dossiers:submitted", args=[dossier.uuid])
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_the_desk_sees_the_dossier_was_started_proactively(client, procedure, citizen):
    org = make_organisation(procedure)
    dossier = prepared_draft(procedure, citizen)
    services.dossier_submit(dossier_uuid=dossier.uuid, applicant=citizen, confirmed_prepared=True)
    from_link = make_submitted_dossier(procedure, citizen, proactive_level=1)
    ordinary = make_submitted_dossier(procedure, citizen)
    login_officer(client, org.desk_officer)

    def page(d):
        return client.get(reverse("workflow:dossier", args=[d.uuid])).content.decode()

    text = page(dossier)
    assert "Khởi tạo chủ động — mức độ 2" in text
    assert "hồ sơ do cơ quan chuẩn bị sẵn từ hồ sơ H56-250101-0007" in text
    assert "người dân xác nhận lúc" in text
    text = page(from_link)
    assert "Khởi tạo chủ động — mức độ 1" in text and "từ lời nhắc của hệ thống" in text
    assert "Khởi tạo chủ động" not in page(ordinary)


def test_an_untouched_prepared_draft_expires_at_its_date_without_the_draft_reminder(
    clock, procedure, citizen, settings
):
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_REMINDER_DAYS = 30, 7
    clock.set(2026, 3, 2)
    untouched = prepared_draft(procedure, citizen)
    changed = prepared_draft(procedure, citizen)
    clock.set(2026, 3, 3)
    services.dossier_save_form(dossier=changed, applicant=citizen, data=VALID_FORM)
    # Three weeks and more later: the changed one is an ordinary draft, reminded; the
    # untouched one is not (the person was just reminded of what falls due).
    clock.set(2026, 3, 28)
    assert expiry.remind_expiring_drafts() == 1
    assert Dossier.objects.get(pk=changed.pk).expiry_reminded_at is not None
    assert Dossier.objects.get(pk=untouched.pk).expiry_reminded_at is None
    clock.set(2026, 3, 31)
    assert expiry.expire_drafts() == 0
    clock.set(2026, 4, 1, 10)
    assert expiry.expire_drafts() == 1
    assert not Dossier.objects.filter(pk=untouched.pk).exists()
    assert Dossier.objects.filter(pk=changed.pk).exists()


def test_the_task_list_gives_the_prepared_drafts_own_expiry(client, procedure, citizen):
    dossier = prepared_draft(procedure, citizen)
    assert expiry.draft_expires_at(dossier) == dossier.prepared_expires_at
    services.dossier_save_form(dossier=dossier, applicant=citizen, data=VALID_FORM)
    dossier.refresh_from_db()
    assert expiry.draft_expires_at(dossier) == dossier.updated_at + timedelta(days=30)


def test_an_ordinary_submission_is_not_held_up_by_the_confirmation(
    client, procedure, citizen, monkeypatch
):
    make_organisation(procedure)
    ordinary = services.dossier_start(procedure=procedure, applicant=citizen)
    services.dossier_save_form(dossier=ordinary, applicant=citizen, data=VALID_FORM)
    for component in procedure.components.filter(requirement="required"):
        services.attachment_add(
            dossier=ordinary, component=component, upload=pdf(), applicant=citizen
        )

    def loaded_again(*args, **kwargs):
        raise AssertionError("the draft loaded before submitting, to look for a confirmation")

    # Only the submission reads the draft (the page's form has no confirmation to tick).
    monkeypatch.setattr(selectors, "dossier_of", loaded_again)
    client.force_login(citizen)
    response = submit(client, ordinary, declaration="on")
    assert response["Location"] == reverse("dossiers:submitted", args=[ordinary.uuid])
