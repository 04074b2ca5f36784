"""The payment gateway registry: one plugin per gateway, switched on by settings.

A plugin module registers its class with `@register("vnpay")`; settings.PAYMENT_PLUGINS
lists the modules to import at start-up and settings.PAYMENT_GATEWAYS the ids that are
active (the first is offered by default). Tests build a fresh `Registry` instead of
patching the global one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.http import HttpResponse

from motcua.core.registry import Registry


class InvalidSignature(Exception):
    """The message is not signed with our secret (forged or tampered)."""


class UnknownTerminal(InvalidSignature):
    """Signed, but for a merchant terminal that is not ours."""


class MalformedMessage(Exception):
    """The message lacks fields or has values that do not parse."""


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot use."""


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one of our orders, after its signature was checked.

    status: "paid", "failed", "cancelled", "pending" (not finished yet) or "not_found".
    amount in đồng (None when the gateway did not say).
    """

    reference: str
    status: str
    amount: int | None = None
    currency: str = "VND"
    transaction_no: str = ""
    bank_code: str = ""
    paid_at: datetime | None = None
    code: str = ""
    message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    code: str = ""
    message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayTransaction:
    """One line of the gateway's list of a day (for reconciliation)."""

    reference: str
    amount: int
    status: str  # as GatewayResult.status
    transaction_no: str = ""


# What our handling of a notification concluded; each plugin answers it in its own protocol.
OK, DUPLICATE, NOT_FOUND, BAD_AMOUNT, BAD_SIGNATURE, ERROR = (
    "ok",
    "duplicate",
    "not_found",
    "bad_amount",
    "bad_signature",
    "error",
)


class BasePlugin:
    """A payment gateway. Subclasses speak the gateway's protocol; services do the rest."""

    id: str = ""
    label: str = ""
    # How the applicant's page names it ("Thanh toán qua ..."); the label when empty.
    long_label: str = ""
    # The HTTP methods of its server-to-server notification (VNPay: a GET with a query).
    notification_methods: tuple[str, ...] = ("GET",)

    def config_problems(self) -> list[str]:
        """What is missing for this plugin to work (shown by `manage.py check`)."""
        return []

    def payment_url(self, payment, *, return_url: str, client_ip: str) -> str:
        """Where to send the applicant's browser to pay `payment`."""
        raise NotImplementedError

    def parse_callback(self, params: dict) -> GatewayResult:
        """Verify and read a notification or a return (raise InvalidSignature, MalformedMessage)."""
        raise NotImplementedError

    def notification_params(self, request) -> dict:
        """The fields of a server-to-server notification as the gateway sent them."""
        return request.GET

    def callback_response(self, verdict: str) -> HttpResponse:
        """The answer the gateway expects to a server-to-server notification."""
        raise NotImplementedError

    def query(self, payment) -> GatewayResult:
        """Ask the gateway for the outcome of `payment` (raise GatewayError)."""
        raise NotImplementedError

    def refund(self, payment, *, amount: int, reason: str, requested_by: str) -> RefundResult:
        raise NotImplementedError

    def transactions_on(self, day: date) -> list[GatewayTransaction]:
        """The gateway's list of our transactions created on `day` (raise GatewayError)."""
        raise NotImplementedError


registry = Registry("Payment plugin")
register = registry.register


def active_ids() -> list[str]:
    return [i for i in settings.PAYMENT_GATEWAYS if i in registry]


def active(plugin_id: str) -> BasePlugin | None:
    """The plugin if it is registered and switched on, else None."""
    return registry.get(plugin_id) if plugin_id in active_ids() else None


def default() -> BasePlugin | None:
    ids = active_ids()
    return registry.get(ids[0]) if ids else None


def gateway_id_for(procedure) -> str | None:
    """The id of the gateway the applicant pays `procedure`'s fees through (decision 0082):
    the procedure's own, else its receiving agency's, else the nearest parent agency's, else
    the first active one. A named gateway that is not active (switched off since) is passed
    over, as if blank."""
    ids = active_ids()
    named = [procedure.payment_gateway]
    agency, seen = procedure.receiving_agency, set()
    while agency is not None and agency.pk not in seen:
        seen.add(agency.pk)
        named.append(agency.payment_gateway)
        agency = agency.parent
    chosen = next((gateway for gateway in named if gateway and gateway in ids), None)
    return chosen or (ids[0] if ids else None)


def for_procedure(procedure) -> BasePlugin | None:
    gateway_id = gateway_id_for(procedure)
    return registry.get(gateway_id) if gateway_id else None
