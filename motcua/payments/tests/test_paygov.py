"""PayGov (the national payment platform) through the same services as VNPay: the plugin and
the sandbox speak the protocol to each other in one process (in_process_http)."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from motcua.core.dates import compact_time
from motcua.core.models import RejectedCall
from motcua.dossiers.models import Status
from motcua.payments import registry, settlement
from motcua.payments.contrib.paygov import protocol
from motcua.payments.contrib.paygov_sandbox.models import PayGovRequest, PayGovTransaction
from motcua.payments.models import GatewayMessage, Payment, PaymentIssue, Refund
from motcua.payments.reconciliation import reconcile
from motcua.workflow.machine import ReasonInput, perform

pytestmark = pytest.mark.django_db
IPN = "/payments/ipn/paygov/"


@pytest.fixture
def paygov():
    return registry.registry["paygov"]


@pytest.fixture
def awaiting_paygov(awaiting):
    """The dossier of a procedure that pays through PayGov, 135.000 đồng to pay."""
    awaiting.procedure.payment_gateway = "paygov"
    awaiting.procedure.save(update_fields=["payment_gateway"])
    return awaiting


@pytest.fixture
def started(awaiting_paygov, citizen, in_process_http):
    return settlement.start_online_payment(
        dossier=awaiting_paygov, applicant=citizen, plugin_id=None, client_ip="203.0.113.9"
    )


def at_platform(client, url, choice="success", bank="VCB"):
    """The payer's browser at PayGov: open the page, choose a bank and an outcome, confirm."""
    parts = urlsplit(url)
    page = client.get(parts.path, QUERY_STRING=parts.query)
    assert page.status_code == 200, page.content.decode()
    action = re.search(r'action="([^"]+/confirm/)"', page.content.decode())[1]
    return client.post(action, {"choice": choice, "bank": bank})


def notification(payment, *, code="00", amount=None, secret=None, **extra) -> dict:
    """What PayGov POSTs to our notification URL about `payment`, signed."""
    message = {
        "partnerCode": settings.PAYGOV_PARTNER_CODE,
        "orderId": payment.reference,
        "amount": str(payment.amount if amount is None else amount),
        "currency": "VND",
        "resultCode": code,
        "message": "Thanh cong",
        "transactionNo": "PG26000001",
        "bankCode": "VCB",
        "paymentMethod": "BANK",
        "payTime": compact_time(timezone.now()),
        **extra,
    }
    return protocol.sign(message, secret or settings.PAYGOV_SECRET_KEY)


def post_notification(client, message):
    return client.post(IPN, data=json.dumps(message), content_type="application/json")


def ack(response) -> str:
    answer = response.json()
    assert protocol.is_signed(answer, settings.PAYGOV_SECRET_KEY), answer
    return answer["resultCode"]


# --- The redirect ----------------------------------------------------------------------


def test_the_redirect_is_signed_and_carries_the_order(started, paygov):
    payment, url = started
    assert url.startswith("http://testserver/sandbox/paygov/pay/?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert protocol.is_signed(params, settings.PAYGOV_SECRET_KEY)
    assert params["orderId"] == payment.reference and params["amount"] == "135000"
    assert payment.dossier.code in params["orderInfo"] and params["dossierCode"]
    assert params["returnUrl"] == "http://testserver/payments/return/paygov/"
    assert params["agencyCode"] == payment.dossier.receiving_agency.identifier
    assert payment.gateway == "paygov" and payment.gateway_name == "PayGov"


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ({"amount": "1000"}, protocol.BAD_SIGNATURE),  # tampered after signing
        ({"signature": "0" * 64}, protocol.BAD_SIGNATURE),  # forged
        ({"partnerCode": "SOMEONE-ELSE"}, protocol.UNKNOWN_MERCHANT),
    ],
)
def test_the_platform_refuses_a_tampered_or_foreign_request(client, started, tamper, code):
    _payment, url = started
    params = {**dict(parse_qsl(urlsplit(url).query)), **tamper}
    page = client.get("/sandbox/paygov/pay/", params)
    assert page.status_code == 400 and f"mã lỗi {code}" in page.content.decode()
    assert not PayGovTransaction.objects.exists()


