"""The sandbox portal speaks its protocol: tokens, signatures, fields, idempotency, outages."""

import json
import time

import pytest
from django.test import Client
from joserfc import jwt
from joserfc.jwk import OctKey

from motcua.nationalportal.contrib.dvcqg import protocol
from motcua.nationalportal.contrib.sandbox import portal
from motcua.nationalportal.contrib.sandbox.models import SandboxStatusMessage

pytestmark = pytest.mark.django_db

TOKEN_URL = "/sandbox/dvcqg/oauth/token"
STATUS_URL = "/sandbox/dvcqg/api/v1/hoso/trangthai"


def body(**changes) -> dict:
    message = {
        "MaHoSo": "000.00.18.H56-260302-0001",
        "MaTTHC": "2.002288",
        "TenTTHC": "Cấp phù hiệu xe",
        "MaCoQuan": "000.00.18.H56",
        "TenCoQuan": "Sở Xây dựng",
        "TrangThaiHoSo": 4,
        "ThoiGianCapNhat": "20260302090000",
        "KenhNop": 2,
        "NgayTiepNhan": "20260302090000",
        "NgayHenTra": "20260304170000",
        "NguoiTiepNhan": "Nguyễn Thị Mai",
        "NguoiXuLy": "Nguyễn Thị Mai",
    }
    message.update(changes)
    return message


def send(client, message, *, token=None, message_id="m-1", secret=None, timestamp=None, raw=None):
    token = portal.issue_token(portal.client_id()) if token is None else token
    data = raw if raw is not None else json.dumps(message, ensure_ascii=False).encode()
    headers = protocol.signed_headers(
        secret or portal.signing_secret(),
        message_id,
        data,
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    return client.post(
        STATUS_URL,
        data=data,
        content_type="application/json",
        headers={**headers, "Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def http():
    portal.set_outage(False)
    yield Client()
    portal.set_outage(False)


def test_the_token_endpoint_knows_only_its_client(http, settings):
    good = http.post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic(portal.client_id(), portal.client_secret())},
    )
    assert good.status_code == 200
    assert good.json()["token_type"] == "Bearer"
    assert good.json()["expires_in"] == settings.SANDBOX_DVCQG_TOKEN_SECONDS
    wrong = http.post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic(portal.client_id(), "not-the-secret")},
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    grant = http.post(
        TOKEN_URL,
        {"grant_type": "password", "client_id": portal.client_id()},
    )
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")


def basic(client_id, secret):
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_a_well_formed_signed_message_is_taken_and_shown_on_the_public_page(http):
    answer = send(http, body())
    assert answer.status_code == 200, answer.content
    assert answer.json()["error_code"] == "0"
    row = SandboxStatusMessage.objects.get()
    assert answer.json()["reference"] == row.reference
    page = http.get("/sandbox/dvcqg/", {"ma": "000.00.18.H56-260302-0001"})
    text = page.content.decode()
    assert "Đang xử lý" in text and "Nguyễn Thị Mai" in text and "04/03/2026" in text
    missing = http.get("/sandbox/dvcqg/", {"ma": "không-có"})
    assert "Không tìm thấy hồ sơ" in missing.content.decode()


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "TOKEN_MISSING"),
        ("abc.def.ghi", "TOKEN_INVALID"),
        # Signed by someone else's key: forged.
        (
            jwt.encode(
                {"alg": "HS256"},
                {"iss": portal.ISSUER, "sub": "motcua-sandbox", "exp": int(time.time()) + 600},
                OctKey.import_key(b"k" * 32),
            ),
            "TOKEN_INVALID",
        ),
    ],
)
def test_forged_or_missing_tokens_are_refused(http, token, code):
    answer = send(http, body(), token=token or " ")
    assert (answer.status_code, answer.json()["error_code"]) == (401, code)
    assert not SandboxStatusMessage.objects.exists()


def test_expired_and_other_clients_tokens_are_refused(http):
    expired = portal.issue_token(portal.client_id(), lifetime=-1)
    answer = send(http, body(), token=expired)
    assert (answer.status_code, answer.json()["error_code"]) == (401, "TOKEN_EXPIRED")
    other = portal.issue_token("another-system")
    answer = send(http, body(), token=other)
    assert (answer.status_code, answer.json()["error_code"]) == (401, "CLIENT_UNKNOWN")
    assert not SandboxStatusMessage.objects.exists()


