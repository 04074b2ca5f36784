"""Each step of the registers' protocol, plugin against sandbox in one process."""

import time

import pytest
import requests
from django.core.cache import cache
from joserfc import jwt
from joserfc.jwk import OctKey

from motcua.registers import protocol
from motcua.registers.contrib.sandbox import views as sandbox
from motcua.registers.models import Lookup
from motcua.registers.registry import NotFound, Purpose, Refused, Unavailable
from motcua.registers.services import key_hash, look_up

pytestmark = pytest.mark.django_db

PURPOSE = Purpose("2.002288", "Xử lý thủ tục hành chính")
TOKEN = "/sandbox/registers/oauth2/token"


def paths(http):
    return [url.split("testserver", 1)[1] for _method, url in http.calls]


def test_each_register_answers_in_our_names(in_process_http):
    person = look_up(
        register="population", key="046190012345", purpose=PURPOSE, user_id=7, dossier_id=3
    )
    assert person.attributes["full_name"] == "Lê Thị Thu Hà"
    assert person.attributes["date_of_birth"] == "1990-03-15"  # the register says 15/03/1990
    assert person.attributes["gender"] == "female"
    company = look_up(register="business", key="3300123456", purpose=PURPOSE, user_id=7)
    assert company.attributes["name"] == "Công ty TNHH Vận tải Hương Giang"
    assert company.attributes["representative"] == "Trần Văn Bình"
    assert company.attributes["type"] == "enterprise"
    assert company.attributes["permitted_types"] == ["contract", "tourism"]
    vehicle = look_up(register="vehicles", key=" 75b 012.34", purpose=PURPOSE, user_id=7)
    assert vehicle.key == "75B-012.34"
    assert vehicle.attributes["chassis_no"] == "WF0XXXTTGXMK12345"
    assert vehicle.attributes["vehicle_class"] == "Ô tô khách"
    assert vehicle.attributes["seats"] == 16
    assert vehicle.reference and len(vehicle.reference) == 32

    lookups = list(Lookup.objects.order_by("id"))
    assert [lk.outcome for lk in lookups] == ["found"] * 3
    first = lookups[0]
    # The person's ID number is not kept readable; the hash finds it for whoever knows it.
    assert first.key_masked == "*********345"
    assert first.key_hash == key_hash("population", "046190012345")
    assert (first.requested_by_id, first.dossier_id) == (7, 3)
    assert (first.purpose_code, first.purpose) == ("2.002288", "Xử lý thủ tục hành chính")
    assert first.reference == person.reference
    assert lookups[2].key_masked == "75B-012.34"


def test_the_token_is_fetched_once_and_kept(in_process_http):
    look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    look_up(register="vehicles", key="75B-015.67", purpose=PURPOSE, user_id=1)
    assert paths(in_process_http).count(TOKEN) == 1
    # Each register has its own token (scope).
    look_up(register="business", key="3300123456", purpose=PURPOSE, user_id=1)
    assert paths(in_process_http).count(TOKEN) == 2


def test_wrong_client_credentials_are_refused(in_process_http, settings):
    settings.REGISTERS_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(Refused) as refused:
        look_up(register="business", key="3300123456", purpose=PURPOSE, user_id=1)
    assert refused.value.code == protocol.INVALID_CLIENT
    assert "từ chối" in refused.value.message
    lookup = Lookup.objects.get()
    assert (lookup.outcome, lookup.error_code) == ("refused", "INVALID_CLIENT")


