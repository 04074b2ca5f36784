"""Paying a charge and settling the payment exactly once (thanh toán).

At the counter the officer records the payment (`record_counter_payment`, called by the state
machine with the dossier locked). Online, `start_online_payment` opens it at the gateway, and
everything that settles it (the gateway's notification, the browser's return, polling) goes
through `settle`, which locks the dossier row first and then the payment row (the machine's
order, so the two never deadlock): a payment is settled exactly once however many
notifications, returns and polls arrive.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.events import PaymentSettled
from motcua.core.outbox import publish
from motcua.core.rejected_calls import record_rejected
from motcua.dossiers import acting
from motcua.dossiers.models import Dossier, Status
from motcua.payments import registry
from motcua.payments.charges import open_charge_of
from motcua.payments.gateway_log import clean_params, log_message
from motcua.payments.models import Charge, GatewayMessage, Payment, PaymentIssue, Refund
from motcua.payments.receipts import issue_receipt
from motcua.payments.refunds import create_refund, execute_refund
from motcua.payments.registry import (
    BAD_AMOUNT,
    BAD_SIGNATURE,
    DUPLICATE,
    ERROR,
    NOT_FOUND,
    OK,
    GatewayError,
    GatewayResult,
    InvalidSignature,
    MalformedMessage,
    UnknownTerminal,
)

logger = logging.getLogger(__name__)

# How an attempt we marked expired was concluded, when a late "paid" from the gateway may
# still settle it: "expiry" (no word from the gateway) and "poll" (it said "not paid yet").
LATE_SETTLING = ("expiry", "poll")

# Closed dossiers: money arriving for them is recorded and given back.
CLOSED_STATUSES = {Status.NOT_ACCEPTED, Status.STOPPED, Status.PROCESSED, Status.RETURNED}


class PaymentRefused(Exception):
    """The payment cannot be started now; the message says why, in Vietnamese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _reference() -> str:
    return f"MC{timezone.localtime():%y%m%d}{secrets.token_hex(5).upper()}"


def record_counter_payment(dossier: Dossier, *, actor, note: str) -> Payment:
    """The officer saw the fee paid at the counter or by transfer: settle the open charge."""
    charge = (
        Charge.objects.select_for_update()
        .filter(dossier=dossier, status=Charge.Status.OPEN)
        .first()
    )
    if charge is None:
        raise PaymentRefused(_("Hồ sơ không có khoản phí, lệ phí nào đang chờ nộp."))
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=dossier,
        charge=charge,
        reference=_reference(),
        method=Payment.Method.COUNTER,
        gateway_name=_("nộp tại quầy"),
        amount=charge.amount,
        status=Payment.Status.PAID,
        paid_at=now,
        settled_at=now,
        settled_via="counter",
        recorded_by=actor,
        note=note[:300],
    )
    charge.status, charge.closed_at = Charge.Status.PAID, now
    charge.save(update_fields=["status", "closed_at"])
    issue_receipt(payment, dossier)
    return payment


def start_online_payment(
    *, dossier: Dossier, applicant, plugin_id: str | None, client_ip: str
) -> tuple[Payment, str]:
    """Open a payment of the dossier's charge at the gateway; returns it and where to go.

    The gateway is the procedure's (registry.for_procedure: procedure, agencies, default);
    `plugin_id`, when given, must be that one: nobody picks another by naming it."""
    plugin = registry.for_procedure(dossier.procedure)
    if plugin is None:
        raise PaymentRefused(_("Chưa có cổng thanh toán trực tuyến; vui lòng nộp tại quầy."))
    if plugin_id and plugin_id != plugin.id:
        raise PaymentRefused(
            _("Hồ sơ này nộp phí, lệ phí qua %(gateway)s.")
            % {"gateway": plugin.long_label or plugin.label}
        )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if acting.applicant_may(applicant, locked, act=True) is None:
            raise PaymentRefused(_("Chỉ người nộp hồ sơ được thanh toán."))
        charge = open_charge_of(locked)
        if locked.status != Status.AWAITING_PAYMENT or charge is None:
            raise PaymentRefused(_("Hồ sơ không có khoản phí, lệ phí nào đang chờ nộp."))
        # The attempts the applicant gave up on read "not completed" from now on.
        expire_abandoned_payments(dossier=locked)
        payment = Payment.objects.create(
            dossier=locked,
            charge=charge,
            reference=_reference(),
            method=Payment.Method.ONLINE,
            gateway=plugin.id,
            gateway_name=plugin.label,
            amount=charge.amount,
            payer=applicant,
        )
    return_url = settings.SITE_URL + reverse("payments:return", args=[plugin.id])
    return payment, plugin.payment_url(payment, return_url=return_url, client_ip=client_ip)


def record_issue(kind, payment: Payment | None, *, gateway="", reference="", day=None, **details):
    """Keep a difference for the officers' list (once per kind, gateway, reference and day)."""
    dossier = payment.dossier if payment else None
    issue, _created = PaymentIssue.objects.get_or_create(
        kind=kind,
        gateway=gateway or (payment.gateway if payment else ""),
        reference=reference or (payment.reference if payment else ""),
        day=day,
        defaults={
            "payment": payment,
            "agency_id": dossier.receiving_agency_id if dossier else None,
            "details": details,
        },
    )
    return issue


