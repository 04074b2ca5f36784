"""The whole path over real HTTP: portal -> sandbox bank page -> IPN -> portal."""

import re

import pytest
import requests

from motcua.dossiers.models import Status
from motcua.payments.models import Payment, Receipt


@pytest.mark.django_db(transaction=True)
def test_paying_online_through_the_sandbox_over_http(live_server, settings, awaiting, citizen):
    settings.SITE_URL = live_server.url
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    from django.test import Client

    portal = Client()
    portal.force_login(citizen)
    browser = requests.Session()
    browser.cookies.set("sessionid", portal.cookies["sessionid"].value)
    # The applicant's button (POST with the CSRF token of the dossier page).
    page = browser.get(f"{live_server.url}/dossiers/{awaiting.uuid}/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    to_gateway = browser.post(
        f"{live_server.url}/dossiers/{awaiting.uuid}/payments/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=30,
    )
    assert to_gateway.status_code == 302
    bank = browser.get(to_gateway.headers["Location"], timeout=30)
    assert "135.000" in bank.text
    action = re.search(r'action="([^"]+/confirm/[^"]+)"', bank.text)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bank.text)[1]
    back = browser.post(
        f"{live_server.url}{action}",
        data={"csrfmiddlewaretoken": token, "choice": "success"},
        headers={"Referer": bank.url},
        timeout=60,
    )
    assert back.status_code == 200 and "Đã thanh toán thành công" in back.text
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.settled_via == "ipn"
    assert payment.dossier.status == Status.PROCESSING
    receipt = Receipt.objects.get(payment=payment)
    assert len(receipt.sha256) == 64  # rendered after commit by the (eager) task
