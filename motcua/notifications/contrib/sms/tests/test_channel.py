"""The SMS channel against the sandbox gateway, through the same views a provider's client
would call: what is sent, what comes back, and which failures are worth retrying."""

import pytest
import requests

from motcua.notifications.channels import ChannelError, Message, channels
from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms.plugin import SmsChannel
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms

pytestmark = pytest.mark.django_db

LINK = "https://dichvucong.example.vn/ho-so/7f0c2a"
MESSAGE = Message(
    subject="Hồ sơ đã được tiếp nhận",
    text="Hồ sơ G22.36-251110-0001 của Ông Đặng Văn Đức đã được tiếp nhận.",
    link=LINK,
)


def send(address="0912 345 678", message=MESSAGE, reference="delivery-1"):
    return channels["sms"].send(address=address, message=message, reference=reference)


def test_it_is_registered_as_the_sms_channel():
    assert isinstance(channels["sms"], SmsChannel)


def test_an_sms_reaches_the_sandbox_phone_without_diacritics(
    http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send()
    sms = SandboxSms.objects.get()
    assert sent.provider_ref == sms.message_id and not sent.delivered
    assert sms.phone == "84912345678"
    assert sms.content == (
        "Ho so G22.36-251110-0001 cua Ong Dang Van Duc da duoc tiep nhan. " + LINK
    )
    assert sms.status == SandboxSms.Status.DELIVERED


def test_the_same_reference_twice_gives_the_same_message_id_and_one_sms(http):
    first = send(reference="delivery-7")
    again = send(reference="delivery-7")
    assert first.provider_ref == again.provider_ref
    assert SandboxSms.objects.count() == 1
    assert send(reference="delivery-8").provider_ref != first.provider_ref


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0912345678", "84912345678"),
        ("0912 345 678", "84912345678"),
        ("+84 912.345.678", "84912345678"),
        ("84912345678", "84912345678"),
        ("0084912345678", "84912345678"),
        ("(037) 123-4567", "84371234567"),
        ("0212345678", None),  # no mobile network starts with 02
        ("091234567", None),  # nine digits
        ("09123456789", None),
        ("+1 415 555 0100", None),
        ("", None),
        ("số của tôi", None),
    ],
)
def test_phone_numbers_are_normalised_to_the_84_form(raw, normalised):
    assert protocol.normalise_phone(raw) == normalised


def test_an_invalid_number_is_refused_permanently_without_calling_the_provider(http):
    with pytest.raises(ChannelError) as refused:
        send(address="0212345678")
    assert refused.value.permanent and refused.value.code == "105"
    assert http.calls == [] and not SandboxSms.objects.exists()


def test_the_address_is_the_users_phone_normalised(citizen, django_user_model):
    assert channels["sms"].address(citizen) == "84912345678"
    citizen.phone = None
    assert channels["sms"].address(citizen) == ""


def test_diacritics_are_removed_including_d_with_stroke():
    assert protocol.to_gsm("ĐĂNG KÝ đổi Giấy phép – “ưu tiên”…") == (
        'DANG KY doi Giay phep - "uu tien"...'
    )
    assert protocol.is_gsm(protocol.to_gsm("Phí 135.000 ₫ — Quảng Ngãi\tđã nộp"))


def test_a_long_text_is_shortened_within_two_segments_and_keeps_the_link(settings):
    settings.SMS_MAX_SEGMENTS = 2
    long = Message(subject="", text="Hồ sơ của bạn cần bổ sung giấy tờ. " * 20, link=LINK)
    content = channels["sms"].content(long)
    assert protocol.gsm_length(content) <= 2 * protocol.GSM_JOINED
    assert content.endswith("... " + LINK)
    assert content.startswith("Ho so cua ban can bo sung giay to.")
    settings.SMS_MAX_SEGMENTS = 1
    assert protocol.segments(channels["sms"].content(long)) == 1


def test_a_short_text_is_left_whole_and_its_link_not_repeated():
    message = Message(subject="", text=f"Xem hồ sơ tại {LINK}", link=LINK)
    assert channels["sms"].content(message) == f"Xem ho so tai {LINK}"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"SMS_API_KEY": "khoa-sai"}, "101"),
        ({"SMS_API_SECRET": "bi-mat-sai"}, "101"),
        ({"SMS_BRANDNAME": "KHAC"}, "104"),
    ],
)
def test_a_refused_account_or_brandname_is_a_permanent_failure(http, settings, change, code):
    for name, value in change.items():
        setattr(settings, name, value)
    with pytest.raises(ChannelError) as refused:
        send()
    assert (refused.value.code, refused.value.permanent) == (code, True)
    assert not SandboxSms.objects.exists()


def test_content_the_gateway_refuses_is_a_permanent_failure(http, monkeypatch):
    monkeypatch.setattr(SmsChannel, "content", lambda self, message: "Hồ sơ có dấu")
    with pytest.raises(ChannelError) as refused:
        send()
    assert (refused.value.code, refused.value.permanent) == ("106", True)


@pytest.mark.parametrize(("number", "code"), [("0912345555", "99"), ("0912347777", "107")])
def test_a_busy_or_rate_limited_provider_is_a_temporary_failure(http, number, code):
    with pytest.raises(ChannelError) as refused:
        send(address=number)
    assert (refused.value.code, refused.value.permanent) == (code, False)


@pytest.mark.parametrize(
    "error", [requests.Timeout("read timed out"), requests.ConnectionError("refused")]
)
def test_a_timeout_or_network_error_is_a_temporary_failure(http, error):
    http.fail = error
    with pytest.raises(ChannelError) as refused:
        send()
    assert (refused.value.code, refused.value.permanent) == ("network", False)


def test_the_provider_is_given_a_short_timeout(http, settings):
    settings.SMS_HTTP_TIMEOUT = 5
    send()
    assert http.calls == [("/sandbox/sms/api/send", 5)]


def test_without_configuration_nothing_is_sent(http, settings):
    settings.SMS_API_SECRET = ""
    with pytest.raises(ChannelError) as refused:
        send()
    assert refused.value.permanent and http.calls == []
