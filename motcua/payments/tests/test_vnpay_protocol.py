"""Signatures built exactly as VNPay's algorithm (vectors computed with openssl)."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.payments.contrib.vnpay import protocol

SECRET = "SECRETKEYDEMO1234567890"
PAY = {
    "vnp_Version": "2.1.0",
    "vnp_Command": "pay",
    "vnp_TmnCode": "DEMOV210",
    "vnp_Amount": 13500000,
    "vnp_CurrCode": "VND",
    "vnp_TxnRef": "MC260407ABCDEF",
    "vnp_OrderInfo": "Thanh toan phi ho so G12.99-260407-0001",
    "vnp_OrderType": "other",
    "vnp_Locale": "vn",
    "vnp_ReturnUrl": "https://motcua.example.vn/thanh-toan/ket-qua/vnpay/",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_CreateDate": "20260407101500",
}
# printf '%s' "<sorted, quote_plus-encoded query>" | openssl dgst -sha512 -hmac "$SECRET"
PAY_HASH = (
    "64ec890389854ffb732a55514995ffe62a06e62056cc9b0325a5cca2c6399906"
    "e23c661d55a90b5e36d9ae20307db026c6f7d55ecaaa38eff31981766981e5e6"
)
QUERY_HASH = (
    "764f0a47230ea0d0fb11cc92fdb4382bbced8570183638e713645aa598510f0b"
    "4664a51bd48f480bb9963f61bfaa71778bad8191584e271b718723ad21e3f9b5"
)


def test_redirect_query_is_sorted_encoded_and_signed_like_vnpay():
    query = protocol.sign_query(PAY, SECRET)
    assert query.startswith("vnp_Amount=13500000&vnp_Command=pay&vnp_CreateDate=")
    assert "vnp_OrderInfo=Thanh+toan+phi+ho+so+G12.99-260407-0001" in query
    assert (
        "vnp_ReturnUrl=https%3A%2F%2Fmotcua.example.vn%2Fthanh-toan%2Fket-qua%2Fvnpay%2F" in query
    )
    assert query.endswith(f"&vnp_SecureHash={PAY_HASH}")


def test_a_signed_query_verifies_and_any_change_breaks_it():
    params = dict(parse_qsl(protocol.sign_query(PAY, SECRET)))
    assert protocol.query_is_signed(params, SECRET)
    assert protocol.query_is_signed({**params, "vnp_SecureHashType": "HmacSHA512"}, SECRET)
    assert not protocol.query_is_signed({**params, "vnp_Amount": "100"}, SECRET)
    assert not protocol.query_is_signed(params, "another-secret")


def test_api_requests_are_signed_over_pipe_joined_fields():
    body = {
        "vnp_RequestId": "req1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "MC260407ABCDEF",
        "vnp_TransactionDate": "20260407101500",
        "vnp_CreateDate": "20260407103000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Truy van",
    }
    assert protocol.pipe_hash(body, protocol.QUERY_REQUEST, SECRET) == QUERY_HASH


@pytest.mark.django_db
def test_the_plugin_sends_the_applicant_to_the_configured_pay_url(started, settings):
    payment, url = started
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"{settings.SITE_URL}/sandbox/vnpay/paymentv2/vpcpay.html"
    )
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Amount"] == str(payment.amount * 100) == "13500000"
    assert params["vnp_TxnRef"] == payment.reference
    assert params["vnp_ReturnUrl"] == f"{settings.SITE_URL}/payments/return/vnpay/"
    assert protocol.query_is_signed(params, settings.VNPAY_HASH_SECRET)


@pytest.mark.django_db
def test_a_real_vnpay_is_configuration_only(started, settings):
    payment, _url = started
    settings.VNPAY_PAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = "REALTMN1", "real-secret"
    from motcua.payments.registry import registry

    url = registry["vnpay"].payment_url(payment, return_url="https://x/", client_ip="1.2.3.4")
    assert url.startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["vnp_TmnCode"] == "REALTMN1"
    assert protocol.query_is_signed(params, "real-secret")


def test_a_non_ascii_secure_hash_is_unsigned_not_a_type_error():
    assert not protocol.query_is_signed({**PAY, "vnp_SecureHash": "chữ-ký"}, SECRET)
    assert not protocol.pipe_is_signed({"vnp_SecureHash": "chữ-ký"}, ["vnp_TxnRef"], SECRET)