def settle(
    reference: str, result: GatewayResult, *, via: str, gateway: str | None = None
) -> tuple[str, Payment | None]:
    """Apply a verified outcome from the gateway to our payment, exactly once.

    `gateway` is the id of the plugin whose signature the outcome bears: a payment made
    through another gateway is not found (one gateway's word never settles another's
    payment). Only trusted in-process callers (the demo history) leave it out.

    Returns the verdict (registry.OK, DUPLICATE, NOT_FOUND, BAD_AMOUNT) and the payment.
    """
    payments = Payment.objects.filter(reference=reference)
    if gateway is not None:
        payments = payments.filter(gateway=gateway)
    found = payments.values_list("pk", "dossier_id").first()
    if found is None:
        return NOT_FOUND, None
    payment_id, dossier_id = found
    with transaction.atomic():
        # Lock order: the dossier, then the payment (as the state machine does).
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("charge", "dossier")
            .get(pk=payment_id)
        )
        if result.amount != payment.amount:
            record_issue(
                PaymentIssue.Kind.AMOUNT_MISMATCH,
                payment,
                expected=payment.amount,
                notified=result.amount,
                via=via,
            )
            return BAD_AMOUNT, payment
        if result.currency and result.currency != payment.currency:
            record_issue(PaymentIssue.Kind.CURRENCY_MISMATCH, payment, notified=result.currency)
            return BAD_AMOUNT, payment
        # An attempt we marked expired ourselves (no word from the gateway) still takes the
        # gateway's late "paid": the money arrived and is settled or given back below.
        late_payment = (
            payment.status == Payment.Status.EXPIRED
            and payment.settled_via in LATE_SETTLING
            and result.status == "paid"
        )
        if payment.is_final and not late_payment:
            return DUPLICATE, payment
        now = timezone.now()
        payment.settled_at, payment.settled_via = now, via
        payment.gateway_code = result.code
        payment.gateway_transaction_no = result.transaction_no or payment.gateway_transaction_no
        payment.bank_code = result.bank_code or payment.bank_code
        if result.status != "paid":
            payment.status = (
                Payment.Status.CANCELLED if result.status == "cancelled" else Payment.Status.FAILED
            )
            payment.save()
            return OK, payment
        payment.status, payment.paid_at = Payment.Status.PAID, result.paid_at or now
        payment.save()
        issue_receipt(payment, dossier)
        charge = payment.charge
        if charge.status != Charge.Status.OPEN or dossier.status in CLOSED_STATUSES:
            # Paid twice, or after the dossier was stopped or withdrawn: keep it, give it back.
            kind = (
                PaymentIssue.Kind.DUPLICATE
                if charge.status == Charge.Status.PAID
                else PaymentIssue.Kind.AFTER_CLOSE
            )
            record_issue(kind, payment, dossier_status=dossier.status)
            reason = (
                _("Khoản phí đã được nộp trước đó; hoàn lại lần nộp trùng.")
                if kind == PaymentIssue.Kind.DUPLICATE
                else _("Hồ sơ đã dừng xử lý khi khoản thanh toán đến; hoàn lại.")
            )
            create_refund(payment, reason=reason, actor=None)
            return OK, payment
        charge.status, charge.closed_at = Charge.Status.PAID, now
        charge.save(update_fields=["status", "closed_at"])
        # The workflow moves the dossier on (its synchronous subscriber), in this transaction.
        publish(
            PaymentSettled.about(
                dossier,
                action="payment_settled",
                payment_id=payment.pk,
                amount=payment.amount,
                method=payment.method,
            ),
            subject=payment,
        )
    return OK, payment


def handle_callback(plugin, params, *, kind: str, ip: str | None = None):
    """A notification (IPN) or a browser return from `plugin`'s gateway, with `params` as sent.

    Returns (verdict, payment or None). A verified message is logged whole (GatewayMessage),
    whatever the verdict; a refused one (bad signature, unknown terminal, malformed) is
    counted (core.rejected_calls). Nothing here raises on bad input.
    """
    raw = clean_params(params)
    verdict, payment, result, reason = ERROR, None, None, "error"
    try:
        result = plugin.parse_callback(raw)
    except UnknownTerminal:
        verdict, reason = BAD_SIGNATURE, "unknown_terminal"
    except InvalidSignature:
        verdict, reason = BAD_SIGNATURE, "bad_signature"
    except MalformedMessage:
        verdict, reason = ERROR, "malformed"
    except Exception:
        logger.exception("Could not read a %s callback", plugin.id)
    if result is None:
        # Anybody can send these: counted, with a short sample, never stored whole.
        record_rejected(source=plugin.id, kind=kind, reason=reason, params=raw, ip=ip)
        return verdict, None
    try:
        if kind == GatewayMessage.Kind.IPN:
            verdict, payment = settle(result.reference, result, via="ipn", gateway=plugin.id)
        else:
            payment = Payment.objects.filter(reference=result.reference, gateway=plugin.id).first()
            verdict = OK if payment else NOT_FOUND
    except Exception:
        logger.exception("Could not settle payment %s", result.reference)
        verdict = ERROR
    log_message(
        plugin.id,
        kind,
        params=raw,
        verdict=verdict,
        code=result.code,
        reference=result.reference,
        payment=payment,
        ip=ip,
    )
    if kind == GatewayMessage.Kind.RETURN and payment is not None:
        payment.refresh_from_db()
        if _may_poll(payment):
            # The notification has not come (yet): ask the gateway now.
            poll_payment(payment)
            payment.refresh_from_db()
    return verdict, payment


