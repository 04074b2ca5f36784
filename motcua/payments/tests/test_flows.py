"""Paying through the sandbox gateway, lost notifications, refunds, receipts, reconciliation."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.core.dates import compact_time
from motcua.core.models import OutboxEvent
from motcua.dossiers.models import DossierEvent, Status
from motcua.notifications.models import Notification
from motcua.payments import charges, receipts, settlement
from motcua.payments.contrib.sandbox.models import SandboxTransaction
from motcua.payments.models import Payment, PaymentIssue, Receipt, Refund
from motcua.payments.tests.conftest import callback_params
from motcua.workflow.machine import NoteInput, ReasonInput, perform

pytestmark = pytest.mark.django_db


def pay_at_sandbox(client, url, choice):
    """The applicant's browser at the sandbox bank page: open it, choose, confirm."""
    parts = urlsplit(url)
    page = client.get(parts.path, QUERY_STRING=parts.query)
    assert page.status_code == 200, page.content.decode()
    action = re.search(r'action="([^"]+/confirm/[^"]+)"', page.content.decode())[1]
    return client.post(action, {"choice": choice})


def test_the_applicant_starts_a_payment_and_goes_to_the_gateway(client, awaiting, citizen, http):
    client.force_login(citizen)
    response = client.post(f"/dossiers/{awaiting.uuid}/payments/")
    assert response.status_code == 302
    assert response["Location"].startswith("http://testserver/sandbox/vnpay/paymentv2/vpcpay.html?")
    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.payer) == ("pending", 135_000, citizen)


def test_only_the_applicant_may_start_a_payment(client, awaiting, other_citizen, org):
    client.force_login(other_citizen)
    assert client.post(f"/dossiers/{awaiting.uuid}/payments/").status_code == 404
    login_officer(client, org.specialist)
    assert client.post(f"/dossiers/{awaiting.uuid}/payments/").status_code == 403
    assert not Payment.objects.exists()


def test_nothing_to_pay_is_explained(client, dossier, citizen):
    client.force_login(citizen)
    response = client.post(f"/dossiers/{dossier.uuid}/payments/", follow=True)
    assert "không có khoản phí" in response.content.decode()
    assert not Payment.objects.exists()


