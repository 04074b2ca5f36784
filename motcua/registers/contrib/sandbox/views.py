"""The sandbox of the data-sharing platform and the three registers behind it (decision 0078):
the protocol of motcua/registers/protocol.py from the register's side, answering from the
invented population of core/sandbox/people.json.

Tokens are HS256 JWTs signed with a secret of this installation; each is for one client and
one register (its scope) and lives SANDBOX_REGISTERS_TOKEN_SECONDS. A key listed as "slow"
is answered after SANDBOX_REGISTERS_SLOW_SECONDS (longer than the client waits), one listed
as "unavailable" with 503, as the real registers do when they are in trouble.
"""

import base64
import binascii
import hmac
import json
import re
import secrets
import time
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from motcua.core.sandbox import data
from motcua.registers import protocol

ISSUER = "motcua-sandbox-ndxp"
SCOPES = ("population", "business", "vehicles")


def _key() -> OctKey:
    secret = settings.SANDBOX_REGISTERS_CLIENT_SECRET or settings.SECRET_KEY
    return OctKey.import_key(f"token:{secret}".encode())


def _error(status: int, code: str, message: str, request_id: str = "") -> JsonResponse:
    response = JsonResponse(
        {
            "requestId": request_id,
            "transactionId": uuid.uuid4().hex,
            "error": {"code": code, "message": message},
        },
        status=status,
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _client(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return request.POST.get("client_id", ""), request.POST.get("client_secret", "")
    try:
        pair = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _sep, client_secret = pair.partition(":")
    return client_id, client_secret


@csrf_exempt
@require_POST
def token(request):
    client_id, client_secret = _client(request)
    known = hmac.compare_digest(
        f"{client_id}:{client_secret}".encode(),
        f"{settings.SANDBOX_REGISTERS_CLIENT_ID}:{settings.SANDBOX_REGISTERS_CLIENT_SECRET}".encode(),
    )
    if not (known and settings.SANDBOX_REGISTERS_CLIENT_SECRET):
        return _error(401, protocol.INVALID_CLIENT, "Client authentication failed.")
    if request.POST.get("grant_type") != "client_credentials":
        return _error(400, "UNSUPPORTED_GRANT_TYPE", "Only client_credentials is supported.")
    scope = request.POST.get("scope", "")
    if scope not in SCOPES:
        return _error(400, "INVALID_SCOPE", "Unknown scope.")
    now = int(time.time())
    lifetime = settings.SANDBOX_REGISTERS_TOKEN_SECONDS
    claims = {
        "iss": ISSUER,
        "sub": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_hex(8),
    }
    access_token = jwt.encode({"alg": "HS256"}, claims, _key())
    return JsonResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime}
    )


