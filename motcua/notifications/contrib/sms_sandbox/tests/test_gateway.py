"""The sandbox SMS gateway on its own: it checks what a provider checks, and shows the demo
user what each phone received."""

import json

import pytest
from django.conf import settings

from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms

pytestmark = pytest.mark.django_db

API = "/sandbox/sms/api/send"
PAGE = "/sandbox/sms/"


def call(client, data: dict, *, key=None, secret=None):
    body = json.dumps(data).encode()
    headers = {
        "X-Api-Key": key or settings.SANDBOX_SMS_API_KEY,
        **protocol.signed_headers(body, secret or settings.SANDBOX_SMS_API_SECRET),
    }
    return client.post(API, data=body, content_type="application/json", headers=headers).json()


def sms(**fields):
    return {
        "Brandname": "MOTCUA",
        "Phone": "84912345678",
        "Content": "Ho so da duoc tiep nhan.",
        "RequestId": "r-1",
        **fields,
    }


def test_a_valid_request_is_taken_and_stored(client):
    answer = call(client, sms())
    assert answer["CodeResult"] == "100" and answer["CountRegenerate"] == 1
    stored = SandboxSms.objects.get()
    assert (stored.message_id, stored.phone, stored.status) == (
        answer["SMSID"],
        "84912345678",
        "ACCEPTED",
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Brandname": "KHAC"}, "104"),
        ({"Phone": "0912345678"}, "105"),  # the API wants 84xxxxxxxxx
        ({"Phone": "84212345678"}, "105"),
        ({"Content": "Hồ sơ có dấu"}, "106"),
        ({"Content": "   "}, "106"),
        ({"Content": "x" * (3 * 153 + 1)}, "106"),
        ({"RequestId": ""}, "108"),
    ],
)
def test_what_a_provider_refuses_gets_its_code_and_is_not_stored(client, fields, code):
    assert call(client, sms(**fields))["CodeResult"] == code
    assert not SandboxSms.objects.exists()


def test_a_wrong_key_or_signature_is_refused(client):
    assert call(client, sms(), key="someone")["CodeResult"] == "101"
    assert call(client, sms(), secret="guessed")["CodeResult"] == "101"
    assert client.post(API, data={"Phone": "84912345678"}).json()["CodeResult"] == "101"
    assert not SandboxSms.objects.exists()


def test_the_page_lists_a_numbers_messages_newest_first(client):
    call(client, sms(RequestId="a", Content="Tin thu nhat"))
    call(client, sms(RequestId="b", Content="Tin thu hai"))
    call(client, sms(RequestId="c", Phone="84987654321", Content="Tin cua so khac"))
    page = client.get(PAGE, {"phone": "0912 345 678"}).content.decode()
    assert page.index("Tin thu hai") < page.index("Tin thu nhat")
    assert "Tin cua so khac" not in page
    assert "Môi trường thử nghiệm" in page  # the sandbox banner
    assert 'class="messages"' not in page  # no message shown as a notice of the site
    everything = client.get(PAGE).content.decode()
    assert "Tin cua so khac" in everything and "Tin thu nhat" in everything


def test_filtering_by_an_invalid_number_says_why_and_shows_nothing(client):
    call(client, sms())
    page = client.get(PAGE, {"phone": "12345"}).content.decode()
    assert "Nhập số di động Việt Nam gồm 10 chữ số" in page
    assert "Ho so da duoc tiep nhan" not in page
    assert 'value="12345"' in page  # what was typed is kept


def test_the_link_in_an_sms_can_be_followed_from_the_page(client):
    call(client, sms(Content="Xem ho so: https://dichvucong.example.vn/ho-so/abc"))
    page = client.get(PAGE).content.decode()
    assert 'href="https://dichvucong.example.vn/ho-so/abc"' in page
