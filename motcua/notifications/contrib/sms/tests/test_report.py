"""The provider's delivery reports: signed by the gateway, verified here, published once as
core.events.DeliveryReported for the notification's delivery record."""

import json
import time

import pytest
from django.conf import settings
from django.urls import reverse

from motcua.core.models import OutboxEvent, RejectedCall
from motcua.notifications.channels import Message, channels
from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms.models import SmsReport
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms

pytestmark = pytest.mark.django_db

REPORT = "/notifications/sms/report/"


def reports():
    return list(OutboxEvent.objects.filter(name="notification.delivery_reported"))


def send_and_report(number, django_capture_on_commit_callbacks):
    message = Message(subject="", text="Hồ sơ đã có kết quả.", link="https://x.vn/h")
    with django_capture_on_commit_callbacks(execute=True):
        return channels["sms"].send(address=number, message=message, reference="d-1")


def post(client, data: dict, *, secret=None, timestamp=None):
    body = json.dumps(data).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = protocol.sign(body, stamp, secret or settings.SMS_CALLBACK_SECRET)
    return client.post(
        REPORT,
        data=body,
        content_type="application/json",
        headers={"X-Timestamp": stamp, "X-Signature": signature},
    )


def test_the_report_url_is_the_one_the_gateway_calls():
    assert reverse("sms:report") == REPORT


def test_a_delivered_report_lands_in_the_outbox(http, django_capture_on_commit_callbacks):
    sent = send_and_report("0912345678", django_capture_on_commit_callbacks)
    [(report, answer)] = http.reports
    assert answer == {"CodeResult": "100", "Message": "OK"}
    [event] = reports()
    payload = event.payload
    assert payload["channel"] == "sms" and payload["provider_ref"] == sent.provider_ref
    assert (payload["delivered"], payload["status"], payload["reason"]) == (
        True,
        "DELIVERED",
        "",
    )
    assert payload["reported_at"]


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("0912340000", "Thuê bao không liên lạc được (UNREACHABLE)"),
        ("0912349999", "Nhà mạng từ chối tin nhắn (REJECTED)"),
    ],
)
def test_a_failure_report_carries_the_reason(
    http, django_capture_on_commit_callbacks, number, reason
):
    sent = send_and_report(number, django_capture_on_commit_callbacks)
    [event] = reports()
    assert event.payload["provider_ref"] == sent.provider_ref
    assert (event.payload["delivered"], event.payload["status"]) == (False, "FAILED")
    assert event.payload["reason"] == reason
    assert SandboxSms.objects.get().status == SandboxSms.Status.FAILED


def test_a_repeated_report_is_answered_but_published_once(
    http, client, django_capture_on_commit_callbacks
):
    send_and_report("0912345678", django_capture_on_commit_callbacks)
    [(report, _answer)] = http.reports
    again = post(client, report)
    assert again.status_code == 200 and again.json()["CodeResult"] == "100"
    assert len(reports()) == 1 and SmsReport.objects.count() == 1


@pytest.mark.parametrize(
    ("secret", "age", "reason"),
    [("guessed-secret", 0, "signature"), (None, 3600, "timestamp")],
)
def test_a_forged_or_replayed_report_writes_nothing_and_is_counted(client, secret, age, reason):
    data = {"SMSID": "abc", "Status": "FAILED", "Reason": "forged"}
    answer = post(client, data, secret=secret, timestamp=int(time.time()) - age)
    assert answer.status_code == 401 and answer.json()["CodeResult"] == "101"
    assert reports() == [] and not SmsReport.objects.exists()
    assert RejectedCall.objects.get(source="sms", kind="report").reason == reason


def test_an_unsigned_report_is_refused(client):
    answer = client.post(REPORT, data={"SMSID": "abc", "Status": "DELIVERED"})
    assert answer.status_code == 401 and reports() == []


def test_a_signed_report_of_an_unknown_shape_is_refused(client):
    answer = post(client, {"SMSID": "abc", "Status": "MAYBE"})
    assert answer.status_code == 400 and answer.json()["CodeResult"] == "108"
    assert reports() == []


def test_without_a_callback_secret_every_report_is_refused(client, settings):
    data = {"SMSID": "abc", "Status": "DELIVERED"}
    body = json.dumps(data).encode()
    settings.SMS_CALLBACK_SECRET = ""
    stamp = str(int(time.time()))
    answer = client.post(
        REPORT,
        data=body,
        content_type="application/json",
        headers={"X-Timestamp": stamp, "X-Signature": protocol.sign(body, stamp, "")},
    )
    assert answer.status_code == 401 and reports() == []


def test_a_report_is_only_taken_by_post(client):
    assert client.get(REPORT).status_code == 405
