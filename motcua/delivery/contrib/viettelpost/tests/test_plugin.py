"""The Viettel Post plugin on its own: registered from POSTAL_PLUGINS, reading signed reports."""

import json

import pytest
from django.conf import settings

from motcua.delivery import carriers
from motcua.delivery.carriers import InvalidCallback, get_carrier
from motcua.delivery.contrib.viettelpost.plugin import ViettelPostCarrier, sign

SECRET = settings.POSTAL_WEBHOOK_SECRET  # the sandbox's, derived from SECRET_KEY


def signed(data: dict, secret: str = SECRET) -> tuple[bytes, dict]:
    body = json.dumps({"DATA": data}).encode()
    return body, {"X-Signature": sign(body, secret)}


def test_it_is_registered_at_start_up_from_postal_plugins(settings):
    assert "motcua.delivery.contrib.viettelpost.plugin" in settings.POSTAL_PLUGINS
    assert "viettelpost" in carriers.carriers.ids()
    assert isinstance(get_carrier("viettelpost"), ViettelPostCarrier)


def test_a_signed_delivered_report_reads_as_delivered():
    body, headers = signed(
        {"ORDER_NUMBER": "SB1", "ORDER_STATUS": 501, "ORDER_STATUSDATE": "20/11/2026 10:15:00"}
    )
    report = ViettelPostCarrier().parse_callback(body, headers)
    assert (report.tracking_number, report.carrier_status, report.state) == (
        "SB1",
        "501",
        "delivered",
    )
    assert report.reported_at is not None and report.reported_at.day == 20


@pytest.mark.parametrize(
    ("data", "secret", "reason"),
    [
        ({"ORDER_NUMBER": "SB1", "ORDER_STATUS": 501}, "guessed", "signature"),
        ({"ORDER_STATUS": 501}, SECRET, "format"),
        ({"ORDER_NUMBER": "SB1", "ORDER_STATUS": 999}, SECRET, "status"),
    ],
)
def test_a_forged_malformed_or_unknown_report_is_refused(data, secret, reason):
    body, headers = signed(data, secret)
    with pytest.raises(InvalidCallback, match=reason):
        ViettelPostCarrier().parse_callback(body, headers)


def test_without_a_webhook_secret_every_report_is_refused(settings):
    settings.POSTAL_WEBHOOK_SECRET = ""
    body, _headers = signed({"ORDER_NUMBER": "SB1", "ORDER_STATUS": 501})
    with pytest.raises(InvalidCallback):
        ViettelPostCarrier().parse_callback(body, {"X-Signature": sign(body, "")})