def _forged(claims: dict, secret: bytes = b"token:a-guessed-secret-of-enough-length") -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret))


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_a_forged_or_expired_token_gets_401_and_a_new_token_is_fetched(
    in_process_http, settings, kind
):
    now = int(time.time())
    claims = {
        "iss": sandbox.ISSUER,
        "sub": settings.SANDBOX_REGISTERS_CLIENT_ID,
        "scope": "vehicles",
        "iat": now - 600,
        "exp": now + 600,
    }
    if kind == "expired":
        claims["exp"] = now - 1
        stale = jwt.encode({"alg": "HS256"}, claims, sandbox._key())
    else:
        stale = _forged(claims)
    # The sandbox says 401 with its code...
    answer = requests.post(
        f"http://testserver{protocol.SANDBOX_TOKEN_PATH.replace('oauth2/token', '')}"
        "vehicles/v1/vehicles/query",
        json={"requestId": "r1", "bienSo": "75B-012.34"},
        headers={"Authorization": f"Bearer {stale}", "X-Request-ID": "r1"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == (
        protocol.TOKEN_EXPIRED if kind == "expired" else protocol.INVALID_TOKEN
    )
    # ...and the connector, holding that token, fetches a new one and asks again.
    cache.set(protocol._cache_key("vehicles"), stale, 600)
    record = look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert record.attributes["plate"] == "75B-012.34"
    assert paths(in_process_http).count(TOKEN) == 1


def test_a_token_for_another_register_is_refused(in_process_http):
    token = protocol.fetch_token("business", label="x", deadline=time.monotonic() + 5)
    cache.set(protocol._cache_key("population"), token, 600)
    # Refused (401), replaced once: the new token is for the right scope.
    assert look_up(register="population", key="046190012345", purpose=PURPOSE, user_id=1)
    assert paths(in_process_http).count(TOKEN) == 2


def test_the_population_database_requires_a_purpose(in_process_http):
    token = protocol.fetch_token("population", label="x", deadline=time.monotonic() + 5)
    answer = requests.post(
        "http://testserver/sandbox/registers/population/v1/citizens/query",
        json={"requestId": "r2", "soDinhDanh": "046190012345"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "r2"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == protocol.PURPOSE_REQUIRED
    # The connector always sends one; a connector that forgot would be refused.
    with pytest.raises(Refused) as refused:
        look_up(register="population", key="046190012345", purpose=Purpose("", ""), user_id=1)
    assert refused.value.code == protocol.PURPOSE_REQUIRED


def test_not_found(in_process_http):
    with pytest.raises(NotFound) as missing:
        look_up(register="business", key="0100109106", purpose=PURPOSE, user_id=1, dossier_id=9)
    assert missing.value.code == protocol.NOT_FOUND
    assert "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp không có thông tin" in (
        missing.value.message
    )
    lookup = Lookup.objects.get()
    assert (lookup.outcome, lookup.error_code, lookup.dossier_id) == ("not_found", "NOT_FOUND", 9)


def test_a_key_of_the_wrong_form_is_not_sent(in_process_http):
    with pytest.raises(NotFound) as missing:
        look_up(register="population", key="12345", purpose=PURPOSE, user_id=1)
    assert missing.value.code == "INVALID_KEY"
    assert in_process_http.calls == []
    assert Lookup.objects.get().outcome == "not_found"


def test_unavailable_503(in_process_http):
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="29A-999.98", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.UNAVAILABLE
    assert "Chưa kết nối được với Cơ sở dữ liệu đăng ký xe" in down.value.message
    assert Lookup.objects.get().outcome == "unavailable"


def test_timeout_of_the_connection(in_process_http):
    in_process_http.fail("/sandbox/registers/vehicles/", requests.Timeout("read timed out"))
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.TIMEOUT
    lookup = Lookup.objects.get()
    assert (lookup.outcome, lookup.error_code) == ("unavailable", "TIMEOUT")


def test_timeout_of_the_token_endpoint(in_process_http):
    in_process_http.fail(TOKEN, requests.ConnectTimeout("connect timed out"))
    with pytest.raises(Unavailable) as down:
        look_up(register="business", key="3300123456", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.TIMEOUT


def test_a_slow_key_answers_after_the_deadline(in_process_http, settings):
    settings.REGISTERS_TIMEOUT = 0.2
    settings.SANDBOX_REGISTERS_SLOW_SECONDS = 0.3
    started = time.monotonic()
    with pytest.raises(Unavailable) as down:
        look_up(register="business", key="0100111225", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.TIMEOUT
    assert time.monotonic() - started < 2
    assert Lookup.objects.get().error_code == "TIMEOUT"


def test_a_connection_refused(in_process_http, settings):
    settings.REGISTERS_VEHICLES_URL = "http://registers.invalid/query"
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.CONNECTION


def test_an_answer_that_is_not_json(in_process_http, monkeypatch):
    from django.http import HttpResponse

    monkeypatch.setattr(sandbox, "_vehicle", lambda v: {"bienSo": v["plate"]})  # no chassis
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.BAD_ANSWER

    def html(request):
        return HttpResponse("<html>Bad gateway</html>", status=200)

    monkeypatch.setattr(sandbox, "_query", lambda request, **kw: html(request))
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert down.value.code == protocol.BAD_ANSWER
    assert list(Lookup.objects.values_list("outcome", flat=True)) == ["unavailable"] * 2


def test_a_register_not_connected(in_process_http, settings):
    settings.REGISTERS = ["business"]
    with pytest.raises(Unavailable) as down:
        look_up(register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1)
    assert down.value.code == "NOT_CONNECTED"
    assert in_process_http.calls == []


def test_a_registry_of_the_tests_own(in_process_http):
    from motcua.core.registry import Registry
    from motcua.registers.registry import BaseConnector, Record

    connectors = Registry("test")

    @connectors.register("vehicles")
    class Broken(BaseConnector):
        label = "Sổ xe"

        def fetch(self, *, key, purpose, request_id):
            raise RuntimeError("bug")

    with pytest.raises(Unavailable):
        look_up(
            register="vehicles", key="75B-012.34", purpose=PURPOSE, user_id=1, connectors=connectors
        )
    assert Record  # imported for the type


def test_the_sandbox_refuses_a_body_that_is_not_json(in_process_http):
    token = protocol.fetch_token("vehicles", label="x", deadline=time.monotonic() + 5)
    answer = requests.post(
        "http://testserver/sandbox/registers/vehicles/v1/vehicles/query",
        data=b"plate=1",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "r3"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == protocol.INVALID_REQUEST


def _b64url(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        # joserfc raises TypeError (not a JoseError) for a "crit" that is not a list.
        _b64url(b'{"alg":"HS256","crit":5}') + "." + _b64url(b'{"scope":"vehicles"}') + ".c2ln",
        "not-a-token",
    ],
)
def test_a_malformed_token_is_401_not_500(client, token):
    answer = client.post(
        "/sandbox/registers/vehicles/v1/vehicles/query",
        {"requestId": "r1", "bienSo": "75B-012.34"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "r1"},
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == protocol.INVALID_TOKEN


def test_a_non_ascii_client_secret_is_invalid_client(client):
    answer = client.post(
        TOKEN,
        {"grant_type": "client_credentials", "client_id": "khách", "client_secret": "bí-mật"},
    )
    assert answer.status_code == 401
