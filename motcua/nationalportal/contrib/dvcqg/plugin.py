"""The plugin of Cổng Dịch vụ công quốc gia: talks to its API (or MotCua's sandbox of it).

Which portal is used is configuration only: DVCQG_API_URL, DVCQG_CLIENT_ID,
DVCQG_CLIENT_SECRET and DVCQG_SIGNING_SECRET (docs/national-portal.md). An empty URL means
the sandbox under SITE_URL.
"""

import json
import time

import requests
from django.conf import settings

from motcua.core import tokens
from motcua.core.registry import unset_settings
from motcua.nationalportal.contrib.dvcqg import protocol
from motcua.nationalportal.registry import (
    BasePortal,
    PortalRejected,
    PortalUnavailable,
    Receipt,
    StatusUpdate,
    register,
)

SANDBOX_PATH = "/sandbox/dvcqg"


def message(update: StatusUpdate) -> dict:
    """The JSON the portal receives for one status change (docs/national-portal.md)."""
    return {
        "MaHoSo": update.dossier_code,
        "MaTTHC": update.procedure_code,
        "TenTTHC": update.procedure_name,
        "MaCoQuan": update.agency_code,
        "TenCoQuan": update.agency_name,
        "TrangThaiHoSo": update.status,
        "ThoiGianCapNhat": protocol.local_time(update.changed_at),
        "KenhNop": protocol.CHANNELS.get(update.channel, protocol.CHANNELS["online"]),
        "NgayNopHoSo": protocol.local_time(update.submitted_at),
        "NgayTiepNhan": protocol.local_time(update.accepted_at),
        "NgayHenTra": protocol.local_time(update.due_at),
        "NgayTraKetQua": protocol.local_time(update.returned_at),
        "NguoiTiepNhan": update.receiver_name,
        "NguoiXuLy": update.handler_name,
        "DonViXuLy": update.handling_unit,
    }


@register("dvcqg")
class NationalPortal(BasePortal):
    label = "Cổng Dịch vụ công quốc gia"

    @property
    def base_url(self) -> str:
        return settings.DVCQG_API_URL or f"{settings.SITE_URL}{SANDBOX_PATH}"

    def config_problems(self) -> list[str]:
        return unset_settings("DVCQG_CLIENT_ID", "DVCQG_CLIENT_SECRET", "DVCQG_SIGNING_SECRET")

    # --- Access token --------------------------------------------------------------------

    def _token_key(self) -> str:
        return f"nationalportal:dvcqg:token:{settings.DVCQG_CLIENT_ID}:{self.base_url}"

    def token(self, *, fresh: bool = False) -> str:
        """The access token, from the cache until shortly before it expires."""
        return tokens.cached_token(self._token_key(), self._new_token, fresh=fresh)

    def _new_token(self) -> tuple[str, int]:
        try:
            response = requests.post(
                f"{self.base_url}{protocol.TOKEN_PATH}",
                data={"grant_type": "client_credentials"},
                auth=(settings.DVCQG_CLIENT_ID, settings.DVCQG_CLIENT_SECRET),
                timeout=settings.NATIONAL_PORTAL_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise PortalUnavailable(f"token: {type(exc).__name__}: {exc}"[:300]) from exc
        answer = _json(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise PortalUnavailable(f"token: HTTP {response.status_code} {_code(answer)}")
        if response.status_code != 200 or not answer.get("access_token"):
            raise PortalRejected(
                _code(answer) or "TOKEN_REFUSED",
                str(answer.get("error_description") or answer.get("message") or ""),
                status=response.status_code,
            )
        return str(answer["access_token"]), tokens.lifetime_of(answer)

    def forget_token(self) -> None:
        tokens.forget_token(self._token_key())

    # --- Status messages -----------------------------------------------------------------

    def push(self, update: StatusUpdate) -> Receipt:
        body = json.dumps(message(update), ensure_ascii=False, separators=(",", ":")).encode()
        response = self._post(update.message_id, body, self.token())
        answer = _json(response)
        if response.status_code == 401 and _code(answer) in protocol.TOKEN_CODES:
            # Expired or revoked early: one new token, one more try.
            self.forget_token()
            response = self._post(update.message_id, body, self.token(fresh=True))
            answer = _json(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise PortalUnavailable(
                f"HTTP {response.status_code} {_code(answer)} {answer.get('message', '')}".strip()
            )
        if response.status_code != 200 or _code(answer) != protocol.OK:
            raise PortalRejected(
                _code(answer) or f"HTTP_{response.status_code}",
                str(answer.get("message", ""))[:300],
                status=response.status_code,
            )
        return Receipt(reference=str(answer.get("reference", ""))[:64], raw=answer)

    def _post(self, message_id: str, body: bytes, token: str) -> requests.Response:
        headers = protocol.signed_headers(
            settings.DVCQG_SIGNING_SECRET, message_id, body, timestamp=int(time.time())
        )
        headers["Authorization"] = f"Bearer {token}"
        headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            return requests.post(
                f"{self.base_url}{protocol.STATUS_PATH}",
                data=body,
                headers=headers,
                timeout=settings.NATIONAL_PORTAL_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise PortalUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc


def _json(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _code(answer: dict) -> str:
    return str(answer.get("error_code") or answer.get("error") or "")[:40]
