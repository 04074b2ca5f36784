"""What the payment callbacks leave in the database: a verified message whole, a refused one
only as a count and a short sample, however many arrive and however long they are."""

import json

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.core.models import RejectedCall, RejectedCallSample
from motcua.core.rejected_calls import SAMPLE_MAX_CHARS
from motcua.payments.models import GatewayMessage
from motcua.payments.tests.conftest import callback_params

pytestmark = pytest.mark.django_db
IPN = "/payments/ipn/vnpay/"
RETURN = "/payments/return/vnpay/"


def stored_chars(model) -> int:
    return sum(len(json.dumps(params)) for params in model.objects.values_list("params", flat=True))


def test_a_flood_of_unsigned_calls_is_counted_in_a_bounded_table(client, settings):
    settings.REJECTED_CALL_SAMPLES = 50
    # 40 KB a call: 1,000 of them grew the message table by 42 MB before.
    long_params = {f"vnp_Field{i}": "x" * 2000 for i in range(20)} | {"vnp_SecureHash": "0" * 128}
    for _ in range(1000):
        assert client.get(IPN, long_params).json()["RspCode"] == "97"
    assert not GatewayMessage.objects.exists()
    counted = RejectedCall.objects.get()
    assert (counted.source, counted.kind, counted.reason, counted.count) == (
        "vnpay",
        "ipn",
        "bad_signature",
        1000,
    )
    assert RejectedCallSample.objects.count() == 50
    assert stored_chars(RejectedCallSample) <= 50 * (SAMPLE_MAX_CHARS + 200)
    newest = RejectedCallSample.objects.first()
    assert newest.ip_address == "127.0.0.1"
    assert all(len(value) <= 200 for value in newest.params.values())


def test_each_reason_and_kind_has_its_own_count(client, started, settings):
    payment, _url = started
    client.get(IPN, callback_params(payment, secret="guessed-secret"))
    client.get(IPN, callback_params(payment, vnp_TmnCode="OTHER001"))
    client.get(RETURN, callback_params(payment, secret="guessed-secret"))
    counts = {(r.kind, r.reason): r.count for r in RejectedCall.objects.all()}
    assert counts == {
        ("ipn", "bad_signature"): 1,
        ("ipn", "unknown_terminal"): 1,
        ("return", "bad_signature"): 1,
    }
    assert not GatewayMessage.objects.exists()


def test_a_verified_notification_is_stored_whole(client, started):
    payment, _url = started
    params = callback_params(payment)
    assert client.get(IPN, params).json()["RspCode"] == "00"
    message = GatewayMessage.objects.get()
    assert (message.kind, message.verdict, message.payment) == ("ipn", "ok", payment)
    assert message.params == params
    assert not RejectedCall.objects.exists()


def test_the_admin_shows_the_counts(client, make_officer, settings):
    for _ in range(3):
        client.get(IPN, {"vnp_SecureHash": "forged"})
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    page = client.get(reverse("admin:core_rejectedcall_changelist"))
    assert page.status_code == 200
    assert '<td class="field-count">3</td>' in page.content.decode()
    assert client.get(reverse("admin:core_rejectedcallsample_changelist")).status_code == 200