def test_the_platform_refuses_an_expired_request(client, started, paygov):
    payment, _url = started
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    payment.refresh_from_db()
    url = paygov.payment_url(payment, return_url="http://testserver/r/", client_ip="")
    parts = urlsplit(url)
    page = client.get(parts.path, QUERY_STRING=parts.query)
    assert page.status_code == 400 and "mã lỗi 07" in page.content.decode()


def test_an_order_id_replayed_with_another_amount_is_refused(client, started):
    _payment, url = started
    params = dict(parse_qsl(urlsplit(url).query))
    assert client.get("/sandbox/paygov/pay/", params).status_code == 200
    # The same page again is fine (the payer reloads it) ...
    assert client.get("/sandbox/paygov/pay/", params).status_code == 200
    # ... but the same order id, signed, for another amount is not.
    other = protocol.sign({**params, "amount": "1000"}, settings.PAYGOV_SECRET_KEY)
    page = client.get("/sandbox/paygov/pay/", other)
    assert page.status_code == 400 and "mã lỗi 06" in page.content.decode()
    assert PayGovTransaction.objects.get().amount == 135_000


# --- Paying, the return and the notification ----------------------------------------------


def test_paying_at_paygov_notifies_and_returns(
    client, started, citizen, in_process_http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = at_platform(client, url, "success", bank="VNPTMONEY")
    assert response.status_code == 302
    assert ("POST", "http://testserver/payments/ipn/paygov/") in in_process_http.calls
    txn = PayGovTransaction.objects.get()
    assert txn.notified and txn.notify_attempts == 1 and '"resultCode": "00"' in txn.notify_answer
    back = client.get(response["Location"])
    assert "Đã thanh toán thành công" in back.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via, payment.bank_code) == ("paid", "ipn", "VNPTMONEY")
    assert payment.gateway_transaction_no == txn.transaction_no
    assert payment.dossier.status == Status.PROCESSING
    assert payment.receipt.number


def test_a_cancelled_payment_is_recorded_and_the_fee_stays_due(
    client, started, citizen, in_process_http, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        at_platform(client, url, "cancel")
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_code) == ("cancelled", "24")
    assert payment.dossier.status == Status.AWAITING_PAYMENT


def test_a_replayed_notification_is_a_duplicate_and_changes_nothing(client, started):
    payment, _url = started
    message = notification(payment)
    assert ack(post_notification(client, message)) == "00"
    assert ack(post_notification(client, message)) == "02"
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.receipt
    assert GatewayMessage.objects.filter(kind="ipn").count() == 2
    assert Payment.objects.filter(status="paid").count() == 1


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        ({"secret": "not-our-secret"}, "bad_signature"),
        ({"partnerCode": "SOMEONE-ELSE"}, "unknown_terminal"),
    ],
)
def test_a_forged_notification_is_refused_and_counted(client, started, forge, reason):
    payment, _url = started
    assert ack(post_notification(client, notification(payment, **forge))) == "97"
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert RejectedCall.objects.get(source="paygov", kind="ipn").reason == reason


def test_a_notification_tampered_after_signing_is_refused(client, started):
    payment, _url = started
    message = {**notification(payment, code="51"), "resultCode": "00"}
    assert ack(post_notification(client, message)) == "97"
    payment.refresh_from_db()
    assert payment.status == "pending"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"amount": 1}', b""])
def test_junk_notifications_never_raise(client, started, body):
    response = client.post(IPN, data=body, content_type="application/json")
    assert response.status_code == 200 and ack(response) == "97"


def test_the_notification_is_a_post(client, started):
    payment, _url = started
    assert client.get(IPN, notification(payment)).status_code == 405
    assert client.post("/payments/ipn/vnpay/", {}).status_code == 405  # VNPay's is a GET


def test_a_wrong_amount_is_refused_and_flagged(client, started):
    payment, _url = started
    assert ack(post_notification(client, notification(payment, amount=1_000))) == "04"
    payment.refresh_from_db()
    assert payment.status == "pending"
    issue = PaymentIssue.objects.get(kind="amount")
    assert issue.details["notified"] == 1_000 and issue.gateway == "paygov"


