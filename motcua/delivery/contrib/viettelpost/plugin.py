"""Viettel Post's order API (v2 field names: ORDER_NUMBER, RECEIVER_*, ORDER_STATUS
200/300/500/501/504) and its signed webhook.

Pointed at /sandbox/post/ it talks to MotCua's own sandbox, pointed at a real endpoint
with a real token it talks to the carrier: configuration alone (docs/delivery.md).
"""

import hashlib
import hmac
import json
from datetime import datetime

import requests
from django.conf import settings
from django.utils import timezone

from motcua.delivery.carriers import (
    CarrierError,
    DispatchRequest,
    InvalidCallback,
    PostalCarrier,
    StatusReport,
    register,
)


def sign(body: bytes, secret: str) -> str:
    """The webhook's signature: HMAC-SHA256 of the body with the shared secret, in hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# Carrier status codes and what they mean for the dossier.
STATUS_STATES = {
    "100": "booked",
    "200": "picked_up",
    "300": "in_transit",
    "500": "in_transit",
    "501": "delivered",
    "504": "returned",
}


def _parse_time(text: str) -> datetime | None:
    try:
        return timezone.make_aware(datetime.strptime(text, "%d/%m/%Y %H:%M:%S"))
    except (TypeError, ValueError):
        return None


@register("viettelpost")
class ViettelPostCarrier(PostalCarrier):
    name = "Viettel Post"

    def __init__(self):
        self.api_url = (settings.POSTAL_API_URL or f"{settings.SITE_URL}/sandbox/post/api").rstrip(
            "/"
        )
        self.token = settings.POSTAL_API_TOKEN
        self.secret = settings.POSTAL_WEBHOOK_SECRET
        self.timeout = 10

    def book(self, request: DispatchRequest) -> str:
        body = {
            "ORDER_NUMBER": request.reference,
            "SENDER_FULLNAME": request.sender_name,
            "SENDER_ADDRESS": request.sender_address,
            "SENDER_PHONE": request.sender_phone,
            "RECEIVER_FULLNAME": request.recipient_name,
            "RECEIVER_ADDRESS": request.recipient_address,
            "RECEIVER_PHONE": request.recipient_phone,
            "PRODUCT_NAME": request.contents,
            "PRODUCT_TYPE": "TH",  # thư: documents
            "ORDER_SERVICE": "VCN",
            "ORDER_PAYMENT": 1,  # paid by the sender (the agency's contract)
        }
        try:
            response = requests.post(
                f"{self.api_url}/order/createOrder",
                json=body,
                headers={"Token": self.token, "Idempotency-Key": request.idempotency_key},
                timeout=self.timeout,
            )
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CarrierError(f"{self.name}: {exc.__class__.__name__}") from exc
        if response.status_code != 200 or answer.get("error") or answer.get("status") != 200:
            raise CarrierError(f"{self.name}: {answer.get('message') or response.status_code}")
        tracking = str((answer.get("data") or {}).get("ORDER_NUMBER") or "")
        if not tracking:
            raise CarrierError(f"{self.name}: no ORDER_NUMBER in the answer")
        return tracking

    def parse_callback(self, body: bytes, headers) -> StatusReport:
        given = headers.get("X-Signature", "")
        if not self.secret or not hmac.compare_digest(given, sign(body, self.secret)):
            raise InvalidCallback("signature")
        try:
            data = json.loads(body)["DATA"]
            tracking = str(data["ORDER_NUMBER"])
            status = str(data["ORDER_STATUS"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidCallback("format") from exc
        state = STATUS_STATES.get(status)
        if state is None:
            raise InvalidCallback("status")
        return StatusReport(
            tracking_number=tracking,
            carrier_status=status,
            state=state,
            reported_at=_parse_time(data.get("ORDER_STATUSDATE", "")),
            note=str(data.get("NOTE") or data.get("STATUS_NAME") or "")[:300],
            payload=data,
        )
