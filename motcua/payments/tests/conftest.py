import json as jsonlib
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from motcua.factories import make_submitted_dossier
from motcua.payments.contrib.vnpay import protocol
from motcua.payments.registry import registry
from motcua.payments.settlement import start_online_payment
from motcua.workflow.machine import RequestPaymentInput, perform

AMOUNT = 135_000


class _Answer:
    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.content
        self.text = response.content.decode()

    def json(self):
        return jsonlib.loads(self.content)


class InProcessHTTP:
    """`requests` for the plugin and the sandbox, served by the Django test client in-process.

    The same views answer as over the network (live_server tests do that); this keeps the
    other tests fast and single-threaded. `drop_ipn` loses every notification on the way.
    """

    RequestException = requests.RequestException

    def __init__(self):
        self.client = Client()
        self.drop_ipn = False
        self.ipn_answers = []

    def post(self, url, json=None, timeout=None):
        return _Answer(
            self.client.post(
                urlsplit(url).path, data=jsonlib.dumps(json), content_type="application/json"
            )
        )

    def get(self, url, timeout=None):
        if self.drop_ipn:
            raise requests.ConnectionError("IPN lost on the way")
        parts = urlsplit(url)
        answer = _Answer(self.client.get(parts.path, QUERY_STRING=parts.query))
        self.ipn_answers.append(answer.json())
        return answer


@pytest.fixture
def http(monkeypatch, settings):
    settings.SITE_URL = "http://testserver"
    transport = InProcessHTTP()
    monkeypatch.setattr("motcua.payments.contrib.vnpay.plugin.requests", transport)
    # PayGov is active too (reconciliation asks every active gateway for its list).
    monkeypatch.setattr("motcua.payments.contrib.paygov.plugin.requests", transport)
    monkeypatch.setattr("motcua.payments.contrib.sandbox.tasks.requests", transport)
    return transport


@pytest.fixture
def vnpay():
    return registry["vnpay"]


@pytest.fixture
def dossier(org, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    return dossier


@pytest.fixture
def awaiting(org, dossier):
    """A dossier whose specialist asked for 135.000 đồng (status 6, one open charge)."""
    return perform(
        dossier_id=dossier.pk,
        action="request_payment",
        actor=org.specialist,
        data=RequestPaymentInput(amount=135000),
    )


def callback_params(payment, *, code="00", amount=None, secret=None, **extra) -> dict:
    """What VNPay sends to the IPN and return URLs for `payment`, signed."""
    from django.conf import settings

    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "thanh toan phi",
        "vnp_PayDate": "20260407101600",
        "vnp_ResponseCode": code,
        "vnp_TmnCode": settings.VNPAY_TMN_CODE,
        "vnp_TransactionNo": "14000123",
        "vnp_TransactionStatus": "00" if code == "00" else "02",
        "vnp_TxnRef": payment.reference,
        **extra,
    }
    query = protocol.sign_query(params, secret or settings.VNPAY_HASH_SECRET)
    params["vnp_SecureHash"] = query.rsplit("vnp_SecureHash=", 1)[1]
    return params


@pytest.fixture
def started(awaiting, citizen):
    """An online payment the applicant started (pending) and the gateway URL."""
    return start_online_payment(
        dossier=awaiting, applicant=citizen, plugin_id="vnpay", client_ip="127.0.0.1"
    )