def test_an_unknown_order_is_answered_not_found(client, started):
    payment, _url = started
    payment.reference = "MC000000UNKNOWN"
    assert ack(post_notification(client, notification(payment))) == "01"


def test_an_unacknowledged_notification_is_sent_again(
    client, started, citizen, in_process_http, django_capture_on_commit_callbacks, settings
):
    settings.SANDBOX_PAYGOV_NOTIFY_ATTEMPTS = 3
    _payment, url = started
    in_process_http.fail(IPN, requests.ConnectionError("merchant unreachable"))
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        at_platform(client, url, "success")
    txn = PayGovTransaction.objects.get()
    assert txn.notify_attempts == 3 and not txn.notified and "unreachable" in txn.notify_answer


# --- Lost notification, query, polling ------------------------------------------------------


def test_a_lost_notification_is_recovered_by_the_return_page(
    client, started, citizen, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = at_platform(client, url, "lost")
    assert PayGovTransaction.objects.get().notify_attempts == 0
    client.get(response["Location"])
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("paid", "poll")


def test_a_lost_notification_and_no_return_are_recovered_by_poll_payments(
    client, started, citizen, django_capture_on_commit_callbacks
):
    payment, url = started
    with django_capture_on_commit_callbacks(execute=True):
        at_platform(client, url, "lost")  # and the browser never comes back
    assert Payment.objects.get().status == "pending"
    call_command("poll_payments", "--min-age", "0", stdout=open("/dev/null", "w"))  # noqa: SIM115
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("paid", "poll")
    assert payment.dossier.status == Status.PROCESSING


def test_the_query_answers_pending_and_not_found(client, started, paygov):
    payment, url = started
    assert paygov.query(payment).status == "not_found"  # the payer never reached PayGov
    parts = urlsplit(url)
    client.get(parts.path, QUERY_STRING=parts.query)
    result = paygov.query(payment)
    assert (result.status, result.amount) == ("pending", 135_000)


def _api(endpoint, body, *, secret=None):
    from django.test import Client

    message = protocol.sign(body, secret or settings.PAYGOV_SECRET_KEY)
    return (
        Client()
        .post(
            f"/sandbox/paygov/api/v1/{endpoint}",
            data=json.dumps(message),
            content_type="application/json",
        )
        .json()
    )


def _request(**fields):
    return {
        "partnerCode": settings.PAYGOV_PARTNER_CODE,
        "requestId": "req-1",
        "requestTime": compact_time(timezone.now()),
        **fields,
    }


def test_the_api_refuses_forged_stale_foreign_and_replayed_requests(started):
    payment, _url = started
    order = {"orderId": payment.reference}
    assert _api("query", _request(**order), secret="forged")["resultCode"] == "97"
    stale = compact_time(timezone.now() - timedelta(minutes=10))
    assert _api("query", _request(requestTime=stale, **order))["resultCode"] == "07"
    foreign = _request(partnerCode="SOMEONE-ELSE", **order)
    assert _api("query", foreign)["resultCode"] == "05"
    assert _api("query", _request(**order))["resultCode"] == "01"
    assert _api("query", _request(**order))["resultCode"] == "08"  # the same requestId again
    assert PayGovRequest.objects.count() == 1


def test_an_api_answer_that_is_not_signed_is_not_believed(started, paygov, monkeypatch):
    payment, _url = started
    monkeypatch.setattr(settings, "SANDBOX_PAYGOV_SECRET_KEY", "another-secret")
    with pytest.raises(registry.GatewayError, match="signature"):
        paygov.query(payment)


def test_an_old_answer_replayed_is_not_believed(started, paygov, monkeypatch):
    payment, _url = started
    now = timezone.now()
    # The platform's clock says ten minutes ago: its answer reads as stale.
    monkeypatch.setattr(
        "motcua.payments.contrib.paygov_sandbox.platform.now", lambda: now - timedelta(minutes=10)
    )
    with pytest.raises(registry.GatewayError, match="too old"):
        paygov.query(payment)


def test_an_unreachable_platform_leaves_the_payment_pending(started, in_process_http):
    payment, _url = started
    in_process_http.fail("/sandbox/paygov/api/", requests.Timeout("read timed out"))
    assert settlement.poll_payment(payment) == "error"
    payment.refresh_from_db()
    assert payment.status == "pending"


# --- Reconciliation and refunds -------------------------------------------------------------


def test_reconciliation_compares_the_daily_list(
    client, started, citizen, django_capture_on_commit_callbacks
):
    payment, url = started
    with django_capture_on_commit_callbacks(execute=True):
        at_platform(client, url, "success")
    day = timezone.localdate(payment.created_at)
    outcome = reconcile(day, gateway_ids=["paygov"])[0]
    assert (outcome.run.gateway_count, outcome.run.our_count, outcome.issues) == (1, 1, [])
    # PayGov has a paid order we do not know.
    PayGovTransaction.objects.create(
        partner_code=settings.PAYGOV_PARTNER_CODE,
        order_id="MCFOREIGN01",
        amount=50_000,
        order_info="x",
        request_time=compact_time(payment.created_at),
        expire_time=compact_time(payment.created_at),
        return_url="http://testserver/",
        outcome="success",
    )
    outcome = reconcile(day, gateway_ids=["paygov"])[0]
    assert [i.kind for i in outcome.issues] == ["missing_here"]


def test_a_stopped_dossier_is_refunded_through_paygov(
    client, started, org, django_capture_on_commit_callbacks
):
    payment, url = started
    with django_capture_on_commit_callbacks(execute=True):
        at_platform(client, url, "success")
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            dossier_id=payment.dossier_id,
            action="stop",
            actor=org.specialist,
            data=ReasonInput(reason="Hồ sơ không đủ điều kiện cấp."),
        )
    refund = Refund.objects.get()
    assert (refund.status, refund.gateway_code) == ("done", "00")
    assert PayGovTransaction.objects.get().refunded_amount == 135_000