def test_paying_at_the_sandbox_sends_the_ipn_and_returns_to_the_portal(
    client, started, citizen, http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = pay_at_sandbox(client, url, "success")
    assert http.ipn_answers == [{"RspCode": "00", "Message": "Confirm Success"}]
    assert response.status_code == 302
    back = client.get(response["Location"])
    assert "Đã thanh toán thành công" in back.content.decode()
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.settled_via == "ipn"
    assert payment.dossier.status == Status.PROCESSING
    txn = SandboxTransaction.objects.get()
    assert txn.ipn_sent and "00" in txn.ipn_answer


def test_a_declined_card_leaves_the_fee_to_pay(
    client, started, citizen, http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = pay_at_sandbox(client, url, "decline")
    back = client.get(response["Location"])
    assert "không thành công" in back.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_code) == ("failed", "51")
    assert payment.dossier.status == Status.AWAITING_PAYMENT


def test_a_lost_notification_is_recovered_by_poll_payments(
    client, started, citizen, http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_sandbox(client, url, "lost")  # the browser never comes back either
    assert http.ipn_answers == []
    payment.refresh_from_db()
    assert payment.status == "pending"
    out = io.StringIO()
    call_command("poll_payments", "--min-age", "0", stdout=out)
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.settled_via == "poll"
    assert payment.dossier.status == Status.PROCESSING
    assert Receipt.objects.filter(payment=payment).exists()
    # Polling again, or the late IPN arriving after all, changes nothing.
    call_command("poll_payments", "--min-age", "0", stdout=out)
    assert client.get("/payments/ipn/vnpay/", callback_params(payment)).json()["RspCode"] == "02"
    assert DossierEvent.objects.filter(action="payment_received").count() == 1


def test_the_return_page_polls_when_the_notification_is_late(
    client, started, citizen, http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = pay_at_sandbox(client, url, "lost")
    page = client.get(response["Location"])
    assert "Đã thanh toán thành công" in page.content.decode()
    payment.refresh_from_db()
    assert payment.settled_via == "poll"


def test_a_forged_return_shows_no_outcome(client, started):
    payment, _url = started
    params = callback_params(payment, secret="forged")
    response = client.get("/payments/return/vnpay/", params)
    assert response.status_code == 400
    assert Payment.objects.get().status == "pending"


def test_an_abandoned_payment_expires_when_the_gateway_never_saw_it(started, http):
    payment, _url = started
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert settlement.poll_pending_payments() == {"expired": 1}
    assert Payment.objects.get().status == "expired"


def test_counter_payment_then_stop_gives_the_cashier_a_refund(awaiting, org):
    perform(
        dossier_id=awaiting.pk,
        action="confirm_payment",
        actor=org.specialist,
        data=NoteInput(note="Biên lai giấy số 12"),
    )
    payment = Payment.objects.get()
    assert (payment.method, payment.status) == ("counter", "paid")
    assert Receipt.objects.filter(payment=payment).exists()
    perform(
        dossier_id=awaiting.pk,
        action="stop",
        actor=org.specialist,
        data=ReasonInput(reason="Tàu không đủ điều kiện"),
    )
    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.reason) == (
        "cashier",
        135_000,
        "Tàu không đủ điều kiện",
    )


def test_an_online_payment_is_refunded_through_the_gateway_when_the_dossier_stops(
    client, started, org, http, django_capture_on_commit_callbacks
):
    payment, _url = started
    SandboxTransaction.objects.create(
        tmn_code="MOTCUA01",
        txn_ref=payment.reference,
        amount=13_500_000,
        order_info="x",
        create_date=services_timestamp(payment),
        return_url="http://x/",
        ip_address="1",
        outcome="success",
        response_code="00",
    )
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            dossier_id=payment.dossier_id,
            action="stop",
            actor=org.specialist,
            data=ReasonInput(reason="Không đủ điều kiện"),
        )
    refund = Refund.objects.get()
    assert refund.status == "done" and refund.gateway_code == "00"
    assert SandboxTransaction.objects.get().refunded_amount == 13_500_000
    # The applicant is told, once the gateway refunded (payment.refunded, notifications).
    event = OutboxEvent.objects.get(name="payment.refunded")
    assert (event.payload["dossier_id"], event.payload["amount"]) == (
        payment.dossier_id,
        135_000,
    )
    told = Notification.objects.get(kind="payment_refunded", dossier_id=payment.dossier_id)
    assert "135.000 ₫" in told.text


def services_timestamp(payment):

    return compact_time(payment.created_at)


def test_nothing_paid_means_no_refund(dossier, org):
    perform(
        dossier_id=dossier.pk,
        action="stop",
        actor=org.specialist,
        data=ReasonInput(reason="Không đủ điều kiện"),
    )
    assert not Refund.objects.exists()


def test_receipts_are_numbered_per_agency_and_year_and_downloadable(
    client, started, citizen, other_citizen, org, make_officer
):
    payment, _url = started
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    receipt = Receipt.objects.get()
    url = f"/dossiers/{payment.dossier.uuid}/receipts/{receipt.pk}/"
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    receipt.refresh_from_db()
    assert len(receipt.sha256) == 64 and "Một trăm ba mươi lăm nghìn đồng" in receipt.html
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404
    login_officer(client, org.specialist)
    assert client.get(url).status_code == 200
    stranger = make_officer(org.agency, full_name="Cán bộ khác")
    login_officer(client, stranger)
    assert client.get(url).status_code == 404


def test_the_electronic_receipt_is_signed_and_verifiable(client, started, citizen):
    from motcua.signing.services import verify_pdf

    payment, _url = started
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    # Rendered after the commit (the test's transaction never commits: render it now).
    receipt = receipts.render_receipt(Receipt.objects.get().pk)
    pdf = receipt.pdf.read()
    verdict = verify_pdf(pdf)
    assert verdict.state == "genuine"
    assert verdict.document.kind == "fee_receipt" and verdict.document.number == receipt.number
    changed = bytearray(pdf)
    changed[len(changed) // 3] ^= 0x01
    assert verify_pdf(bytes(changed)).state != "genuine"


def test_paid_during_a_withdrawal_request_then_declined_goes_back_to_work(
    client, started, citizen, org
):
    payment, _url = started
    perform(
        dossier_id=payment.dossier_id,
        action="request_withdrawal",
        actor=citizen,
        data=ReasonInput(reason="Nộp nhầm"),
    )
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    assert charges.outstanding_amount(payment.dossier) == 0
    dossier = perform(
        dossier_id=payment.dossier_id,
        action="decline_withdrawal",
        actor=org.specialist,
        data=ReasonInput(reason="Đã nộp phí"),
    )
    assert dossier.status == Status.PROCESSING


def test_amount_in_words():
    assert receipts.amount_in_words(190_000) == "Một trăm chín mươi nghìn đồng"
    assert receipts.amount_in_words(4_500_000) == "Bốn triệu năm trăm nghìn đồng"
    assert (
        receipts.amount_in_words(1_005_021)
        == "Một triệu không trăm lẻ năm nghìn không trăm hai mươi mốt đồng"
    )


def test_reconciliation_lists_every_mismatch(started, http, org, client):
    payment, _url = started
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    day = timezone.localdate()
    stamp = services_timestamp(payment)
    SandboxTransaction.objects.create(
        tmn_code="MOTCUA01",
        txn_ref=payment.reference,
        amount=13_500_000,
        order_info="x",
        create_date=stamp,
        return_url="http://x/",
        ip_address="1",
        outcome="success",
        response_code="00",
    )
    SandboxTransaction.objects.create(
        tmn_code="MOTCUA01",
        txn_ref="MCUNKNOWN1",
        amount=5_000_000,
        order_info="x",
        create_date=stamp,
        return_url="http://x/",
        ip_address="1",
        outcome="success",
        response_code="00",
    )
    out = io.StringIO()
    call_command("reconcile_payments", "--date", day.strftime("%d/%m/%Y"), stdout=out)
    assert "sai lệch 1" in out.getvalue()
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.reference, issue.day) == ("missing_here", "MCUNKNOWN1", day)
    # Someone changes our record: the next run finds the amount no longer matches.
    Payment.objects.filter(pk=payment.pk).update(amount=100_000)
    call_command("reconcile_payments", "--date", day.strftime("%d/%m/%Y"), stdout=out)
    assert set(PaymentIssue.objects.values_list("kind", flat=True)) == {
        "missing_here",
        "amount_differs",
    }
    login_officer(client, org.admin)
    page = client.get("/officer/payments/issues/").content.decode()
    assert payment.reference in page
    login_officer(client, org.specialist)
    assert client.get("/officer/payments/issues/").status_code == 403


def test_charge_at_submission_uses_the_fee_schedule(procedure, citizen, org):
    from motcua.factories import make_submitted_dossier

    procedure.fee_schedule = {"kind": "per_item", "items": "vehicles", "amount": 50_000}
    procedure.save()
    dossier = make_submitted_dossier(procedure, citizen)
    charge = charges.charge_at_submission(dossier)
    assert charge.amount == 50_000 and charges.outstanding_amount(dossier) == 50_000
    procedure.fee_schedule = {"kind": "zero"}
    procedure.save()
    dossier.refresh_from_db()
    assert (
        charges.charge_at_submission(make_submitted_dossier(procedure, citizen, plate="75A-999.99"))
        is None
    )


def test_payment_received_sends_a_dossier_paid_at_submission_to_the_desk(
    procedure, citizen, org, client
):
    from motcua.factories import make_submitted_dossier

    procedure.fee_schedule = {"kind": "fixed", "amount": 190_000}
    procedure.save()
    dossier = make_submitted_dossier(procedure, citizen)
    charges.charge_at_submission(dossier)
    dossier.status = Status.AWAITING_PAYMENT
    dossier.save(update_fields=["status"])
    payment, _url = settlement.start_online_payment(
        dossier=dossier, applicant=citizen, plugin_id=None, client_ip="127.0.0.1"
    )
    assert client.get("/payments/ipn/vnpay/", callback_params(payment)).json()["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_the_panels_show_what_is_due_and_what_was_paid(client, started, citizen, org):
    payment, _url = started
    client.force_login(citizen)
    page = client.get(f"/dossiers/{payment.dossier.uuid}/").content.decode()
    assert "Thanh toán trực tuyến" in page and "135.000" in page
    client.get("/payments/ipn/vnpay/", callback_params(payment))
    page = client.get(f"/dossiers/{payment.dossier.uuid}/").content.decode()
    assert "Biên lai số 0000001" in page
    login_officer(client, org.specialist)
    page = client.get(f"/officer/dossiers/{payment.dossier.uuid}/").content.decode()
    assert "Biên lai số 0000001" in page and "14000123" in page


def test_the_fee_is_shown_before_submitting(client, procedure, citizen):
    from motcua.dossiers.models import Dossier

    procedure.fee_schedule = {
        "kind": "per_item",
        "items": "vehicles",
        "amount": 50_000,
        "item_label": "xe",
    }
    procedure.save()
    dossier = Dossier.objects.create(
        procedure=procedure,
        applicant=citizen,
        receiving_agency=procedure.receiving_agency,
        form_data={"vehicles": [{"plate": "75A-123.45"}, {"plate": "75A-123.46"}]},
    )
    client.force_login(citizen)
    page = client.get(f"/dossiers/{dossier.uuid}/review/").content.decode()
    assert "100.000" in page and "2 xe" in page
