"""Every absolute address follows SITE_URL (`make demo PORT=8100` sets it from HOST and PORT)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from motcua.core.qr import qr_data_uri
from motcua.payments.contrib.sandbox import gateway
from motcua.signing.services import verify_url

SITE = "http://127.0.0.1:8100"


@pytest.fixture
def site_on_8100(settings):
    settings.SITE_URL = SITE


def test_the_gateway_redirect_returns_to_the_sites_port(client, awaiting, citizen, site_on_8100):
    client.force_login(citizen)

    response = client.post(f"/dossiers/{awaiting.uuid}/payments/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == SITE  # the sandbox gateway
    [return_url] = parse_qs(location.query)["vnp_ReturnUrl"]
    assert return_url == f"{SITE}/payments/return/vnpay/"
    assert gateway.ipn_url() == f"{SITE}/payments/ipn/vnpay/"


def test_the_tracking_qr_code_carries_the_sites_port(client, dossier, citizen, site_on_8100):
    client.force_login(citizen)

    html = client.get(reverse("dossiers:submitted", args=[dossier.uuid])).content.decode()

    assert qr_data_uri(f"{SITE}/track/?code={dossier.code}") in html
    assert qr_data_uri(f"http://127.0.0.1:8000/track/?code={dossier.code}") not in html
    assert verify_url("abc") == f"{SITE}/verify/abc/"  # the QR on results and receipts


def test_e_mailed_links_carry_the_sites_port(
    client, citizen, mailoutbox, site_on_8100, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": citizen.email})

    [mail] = mailoutbox
    links = re.findall(r"https?://[^/\s]+", mail.body)
    assert links and set(links) == {SITE}