def expiry_cutoff(now=None):
    """Online attempts started before this were abandoned when still pending: their link
    expired PAYMENT_EXPIRY_MINUTES after it was made (vnp_ExpireDate), and a margin more
    has passed (decision 0049)."""
    return (now or timezone.now()) - timedelta(
        minutes=settings.PAYMENT_EXPIRY_MINUTES + settings.PAYMENT_EXPIRY_MARGIN_MINUTES
    )


def expire_abandoned_payments(*, dossier: Dossier | None = None, now=None) -> int:
    """Mark the online attempts still pending past the gateway's timeout expired ("not
    completed" on the applicant's page), those of `dossier` or all; returns how many.

    Nothing is asked of the gateway: `poll_pending_payments` asks it once more later, and
    a late "paid" from it still settles the attempt (`settle`)."""
    now = now or timezone.now()
    abandoned = Payment.objects.filter(
        status=Payment.Status.PENDING,
        method=Payment.Method.ONLINE,
        created_at__lt=expiry_cutoff(now),
    )
    if dossier is not None:
        abandoned = abandoned.filter(dossier=dossier)
    return abandoned.update(status=Payment.Status.EXPIRED, settled_at=now, settled_via="expiry")


def _may_poll(payment: Payment) -> bool:
    return payment.status == Payment.Status.PENDING or (
        payment.status == Payment.Status.EXPIRED and payment.settled_via == "expiry"
    )


def poll_payment(payment: Payment) -> str:
    """Ask the gateway about a pending payment (or one we expired without its word) and
    settle it when it has an outcome."""
    plugin = registry.registry.get(payment.gateway)
    if plugin is None or not _may_poll(payment):
        return DUPLICATE
    try:
        result = plugin.query(payment)
    except GatewayError as exc:
        log_message(
            payment.gateway,
            "poll",
            params={"error": str(exc)[:500]},
            verdict=ERROR,
            reference=payment.reference,
            payment=payment,
        )
        return ERROR
    if result.status in ("pending", "not_found"):
        verdict = "pending"
        if payment.created_at < expiry_cutoff():
            # The gateway never completed it and its link has expired: settled as expired,
            # the gateway's word this time (not asked again).
            Payment.objects.filter(pk=payment.pk).filter(
                Q(status=Payment.Status.PENDING)
                | Q(status=Payment.Status.EXPIRED, settled_via="expiry")
            ).update(status=Payment.Status.EXPIRED, settled_at=timezone.now(), settled_via="poll")
            verdict = "expired"
    else:
        try:
            verdict, _payment = settle(
                payment.reference, result, via="poll", gateway=payment.gateway
            )
        except Exception:
            logger.exception("Could not settle payment %s after polling", payment.reference)
            verdict = ERROR
    log_message(
        payment.gateway,
        "poll",
        params=clean_params(result.raw),
        verdict=verdict,
        code=result.code,
        reference=payment.reference,
        payment=payment,
    )
    return verdict


def poll_pending_payments(*, min_age_seconds: int | None = None) -> dict[str, int]:
    """Settle the online payments whose notification has not come, and retry refunds."""
    age = settings.PAYMENT_POLL_MIN_AGE_SECONDS if min_age_seconds is None else min_age_seconds
    now = timezone.now()
    before = now - timedelta(seconds=age)
    counts: dict[str, int] = {}
    pending = Payment.objects.filter(
        status=Payment.Status.PENDING, method=Payment.Method.ONLINE, created_at__lte=before
    ).order_by("created_at")
    # Attempts expired without the gateway's word (unreachable when they were swept) are
    # asked once more while the gateway still answers about them.
    unconfirmed = Payment.objects.filter(
        status=Payment.Status.EXPIRED,
        method=Payment.Method.ONLINE,
        settled_via="expiry",
        created_at__gte=now - timedelta(days=1),
    ).order_by("created_at")
    for payment in [*pending[:500], *unconfirmed[:100]]:
        verdict = poll_payment(payment)
        counts[verdict] = counts.get(verdict, 0) + 1
    # What the gateway could not be asked about is expired all the same.
    expired = expire_abandoned_payments(now=now)
    if expired:
        counts["expired"] = counts.get("expired", 0) + expired
    for refund_id in Refund.objects.filter(
        status=Refund.Status.REQUESTED, created_at__lte=before
    ).values_list("pk", flat=True)[:100]:
        execute_refund(refund_id)
    return counts
