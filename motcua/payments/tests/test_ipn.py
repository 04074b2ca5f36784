"""The gateway's notification (IPN): verified, settled exactly once, answered in VNPay codes."""

import pytest

from motcua.core.models import RejectedCall
from motcua.dossiers.models import DossierEvent, Status
from motcua.payments.models import GatewayMessage, Payment, PaymentIssue, Receipt, Refund
from motcua.payments.tests.conftest import callback_params
from motcua.workflow.machine import ReasonInput, perform

pytestmark = pytest.mark.django_db
IPN = "/payments/ipn/vnpay/"


def ipn(client, params):
    response = client.get(IPN, params)
    assert response.status_code == 200
    return response.json()


def settled_events(dossier):
    return DossierEvent.objects.filter(dossier=dossier, action="payment_received").count()


def test_a_valid_notification_settles_the_payment_and_the_dossier_goes_on(client, started):
    payment, _url = started
    assert ipn(client, callback_params(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.settled_via == "ipn"
    assert payment.gateway_transaction_no == "14000123"
    assert payment.dossier.status == Status.PROCESSING
    assert payment.charge.status == "paid"
    assert Receipt.objects.get(payment=payment).number == "0000001"
    assert settled_events(payment.dossier) == 1
    log = GatewayMessage.objects.get(kind="ipn")
    assert (log.verdict, log.response_code, log.reference) == ("ok", "00", payment.reference)


def test_a_tampered_notification_is_refused_and_changes_nothing(client, started):
    payment, _url = started
    params = callback_params(payment)
    params["vnp_Amount"] = "100"
    assert ipn(client, params) == {"RspCode": "97", "Message": "Invalid Signature"}
    forged = callback_params(payment, secret="guessed-secret")
    assert ipn(client, forged)["RspCode"] == "97"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert payment.dossier.status == Status.AWAITING_PAYMENT
    assert not Receipt.objects.exists()
    # Forgeries are counted, not stored (test_callback_log.py).
    assert not GatewayMessage.objects.exists()
    assert RejectedCall.objects.get(reason="bad_signature").count == 2


@pytest.mark.parametrize(
    "query", ["", "?vnp_SecureHash=abc", "?vnp_Amount=x&vnp_Amount=y&vnp_SecureHash=%20", "?a=%ff"]
)
def test_malformed_notifications_get_an_answer_not_a_crash(client, started, query):
    response = client.get(IPN + query)
    assert response.status_code == 200
    assert response.json()["RspCode"] in ("97", "99")


def test_a_signed_notification_without_the_fields_is_an_error(client, started, settings):
    from motcua.payments.contrib.vnpay import protocol

    params = {"vnp_TmnCode": settings.VNPAY_TMN_CODE, "vnp_TxnRef": "X"}
    params["vnp_SecureHash"] = protocol.hmac_sha512(
        settings.VNPAY_HASH_SECRET, protocol.hash_data(params)
    )
    assert ipn(client, params)["RspCode"] == "99"


def test_duplicates_and_replays_change_nothing(client, started):
    payment, _url = started
    params = callback_params(payment)
    assert ipn(client, params)["RspCode"] == "00"
    assert ipn(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    # A later, different notification for the same order (here: "cancelled") is refused too.
    assert ipn(client, callback_params(payment, code="24"))["RspCode"] == "02"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert Payment.objects.filter(status="paid").count() == 1
    assert Receipt.objects.count() == 1
    assert settled_events(payment.dossier) == 1


def test_an_amount_mismatch_is_refused_and_flagged(client, started):
    payment, _url = started
    assert ipn(client, callback_params(payment, amount=1_000)) == {
        "RspCode": "04",
        "Message": "invalid amount",
    }
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    issue = PaymentIssue.objects.get()
    assert issue.kind == "amount" and issue.payment == payment
    assert issue.agency_id == payment.dossier.receiving_agency_id
    assert issue.details["expected"] == 135_000 and issue.details["notified"] == 1_000


def test_an_unknown_order_is_not_found(client, started, settings):
    payment, _url = started
    payment.reference = "MCNOTOURS"
    assert ipn(client, callback_params(payment))["RspCode"] == "01"


def test_a_cancelled_payment_leaves_the_dossier_waiting(client, started):
    payment, _url = started
    assert ipn(client, callback_params(payment, code="24"))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert payment.dossier.status == Status.AWAITING_PAYMENT
    assert not Receipt.objects.exists()


def test_money_arriving_after_the_dossier_was_withdrawn_is_recorded_and_refunded(
    client, started, org, citizen, http
):
    payment, _url = started
    dossier = payment.dossier
    perform(
        dossier_id=dossier.pk,
        action="request_withdrawal",
        actor=citizen,
        data=ReasonInput(reason="Không cần nữa"),
    )
    perform(dossier_id=dossier.pk, action="confirm_withdrawal", actor=org.specialist)
    assert ipn(client, callback_params(payment))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.dossier.status == Status.STOPPED
    refund = Refund.objects.get(payment=payment)
    assert refund.status == Refund.Status.REQUESTED
    assert PaymentIssue.objects.get().kind == "after_close"


def test_the_ipn_address_of_before_the_english_paths_still_answers_without_a_redirect(
    client, started
):
    """Gateways keep the IPN URL they were given and follow no redirect (decision 0019)."""
    payment, _url = started
    response = client.get("/thanh-toan/ipn/vnpay/", callback_params(payment))
    assert response.status_code == 200
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.settled_via == "ipn"
