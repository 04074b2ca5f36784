"""The log of the messages exchanged with a payment gateway (GatewayMessage): every verified
notification and return, poll answer and refund answer, whatever it said. Refused callbacks
are only counted (motcua.core.rejected_calls)."""

from __future__ import annotations

from motcua.payments.models import GatewayMessage


def clean_params(params) -> dict:
    """The message's fields as short strings, safe to store."""
    items = params.items() if hasattr(params, "items") else []
    # PostgreSQL's JSON cannot hold NUL characters; nothing legitimate sends them.
    return {
        str(k).replace("\x00", "")[:64]: str(v).replace("\x00", "")[:500]
        for k, v in list(items)[:80]
    }


def log_message(
    plugin_id, kind, *, params, verdict, code="", reference="", payment=None, ip=None
) -> GatewayMessage:
    return GatewayMessage.objects.create(
        gateway=plugin_id[:40],
        kind=kind,
        reference=reference[:40],
        params=params,
        verdict=verdict,
        response_code=code[:10],
        payment=payment,
        ip_address=ip,
    )