def test_forged_tampered_and_stale_signatures_are_refused(http):
    forged = send(http, body(), secret="not-the-signing-key")
    assert (forged.status_code, forged.json()["error_code"]) == (403, "SIGNATURE_INVALID")
    stale = send(http, body(), timestamp=int(time.time()) - protocol.TOLERANCE_SECONDS - 5)
    assert (stale.status_code, stale.json()["error_code"]) == (403, "SIGNATURE_EXPIRED")
    # Signed for one body, sent with another.
    token = portal.issue_token(portal.client_id())
    signed = json.dumps(body()).encode()
    headers = protocol.signed_headers(
        portal.signing_secret(), "m-9", signed, timestamp=int(time.time())
    )
    tampered = http.post(
        STATUS_URL,
        data=json.dumps(body(TrangThaiHoSo=10)).encode(),
        content_type="application/json",
        headers={**headers, "Authorization": f"Bearer {token}"},
    )
    assert (tampered.status_code, tampered.json()["error_code"]) == (403, "SIGNATURE_INVALID")
    assert not SandboxStatusMessage.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"MaHoSo": ""}, "FIELD_MISSING"),
        ({"MaTTHC": None}, "FIELD_MISSING"),
        ({"TrangThaiHoSo": 11}, "INVALID_STATUS"),
        ({"TrangThaiHoSo": "4"}, "INVALID_STATUS"),
        ({"TrangThaiHoSo": True}, "INVALID_STATUS"),
        ({"NgayHenTra": "04/03/2026"}, "INVALID_TIME"),
        ({"KenhNop": 7}, "INVALID_CHANNEL"),
    ],
)
def test_malformed_messages_get_400_with_their_code(http, changes, code):
    answer = send(http, body(**changes))
    assert (answer.status_code, answer.json()["error_code"]) == (400, code)
    assert not SandboxStatusMessage.objects.exists()


def test_not_json_and_no_message_id_are_400(http):
    assert send(http, {}, raw=b"not json").json()["error_code"] == "INVALID_JSON"
    answer = send(http, body(), message_id="")
    assert (answer.status_code, answer.json()["error_code"]) == (400, "MESSAGE_ID_MISSING")


def test_a_repeated_message_id_answers_the_first_answer_and_records_nothing_twice(http):
    first = send(http, body())
    again = send(http, body(TrangThaiHoSo=10))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert SandboxStatusMessage.objects.get().status == 4
    other = send(http, body(TrangThaiHoSo=10), message_id="m-2")
    assert other.json()["reference"] != first.json()["reference"]
    assert SandboxStatusMessage.objects.count() == 2


def test_the_outage_switch_answers_503_until_switched_back(http, settings):
    page = http.post("/sandbox/dvcqg/outage/", {"on": "1"})
    assert page.status_code == 302
    assert "bảo trì" in http.get("/sandbox/dvcqg/").content.decode()
    down = send(http, body())
    assert (down.status_code, down.json()["error_code"]) == (503, "MAINTENANCE")
    token = http.post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic(portal.client_id(), portal.client_secret())},
    )
    assert token.status_code == 503
    http.post("/sandbox/dvcqg/outage/", {"on": "0"})
    assert send(http, body()).status_code == 200
    settings.SANDBOX_DVCQG_OUTAGE = True
    assert send(http, body(), message_id="m-3").status_code == 503


def test_a_non_ascii_signature_is_refused_not_a_500(http):
    headers = protocol.signed_headers(portal.signing_secret(), "m-1", b"{}", timestamp=1)
    forged = {**headers, protocol.SIGNATURE: "chữ-ký"}
    assert protocol.check_signature(portal.signing_secret(), forged, b"{}", now=1) == (
        protocol.SIGNATURE_INVALID
    )
    token = portal.issue_token(portal.client_id())
    answer = http.post(
        STATUS_URL,
        data=json.dumps(body()).encode(),
        content_type="application/json",
        headers={**forged, "Authorization": f"Bearer {token}"},
    )
    assert (answer.status_code, answer.json()["error_code"]) == (403, "SIGNATURE_INVALID")


def test_a_non_ascii_client_id_or_secret_is_invalid_client_not_a_500(http):
    for client_id, secret in [("khách", "bí-mật"), (portal.client_id(), "bí-mật")]:
        answer = http.post(
            TOKEN_URL,
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")