def _bearer_problem(request, scope: str) -> tuple[str, str] | None:
    """(code, message) when the request's token is not a valid one for `scope`."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return protocol.INVALID_TOKEN, "Missing bearer token."
    try:
        claims = jwt.decode(header[7:], _key(), algorithms=["HS256"]).claims
    except (JoseError, ValueError, TypeError):
        return protocol.INVALID_TOKEN, "Token is not valid."
    if claims.get("iss") != ISSUER or claims.get("sub") != settings.SANDBOX_REGISTERS_CLIENT_ID:
        return protocol.INVALID_TOKEN, "Token is not valid."
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        return protocol.TOKEN_EXPIRED, "Token has expired."
    if claims.get("scope") != scope:
        return protocol.INVALID_TOKEN, "Token is not valid for this service."
    return None


def _query(
    request,
    *,
    scope: str,
    key_field: str,
    pattern: str,
    kind: str,
    find,
    render,
    purpose_required: bool,
):
    problem = _bearer_problem(request, scope)
    if problem:
        return _error(401, *problem)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return _error(400, protocol.INVALID_REQUEST, "Body must be a JSON object.")
    request_id = str(body.get("requestId") or "")[:64]
    header_id = request.headers.get("X-Request-ID", "")
    if not request_id or request_id != header_id:
        return _error(400, protocol.INVALID_REQUEST, "requestId is required.", request_id)
    purpose = body.get("purpose") if isinstance(body.get("purpose"), dict) else {}
    if purpose_required and not (
        str(purpose.get("code") or "").strip() and str(purpose.get("description") or "").strip()
    ):
        return _error(
            400,
            protocol.PURPOSE_REQUIRED,
            "Personal data: purpose.code and purpose.description are required.",
            request_id,
        )
    key = body.get(key_field)
    if not isinstance(key, str) or not re.fullmatch(pattern, key):
        return _error(400, protocol.INVALID_REQUEST, f"{key_field} is not valid.", request_id)
    behaviour = data.behaviour(kind, key)
    if behaviour == "unavailable":
        return _error(503, protocol.UNAVAILABLE, "Service temporarily unavailable.", request_id)
    if behaviour == "slow":
        time.sleep(settings.SANDBOX_REGISTERS_SLOW_SECONDS)
    found = find(key)
    if found is None:
        return _error(404, protocol.NOT_FOUND, "No record for this key.", request_id)
    return JsonResponse(
        {"requestId": request_id, "transactionId": uuid.uuid4().hex, "data": render(found)}
    )


def _dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _person(p: dict) -> dict:
    return {
        "soDinhDanh": p["citizen_id"],
        "hoVaTen": p["full_name"],
        "gioiTinh": {"male": "Nam", "female": "Nữ"}.get(p["gender"], ""),
        "ngaySinh": _dmy(p["date_of_birth"]),
        "noiSinh": p["birth_place"],
        "quocTich": p["nationality"],
        "noiThuongTru": p["permanent_address"],
        "noiOHienTai": p["current_address"],
        "theCanCuoc": {
            "so": p["id_card_no"],
            "ngayCap": _dmy(p["id_card_issued_on"]),
            "noiCap": p["id_card_issuer"],
        },
    }


def _company(c: dict) -> dict:
    licence = c.get("transport_licence") or {}
    return {
        "maSoThue": c["tax_code"],
        "tenDoanhNghiep": c["name"],
        "tenTiengAnh": c["name_en"],
        "loaiHinh": {"enterprise": "DN", "cooperative": "HTX", "household": "HKD"}[c["type"]],
        "hinhThucPhapLy": c["legal_form"],
        "tinhTrang": {"active": "DANG_HOAT_DONG", "dissolved": "DA_GIAI_THE"}[c["status"]],
        "diaChiTruSo": c["address"],
        "dienThoai": c["phone"],
        "thuDienTu": c["email"],
        "nguoiDaiDien": {
            "hoVaTen": c["representative"]["full_name"],
            "chucDanh": c["representative"]["title"],
        },
        "soDangKy": c["registration_no"],
        "ngayDangKy": c["registration_date"],
        "coQuanDangKy": c["registration_issuer"],
        "giayPhepKinhDoanhVanTai": {
            "so": licence["no"],
            "ngayCap": licence["date"],
            "coQuanCap": licence["issuer"],
            "loaiHinh": licence["permitted_types"],
        }
        if licence
        else None,
    }


def _vehicle(v: dict) -> dict:
    owner = v["owner"]
    return {
        "bienSo": v["plate"],
        "chuXe": {
            "loai": owner["kind"],
            "ten": owner["name"],
            "maSoThue": owner.get("tax_code"),
            "soDinhDanh": owner.get("citizen_id"),
        },
        "soChungNhan": v["registration_no"],
        "ngayDangKy": v["registration_date"],
        "soKhung": v["chassis_no"],
        "soMay": v["engine_no"],
        "loaiXe": v["vehicle_class"],
        "nhanHieu": v["brand"],
        "soLoai": v["model"],
        "soChoNgoi": v["seats"],
        "taiTrongKg": v["payload_kg"],
        "mauSon": v["colour"],
        "namSanXuat": v["year_of_manufacture"],
        "nienHan": v["service_life_until"],
        "hanKiemDinh": v["inspection_valid_until"],
        "trangThai": {"registered": "DA_DANG_KY", "deregistered": "DA_THU_HOI"}[v["status"]],
    }


@csrf_exempt
@require_POST
def population(request):
    return _query(
        request,
        scope="population",
        key_field="soDinhDanh",
        pattern=r"\d{12}",
        kind="citizen_id",
        find=data.person,
        render=_person,
        purpose_required=True,
    )


@csrf_exempt
@require_POST
def business(request):
    return _query(
        request,
        scope="business",
        key_field="maSoThue",
        pattern=r"\d{10}(-\d{3})?",
        kind="tax_code",
        find=data.company,
        render=_company,
        purpose_required=False,
    )


@csrf_exempt
@require_POST
def vehicles(request):
    return _query(
        request,
        scope="vehicles",
        key_field="bienSo",
        pattern=r"\d{2}[A-Z]{1,2}-(\d{3}\.\d{2}|\d{4,5})",
        kind="plate",
        find=data.vehicle,
        render=_vehicle,
        purpose_required=False,
    )
