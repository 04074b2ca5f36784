"""Payment attempts abandoned at the gateway expire; a late "paid" still settles (decision 0049)."""

import io
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motcua.core.dates import compact_time
from motcua.dossiers.models import Status
from motcua.payments import settlement
from motcua.payments.contrib.sandbox.models import SandboxTransaction
from motcua.payments.models import Charge, Payment, PaymentIssue, Receipt, Refund
from motcua.payments.tests.conftest import callback_params
from motcua.payments.tests.test_flows import pay_at_sandbox

pytestmark = pytest.mark.django_db


def age(payment, minutes):
    """Move the attempt back in time, at the sandbox gateway too (querydr names it by its
    vnp_TransactionDate, our created_at)."""
    created = timezone.now() - timedelta(minutes=minutes)
    Payment.objects.filter(pk=payment.pk).update(created_at=created)
    SandboxTransaction.objects.filter(txn_ref=payment.reference).update(
        create_date=compact_time(created)
    )


def abandoned(payment, settings):
    """Past the link's lifetime (vnp_ExpireDate) and the margin."""
    age(payment, settings.PAYMENT_EXPIRY_MINUTES + settings.PAYMENT_EXPIRY_MARGIN_MINUTES + 1)


def unreachable(http, monkeypatch):
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("the gateway does not answer")

    monkeypatch.setattr(http, "post", refuse)


def test_the_vnpay_link_expires_after_payment_expiry_minutes(started, settings):
    payment, url = started
    expires = payment.created_at + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    assert f"vnp_ExpireDate={timezone.localtime(expires):%Y%m%d%H%M%S}" in url


def test_an_abandoned_attempt_reads_not_completed_on_the_applicants_page(
    client, started, citizen, settings
):
    payment, _url = started
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[payment.dossier.uuid])).content.decode()
    assert "Đang chờ kết quả" in page  # just started: the gateway may still answer
    abandoned(payment, settings)
    page = client.get(reverse("dossiers:detail", args=[payment.dossier.uuid])).content.decode()
    assert "Không hoàn tất (đã hết hạn)" in page and "Đang chờ kết quả" not in page
    assert "Thanh toán trực tuyến" in page  # the fee is still to pay, the button is there


def test_starting_a_new_attempt_expires_the_abandoned_one(client, started, citizen, settings):
    payment, _url = started
    abandoned(payment, settings)
    client.force_login(citizen)
    response = client.post(reverse("payments:start", args=[payment.dossier.uuid]))
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("expired", "expiry")
    newer = Payment.objects.exclude(pk=payment.pk).get()
    assert newer.status == "pending"


def test_a_new_attempt_leaves_a_recent_one_pending(client, started, citizen, settings):
    payment, _url = started
    age(payment, settings.PAYMENT_EXPIRY_MINUTES)  # expired link, within the margin
    client.force_login(citizen)
    client.post(reverse("payments:start", args=[payment.dossier.uuid]))
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_another_applicant_cannot_start_or_expire_an_attempt(
    client, started, other_citizen, settings
):
    payment, _url = started
    abandoned(payment, settings)
    client.force_login(other_citizen)
    response = client.post(reverse("payments:start", args=[payment.dossier.uuid]))
    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.status == "pending" and Payment.objects.count() == 1


def test_expire_payments_expires_abandoned_attempts_only(started, awaiting, citizen, settings):
    payment, _url = started
    abandoned(payment, settings)
    fresh, _url = settlement.start_online_payment(
        dossier=awaiting, applicant=citizen, plugin_id="vnpay", client_ip="127.0.0.1"
    )
    Payment.objects.filter(pk=payment.pk).update(status="pending", settled_via="")
    out = io.StringIO()
    call_command("expire_payments", stdout=out)
    assert "1 giao dịch" in out.getvalue()
    payment.refresh_from_db()
    fresh.refresh_from_db()
    assert payment.status == "expired" and fresh.status == "pending"


def test_poll_payments_expires_what_the_gateway_cannot_be_asked_about(
    started, http, monkeypatch, settings
):
    payment, _url = started
    abandoned(payment, settings)
    unreachable(http, monkeypatch)
    counts = settlement.poll_pending_payments(min_age_seconds=0)
    assert counts == {"error": 1, "expired": 1}
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("expired", "expiry")


def test_an_expired_attempt_the_gateway_reports_paid_settles_the_fee(client, started, settings):
    payment, _url = started
    abandoned(payment, settings)
    assert settlement.expire_abandoned_payments() == 1
    answer = client.get("/payments/ipn/vnpay/", callback_params(payment)).json()
    assert answer["RspCode"] == "00"
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("paid", "ipn")
    assert payment.charge.status == Charge.Status.PAID
    assert payment.dossier.status == Status.PROCESSING
    assert Receipt.objects.filter(payment=payment).exists()
    # The same notification again changes nothing.
    assert client.get("/payments/ipn/vnpay/", callback_params(payment)).json()["RspCode"] == "02"


def test_an_expired_attempt_the_gateway_reports_failed_stays_expired(client, started, settings):
    payment, _url = started
    abandoned(payment, settings)
    settlement.expire_abandoned_payments()
    client.get("/payments/ipn/vnpay/", callback_params(payment, code="24"))
    payment.refresh_from_db()
    assert payment.status == "expired"
    assert payment.dossier.status == Status.AWAITING_PAYMENT


def test_an_expired_attempt_paid_after_a_newer_one_is_given_back(
    client, started, citizen, settings
):
    payment, _url = started
    abandoned(payment, settings)
    client.force_login(citizen)
    client.post(reverse("payments:start", args=[payment.dossier.uuid]))  # expires the first
    newer = Payment.objects.exclude(pk=payment.pk).get()
    assert client.get("/payments/ipn/vnpay/", callback_params(newer)).json()["RspCode"] == "00"
    assert client.get("/payments/ipn/vnpay/", callback_params(payment)).json()["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert PaymentIssue.objects.get(payment=payment).kind == PaymentIssue.Kind.DUPLICATE
    assert Refund.objects.get(payment=payment).amount == payment.amount


def test_an_attempt_expired_unasked_is_settled_by_the_next_poll(
    client, started, citizen, http, settings, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_sandbox(client, url, "lost")  # paid at the gateway; we heard nothing
    abandoned(payment, settings)
    settlement.expire_abandoned_payments()
    payment.refresh_from_db()
    assert payment.status == "expired"
    settlement.poll_pending_payments(min_age_seconds=0)
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("paid", "poll")
    assert payment.dossier.status == Status.PROCESSING


def test_the_browser_coming_back_late_settles_an_expired_attempt(
    client, started, citizen, http, settings, django_capture_on_commit_callbacks
):
    payment, url = started
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = pay_at_sandbox(client, url, "lost")
    abandoned(payment, settings)
    settlement.expire_abandoned_payments()
    page = client.get(response["Location"]).content.decode()
    assert "Đã thanh toán thành công" in page
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_an_expiry_the_gateway_confirmed_is_not_asked_again(started, http, settings):
    payment, _url = started
    abandoned(payment, settings)
    assert settlement.poll_pending_payments(min_age_seconds=0) == {"expired": 1}
    payment.refresh_from_db()
    assert (payment.status, payment.settled_via) == ("expired", "poll")
    assert settlement.poll_pending_payments(min_age_seconds=0) == {}
