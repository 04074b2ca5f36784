"""Notifications arriving at once: exactly one settles the payment."""

import threading

import pytest
from django.db import connection
from django.test import Client

from motcua.dossiers.models import DossierEvent, Status
from motcua.payments.models import Payment, Receipt
from motcua.payments.tests.conftest import callback_params

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]


def test_concurrent_notifications_settle_exactly_once(started):
    payment, _url = started
    params = callback_params(payment)
    barrier = threading.Barrier(6)
    answers = []

    def notify():
        try:
            barrier.wait()
            answers.append(Client().get("/payments/ipn/vnpay/", params).json()["RspCode"])
        finally:
            connection.close()

    threads = [threading.Thread(target=notify) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["00", "02", "02", "02", "02", "02"]
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.dossier.status == Status.PROCESSING
    assert Payment.objects.filter(status="paid").count() == 1
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(action="payment_received").count() == 1