# --- The gateway of a procedure -------------------------------------------------------------


def test_the_settings_check_knows_paygov(paygov, settings):
    assert paygov.config_problems() == []
    settings.PAYGOV_SECRET_KEY = ""
    assert paygov.config_problems() == ["PAYGOV_SECRET_KEY is not set."]


# --- Review fixes: non-ASCII signatures, one gateway's word about another's payment -----


def test_a_non_ascii_signature_is_a_bad_signature_not_an_error(client, started):
    payment, _url = started
    message = {**notification(payment), protocol.SIGNATURE: "chữ-ký-giả"}
    assert ack(post_notification(client, message)) == "97"
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert RejectedCall.objects.get(source="paygov", kind="ipn").reason == "bad_signature"


def test_an_api_answer_with_a_non_ascii_signature_is_a_gateway_error(started, paygov, monkeypatch):
    payment, _url = started

    class Answer:
        def json(self):
            return {"resultCode": "00", protocol.SIGNATURE: "chữ-ký"}

    monkeypatch.setattr(
        "motcua.payments.contrib.paygov.plugin.requests.post", lambda *a, **kw: Answer()
    )
    with pytest.raises(registry.GatewayError, match="signature"):
        paygov.query(payment)


def test_paygov_cannot_settle_a_payment_made_through_vnpay(
    client, awaiting, citizen, in_process_http
):
    payment, _url = settlement.start_online_payment(
        dossier=awaiting, applicant=citizen, plugin_id="vnpay", client_ip="203.0.113.9"
    )
    assert payment.gateway == "vnpay"
    # Correctly signed by PayGov, about the reference of VNPay's payment: not ours to settle.
    assert ack(post_notification(client, notification(payment))) == "01"
    payment.refresh_from_db()
    assert payment.status == "pending"
    verdict, found = settlement.settle(
        payment.reference,
        registry.GatewayResult(reference=payment.reference, status="paid", amount=payment.amount),
        via="ipn",
        gateway="paygov",
    )
    assert (verdict, found) == (registry.NOT_FOUND, None)
