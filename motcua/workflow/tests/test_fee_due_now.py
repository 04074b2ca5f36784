"""The fee on "check your answers" and on the confirmation page: due now, or asked later."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Status
from motcua.dossiers.tests.helpers import complete_draft
from motcua.workflow.services import save_workflow_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_at_submission(procedure, org):
    save_workflow_version(procedure, {**org.workflow.definition, "payment_due": "submission"})
    procedure.fee_schedule = {"kind": "fixed", "amount": 190_000}
    procedure.save(update_fields=["fee_schedule"])
    return procedure


@pytest.fixture
def paid_later(procedure, org):
    save_workflow_version(procedure, {**org.workflow.definition, "payment_due": "review"})
    procedure.fee_schedule = {"kind": "fixed", "amount": 190_000}
    procedure.save(update_fields=["fee_schedule"])
    return procedure


def submit(client, dossier):
    return client.post(reverse("dossiers:submit", args=[dossier.uuid]), {"declaration": "on"})


def test_the_review_page_says_the_fee_is_due_right_after_submitting(
    client, citizen, paid_at_submission
):
    dossier = complete_draft(paid_at_submission, citizen)
    client.force_login(citizen)
    page = client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    assert "Phải nộp ngay khi nộp hồ sơ: 190.000 ₫" in page
    assert "Ngay sau khi bấm “Nộp hồ sơ”, trang xác nhận hiện nút thanh toán trực tuyến" in page
    assert "cơ quan giải quyết sẽ thông báo số tiền" not in page


def test_the_confirmation_page_shows_the_amount_and_the_pay_button(
    client, citizen, paid_at_submission
):
    dossier = complete_draft(paid_at_submission, citizen)
    client.force_login(citizen)
    response = submit(client, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    page = client.get(response["Location"]).content.decode()
    assert "Nộp phí, lệ phí ngay" in page
    assert "190.000 ₫" in page
    # The same button as on the dossier page: it starts a payment of this dossier.
    assert f'action="{reverse("payments:start", args=[dossier.uuid])}"' in page
    assert "Thanh toán trực tuyến" in page
    assert "chưa phải nộp bây giờ" not in page


def test_a_fee_asked_later_is_said_to_be_asked_later_and_offers_no_payment(
    client, citizen, paid_later
):
    dossier = complete_draft(paid_later, citizen)
    client.force_login(citizen)
    page = client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    assert "190.000 ₫" in page
    assert "Quý vị chưa phải nộp khi nộp hồ sơ" in page
    assert "Phải nộp ngay" not in page
    response = submit(client, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Phí, lệ phí chưa phải nộp bây giờ" in page
    assert "Nộp phí, lệ phí ngay" not in page
    assert reverse("payments:start", args=[dossier.uuid]) not in page


def test_a_free_procedure_says_nothing_about_paying(client, citizen, procedure, org):
    dossier = complete_draft(procedure, citizen)  # fee_vnd = 0
    client.force_login(citizen)
    response = submit(client, dossier)
    page = client.get(response["Location"]).content.decode()
    assert "Nộp phí, lệ phí ngay" not in page and "chưa phải nộp bây giờ" not in page


def test_another_applicant_cannot_see_the_confirmation_with_its_pay_button(
    client, citizen, other_citizen, paid_at_submission
):
    dossier = complete_draft(paid_at_submission, citizen)
    client.force_login(citizen)
    submit(client, dossier)
    client.force_login(other_citizen)
    response = client.get(reverse("dossiers:submitted", args=[dossier.uuid]))
    assert response.status_code == 404


def test_a_schedule_that_says_free_wins_over_an_old_published_amount(
    client, citizen, procedure, org
):
    """The confirmation page reads the fee as the charge does (catalogue.fees.fee_schedule_of):
    a "zero" schedule is free even where an amount was published before it."""
    save_workflow_version(procedure, {**org.workflow.definition, "payment_due": "review"})
    procedure.fee_schedule = {"kind": "zero"}
    procedure.fee_vnd = 50_000
    procedure.save(update_fields=["fee_schedule", "fee_vnd"])
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    page = client.get(submit(client, dossier)["Location"]).content.decode()
    assert "chưa phải nộp bây giờ" not in page and "Nộp phí, lệ phí ngay" not in page
