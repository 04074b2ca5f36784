"""Retention (decision 0058): `manage.py purge_expired` removes the personal data and files of
dossiers ended longer ago than their procedure's retention period, and nothing else."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.core.models import AuditEntry
from motcua.core.retention import purgers
from motcua.delivery.models import Shipment
from motcua.documents.models import IssuedDocument
from motcua.dossiers import tasks
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierEvent,
    DossierMessage,
    DossierMessageAttachment,
)
from motcua.factories import make_submitted_dossier
from motcua.feedback.models import Rating
from motcua.feedback.ratings import FIELDS, rate_dossier
from motcua.notifications.models import Delivery, Notification
from motcua.payments.models import Charge, Payment
from motcua.payments.receipts import issue_receipt, render_receipt
from motcua.results.models import ResultDocument
from motcua.signing.models import VerifiableDocument
from motcua.workflow.actions.inputs import ReasonInput
from motcua.workflow.machine import perform

ELEVEN_YEARS = timedelta(days=11 * 366)


def returned_dossier(procedure, applicant, org):
    dossier = make_submitted_dossier(procedure, applicant)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    return perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)


def with_personal_things(dossier, org):
    """A file, a conversation with a file, and a notification, as a real dossier has."""
    attachment = Attachment.objects.create(
        dossier=dossier,
        component=dossier.procedure.components.first(),
        file=default_storage.save(f"dossiers/test/{dossier.pk}.pdf", ContentFile(b"%PDF-1.4 cmnd")),
        original_name="cmnd.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        uploaded_by=dossier.applicant,
    )
    message = DossierMessage.objects.create(
        dossier=dossier, author=dossier.applicant, from_applicant=True, text="Số nhà tôi là 12"
    )
    message_file = DossierMessageAttachment.objects.create(
        message=message,
        dossier=dossier,
        file=default_storage.save(f"messages/test/{dossier.pk}.pdf", ContentFile(b"%PDF-1.4 x")),
        original_name="don.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    notification = Notification.objects.create(
        source=f"test:{dossier.pk}",
        recipient=f"user:{dossier.applicant_id}",
        kind="dossier.returned",
        user=dossier.applicant,
        dossier=dossier,
        title="Kết quả hồ sơ của Nguyễn Văn An",
        text="Kính gửi ông Nguyễn Văn An",
    )
    Delivery.objects.create(notification=notification, channel="email", address="an@example.vn")
    return attachment.file.name, message_file.file.name


def ended_long_ago(dossier, age=ELEVEN_YEARS):
    Dossier.objects.filter(pk=dossier.pk).update(returned_at=timezone.now() - age)


@pytest.fixture
def old(org, procedure, citizen):
    dossier = returned_dossier(procedure, citizen, org)
    files = with_personal_things(dossier, org)
    ended_long_ago(dossier)
    return dossier, files


@pytest.fixture
def recent(org, procedure, other_citizen):
    dossier = returned_dossier(procedure, other_citizen, org)
    files = with_personal_things(dossier, org)
    return dossier, files


def test_a_dossier_past_retention_loses_its_personal_data_and_files(old):
    dossier, (attachment_name, message_file_name) = old
    result = ResultDocument.objects.get(dossier=dossier)
    assert default_storage.exists(result.pdf.name)

    call_command("purge_expired")

    dossier.refresh_from_db()
    assert dossier.purged_at is not None
    assert dossier.form_data == {}
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.applicant_id_number) == (
        "",
        "",
        "",
    )
    assert dossier.search_text == ""
    assert not Attachment.objects.filter(dossier=dossier).exists()
    assert not default_storage.exists(attachment_name)
    assert not default_storage.exists(message_file_name)
    assert list(DossierMessage.objects.filter(dossier=dossier).values_list("text", flat=True)) == [
        ""
    ]
    notification = Notification.objects.get(dossier=dossier, kind="dossier.returned")
    assert (notification.title, notification.text) == ("", "")
    assert Delivery.objects.get(notification=notification).address == ""
    # What the archive keeps: the result's row (number, hash), without its file.
    kept = ResultDocument.objects.get(pk=result.pk)
    assert kept.number and kept.sha256 == result.sha256
    assert not default_storage.exists(result.pdf.name)
    # The dossier's row for statistics.
    assert (dossier.code, dossier.status, dossier.procedure_id) != (None, None, None)


def test_a_dossier_not_yet_past_retention_keeps_everything(old, recent):
    dossier, (attachment_name, message_file_name) = recent
    form_data = dossier.form_data

    call_command("purge_expired")

    dossier.refresh_from_db()
    assert dossier.purged_at is None
    assert dossier.form_data == form_data and dossier.applicant_name
    assert default_storage.exists(attachment_name) and default_storage.exists(message_file_name)
    assert DossierMessage.objects.get(dossier=dossier).text == "Số nhà tôi là 12"
    assert default_storage.exists(ResultDocument.objects.get(dossier=dossier).pdf.name)


def test_the_procedures_retention_period_replaces_the_default(old, settings):
    dossier, _ = old
    dossier.procedure.retention_years = 20
    dossier.procedure.save(update_fields=["retention_years"])

    call_command("purge_expired")
    dossier.refresh_from_db()
    assert dossier.purged_at is None

    settings.RETENTION_DEFAULT_YEARS = 30
    dossier.procedure.retention_years = 5
    dossier.procedure.save(update_fields=["retention_years"])
    call_command("purge_expired")
    dossier.refresh_from_db()
    assert dossier.purged_at is not None


def test_an_open_dossier_is_never_purged_however_old(org, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    Dossier.objects.filter(pk=dossier.pk).update(
        submitted_at=timezone.now() - ELEVEN_YEARS, finished_at=timezone.now() - ELEVEN_YEARS
    )
    call_command("purge_expired")
    dossier.refresh_from_db()
    assert dossier.purged_at is None and dossier.applicant_name


def test_a_dry_run_changes_nothing(old, capsys):
    dossier, (attachment_name, _) = old
    audit_rows = AuditEntry.objects.count()

    call_command("purge_expired", "--dry-run")

    assert "1 dossier(s) past retention" in capsys.readouterr().out
    dossier.refresh_from_db()
    assert dossier.purged_at is None and dossier.applicant_name
    assert default_storage.exists(attachment_name)
    assert AuditEntry.objects.count() == audit_rows


def test_before_counts_the_period_from_the_day_given(org, procedure, citizen):
    dossier = returned_dossier(procedure, citizen, org)
    ended_long_ago(dossier, timedelta(days=365 * 9))
    call_command("purge_expired")
    dossier.refresh_from_db()
    assert dossier.purged_at is None

    in_two_years = (timezone.localdate() + timedelta(days=2 * 366)).isoformat()
    call_command("purge_expired", "--before", in_two_years)
    dossier.refresh_from_db()
    assert dossier.purged_at is not None


def test_a_bad_before_date_is_refused_clearly(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("purge_expired", "--before", "31/12/2020")


def test_a_rerun_does_nothing_more(old, capsys):
    dossier, _ = old
    call_command("purge_expired")
    dossier.refresh_from_db()
    purged_at = dossier.purged_at
    audit_rows = AuditEntry.objects.filter(action="retention.purge").count()
    capsys.readouterr()

    call_command("purge_expired")

    assert "0 of 0 dossier(s) purged" in capsys.readouterr().out
    dossier.refresh_from_db()
    assert dossier.purged_at == purged_at
    assert AuditEntry.objects.filter(action="retention.purge").count() == audit_rows


def test_the_purge_is_in_the_audit_without_personal_data(old):
    dossier, _ = old
    name = dossier.applicant_name

    call_command("purge_expired")

    entry = AuditEntry.objects.get(action="retention.purge")
    assert entry.data["dossier_ids"] == [dossier.pk]
    assert entry.data["counts"]["dossiers.dossiers"] == 1
    assert entry.data["counts"]["results.pdf"] == 1
    assert name not in str(entry.data) and "an@example.vn" not in str(entry.data)


def test_a_failing_purger_rolls_back_its_batch_and_the_command_reports_it(old, capsys):
    dossier, (attachment_name, _) = old

    def broken(dossier_ids, files):
        Dossier.objects.filter(id__in=dossier_ids).update(postal_address="changed")
        raise RuntimeError("storage offline")

    purgers.register("broken", order=10)(broken)
    try:
        with pytest.raises(CommandError, match="1 batch"):
            call_command("purge_expired")
    finally:
        purgers._purgers = [p for p in purgers._purgers if p.app != "broken"]

    assert "failed in broken" in capsys.readouterr().err
    dossier.refresh_from_db()
    assert dossier.postal_address != "changed"  # its transaction rolled back
    assert dossier.purged_at is None  # so the whole batch is run again next time
    failed = AuditEntry.objects.get(action="retention.purge_failed")
    assert failed.data["failed"] == {"broken": "RuntimeError"}

    call_command("purge_expired")
    dossier.refresh_from_db()
    assert dossier.purged_at is not None
    assert not default_storage.exists(attachment_name)


def test_counts_per_status_and_month_are_identical_after_the_purge(old, recent):
    def counts():
        return list(
            Dossier.objects.annotate(month=TruncMonth("submitted_at"))
            .values("procedure", "receiving_agency", "status", "month")
            .annotate(n=Count("id"))
            .order_by("procedure", "status", "month")
        )

    def events():
        return list(
            DossierEvent.objects.values("action").annotate(n=Count("id")).order_by("action")
        )

    before, events_before = counts(), events()
    call_command("purge_expired")
    assert Dossier.objects.filter(purged_at__isnull=False).count() == 1
    assert counts() == before
    assert events() == events_before


def test_the_applicants_page_of_a_purged_dossier_says_it_is_archived(client, old):
    dossier, _ = old
    call_command("purge_expired")
    dossier.refresh_from_db()
    client.force_login(dossier.applicant)

    response = client.get(reverse("dossiers:detail", args=[dossier.uuid]))

    assert response.status_code == 200
    day = timezone.localtime(dossier.purged_at).strftime("%d/%m/%Y")
    assert "dữ liệu cá nhân đã được xoá ngày " + day in response.content.decode()


def test_the_officers_page_of_a_purged_dossier_says_it_is_archived(client, old, org):
    dossier, _ = old
    call_command("purge_expired")
    login_officer(client, org.desk_officer)

    response = client.get(reverse("workflow:dossier", args=[dossier.uuid]))

    assert response.status_code == 200
    assert 'id="purged-notice"' in response.content.decode()


def test_a_purged_result_answers_gone_and_its_verification_still_says_genuine(client, old):
    dossier, _ = old
    result = ResultDocument.objects.get(dossier=dossier)
    call_command("purge_expired")
    client.force_login(dossier.applicant)

    download = client.get(reverse("results:download", args=[result.pk]))
    assert download.status_code == 410
    assert "tệp của nó đã được xoá" in download.content.decode()

    token = VerifiableDocument.objects.get(result=result).token
    page = client.get(reverse("results:verify_token", args=[token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Giấy tờ hợp lệ" in text and result.number in text
    assert 'id="purged-notice"' in text


def test_the_nightly_task_can_be_switched_off(old, settings):
    dossier, _ = old
    settings.RETENTION_PURGE_ENABLED = False
    assert tasks.purge_expired() == {"skipped": True}
    dossier.refresh_from_db()
    assert dossier.purged_at is None

    settings.RETENTION_PURGE_ENABLED = True
    assert tasks.purge_expired()["purged"] == 1


def test_another_citizen_is_not_told_about_a_purged_result(client, old, other_citizen):
    dossier, _ = old
    result = ResultDocument.objects.get(dossier=dossier)
    call_command("purge_expired")
    client.force_login(other_citizen)

    assert client.get(reverse("results:download", args=[result.pk])).status_code == 404
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 404


def test_the_verification_page_no_longer_shows_whom_a_purged_result_was_issued_to(client, old):
    dossier, _ = old
    verifiable = VerifiableDocument.objects.get(result__dossier=dossier)
    shown = [v for k, v in verifiable.face.items() if k in ("holder", "operator", "object")]
    url = reverse("results:verify_token", args=[verifiable.token])
    before = client.get(url).content.decode()
    assert shown and all(str(value) in before for value in shown)

    call_command("purge_expired")

    after = client.get(url).content.decode()
    assert verifiable.number in after
    assert not any(str(value) in after for value in shown)


def test_an_issued_document_of_a_purged_dossier_answers_gone(client, old):
    dossier, _ = old
    document = IssuedDocument.objects.filter(dossier=dossier).first()
    call_command("purge_expired")
    client.force_login(dossier.applicant)

    for name in ("pdf", "html"):
        response = client.get(reverse(f"documents:{name}", args=[dossier.uuid, document.pk]))
        assert response.status_code == 410


def test_receipts_shipments_and_ratings_keep_their_figures_and_lose_the_persons_data(
    client, old, org
):
    dossier, _ = old
    charge = Charge.objects.create(dossier=dossier, amount=50000, lines=[])
    payment = Payment.objects.create(
        dossier=dossier,
        charge=charge,
        reference="TEST-RETENTION-1",
        method=Payment.Method.COUNTER,
        gateway_name="tại quầy",
        amount=50000,
        status="paid",
        paid_at=timezone.now(),
        note="Ông An nộp tiền mặt",
    )
    receipt = render_receipt(issue_receipt(payment, dossier).pk)
    pdf_name, number, sha256 = receipt.pdf.name, receipt.number, receipt.sha256
    assert default_storage.exists(pdf_name) and receipt.data["payer"]
    shipment = Shipment.objects.create(
        dossier=dossier,
        carrier="viettelpost",
        tracking_number="SB00000000042",
        recipient_name="Nguyễn Văn An",
        recipient_phone="0905123456",
        address="12 Lê Lợi, Huế",
        created_by=org.desk_officer,
    )
    scores = dict.fromkeys(FIELDS, 2) | {"complaints": None}
    rate_dossier(dossier=dossier, applicant=dossier.applicant, scores=scores, comment="riêng tư")

    call_command("purge_expired")

    receipt.refresh_from_db()
    assert (receipt.number, receipt.sha256, receipt.data["amount"]) == (number, sha256, 50000)
    assert "payer" not in receipt.data and "payer_id" not in receipt.data
    assert not default_storage.exists(pdf_name)
    payment.refresh_from_db()
    assert (payment.amount, payment.note) == (50000, "")
    shipment.refresh_from_db()
    assert shipment.tracking_number == "SB00000000042"
    assert (shipment.recipient_name, shipment.recipient_phone, shipment.address) == ("", "", "")
    rating = Rating.objects.get(dossier=dossier)
    assert rating.comment == "" and rating.attitude == 2

    client.force_login(dossier.applicant)
    response = client.get(reverse("payments:receipt", args=[dossier.uuid, receipt.pk]))
    assert response.status_code == 410


def test_the_applicants_own_words_on_the_timeline_are_hidden_once_purged(
    client, org, procedure, citizen
):
    dossier = make_submitted_dossier(procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(
        dossier_id=dossier.pk,
        action="request_withdrawal",
        actor=citizen,
        data=ReasonInput(reason="Lý do riêng: chuyển nhà tới 12 Lê Lợi"),
    )
    perform(dossier_id=dossier.pk, action="confirm_withdrawal", actor=org.desk_officer)
    Dossier.objects.filter(pk=dossier.pk).update(finished_at=timezone.now() - ELEVEN_YEARS)
    client.force_login(citizen)
    applicant_url = reverse("dossiers:detail", args=[dossier.uuid])
    officer_url = reverse("workflow:dossier", args=[dossier.uuid])
    assert "12 Lê Lợi" in client.get(applicant_url).content.decode()
    login_officer(client, org.desk_officer)
    assert "12 Lê Lợi" in client.get(officer_url).content.decode()

    call_command("purge_expired")

    client.force_login(citizen)
    applicant_page = client.get(applicant_url)
    assert applicant_page.status_code == 200
    assert "12 Lê Lợi" not in applicant_page.content.decode()
    assert "Người nộp yêu cầu rút hồ sơ" in applicant_page.content.decode()
    login_officer(client, org.desk_officer)
    officer_page = client.get(officer_url)
    assert officer_page.status_code == 200
    assert "12 Lê Lợi" not in officer_page.content.decode()


def test_the_applicants_list_still_shows_a_purged_dossier_by_its_code(client, old):
    dossier, _ = old
    call_command("purge_expired")
    client.force_login(dossier.applicant)

    response = client.get(reverse("dossiers:mine"))

    assert response.status_code == 200
    assert dossier.code in response.content.decode()
