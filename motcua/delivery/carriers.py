"""Postal carriers behind a registry (dịch vụ bưu chính); STYLE.md habit 4.

A carrier books the dispatch of a result and reports its progress by a signed webhook. Each
carrier is a plugin under contrib/<name>/ that registers itself with `@register("id")`;
settings.POSTAL_PLUGINS lists the modules imported at start-up and settings.POSTAL_CARRIER
the carrier in use (docs/delivery.md).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from motcua.core.registry import Registry


class CarrierError(Exception):
    """The carrier refused or could not be reached; the message is safe to show an officer."""


class InvalidCallback(Exception):
    """A webhook that is not signed by the carrier, or not in its format."""


@dataclass(frozen=True)
class DispatchRequest:
    reference: str  # our reference: the dossier code
    idempotency_key: str
    sender_name: str
    sender_address: str
    sender_phone: str
    recipient_name: str
    recipient_address: str
    recipient_phone: str
    contents: str


@dataclass(frozen=True)
class StatusReport:
    tracking_number: str
    carrier_status: str
    state: str  # a Shipment.State value
    reported_at: datetime | None
    note: str
    payload: dict


class PostalCarrier:
    """A postal carrier: books dispatches and reads the carrier's signed status reports."""

    id = ""
    name = ""

    def book(self, request: DispatchRequest) -> str:
        """Book the dispatch; return the tracking number. Same idempotency key, same answer."""
        raise NotImplementedError

    def parse_callback(self, body: bytes, headers) -> StatusReport:
        raise NotImplementedError


carriers = Registry("Postal carrier")
register = carriers.register


def get_carrier(carrier_id: str | None = None) -> PostalCarrier | None:
    """The configured carrier (POSTAL_CARRIER), or None when post is not configured."""
    carrier_id = carrier_id if carrier_id is not None else settings.POSTAL_CARRIER
    if not carrier_id:
        return None
    return carriers.get(carrier_id)
