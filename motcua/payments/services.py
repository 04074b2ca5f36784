"""Fees, payments, receipts, refunds and reconciliation (nghĩa vụ tài chính, DOMAIN.md section 8).

The state machine (motcua.workflow.machine) calls `quote_for_dossier`, `open_charge`,
`record_counter_payment` and `refund_if_paid` inside its own transaction, with the dossier row
locked. Everything that settles an online payment goes through `settle`, which locks the
dossier row first and then the payment row (the machine's order, so the two never deadlock):
a payment is settled exactly once however many notifications, returns and polls arrive.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier, Status
from motcua.payments import fees, registry
from motcua.payments.fees import FeeQuote
from motcua.payments.models import (
    Charge,
    GatewayMessage,
    Payment,
    PaymentIssue,
    Receipt,
    ReconciliationRun,
    Refund,
)
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
)

logger = logging.getLogger(__name__)

__all__ = [
    "FeeQuote",
    "PaymentRefused",
    "charge_at_submission",
    "handle_callback",
    "open_charge",
    "outstanding_amount",
    "poll_payment",
    "poll_pending_payments",
    "quote_for_dossier",
    "reconcile",
    "record_counter_payment",
    "refund_if_paid",
    "settle",
    "start_online_payment",
]

DOCUMENT_TIME_ZONE = "Asia/Ho_Chi_Minh"
# Closed dossiers: money arriving for them is recorded and given back.
CLOSED_STATUSES = {Status.NOT_ACCEPTED, Status.STOPPED, Status.PROCESSED, Status.RETURNED}


class PaymentRefused(Exception):
    """The payment cannot be started now; the message says why, in Vietnamese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------
# Fees


def fee_schedule_of(procedure) -> dict:
    """The procedure's schedule; a plain published amount (fee_vnd) counts as a fixed fee."""
    if procedure.fee_schedule:
        return procedure.fee_schedule
    if procedure.fee_vnd:
        return {"kind": "fixed", "amount": int(procedure.fee_vnd), "label": _("Phí, lệ phí")}
    if procedure.fee_vnd == 0:
        return {"kind": "zero"}
    return {}


def quote_for_dossier(dossier: Dossier, *, on: date | None = None) -> FeeQuote:
    """What the applicant owes for this dossier's form, today (Vietnam time)."""
    schedule = fee_schedule_of(dossier.procedure)
    if not schedule:
        return FeeQuote(0, [], _("Mức phí, lệ phí chưa được công bố trên hệ thống."), False)
    return fees.compute(schedule, dossier.form_data, on=on)


# ---------------------------------------------------------------------------------------
# Charges


def open_charge(dossier: Dossier, *, amount: int, lines, actor, event=None) -> Charge:
    """Ask the applicant to pay `amount` đồng (the machine holds the dossier lock).

    `lines` are the quote's lines, or None when the officer typed the amount. An earlier
    charge still open is replaced by this one.
    """
    now = timezone.now()
    Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).update(
        status=Charge.Status.CANCELLED, closed_at=now
    )
    if not lines:
        lines = [
            {"label": _("Phí, lệ phí"), "quantity": 1, "unit_amount": amount, "amount": amount}
        ]
    return Charge.objects.create(
        dossier=dossier, amount=amount, lines=lines, opened_by=actor, event=event
    )


def charge_at_submission(dossier: Dossier) -> Charge | None:
    """The charge for a procedure paid when the dossier is submitted, or None when it is free."""
    quote = quote_for_dossier(dossier)
    if quote.amount <= 0:
        return None
    return open_charge(dossier, amount=quote.amount, lines=quote.lines, actor=None, event=None)


def open_charge_of(dossier: Dossier) -> Charge | None:
    return Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).first()


def outstanding_amount(dossier: Dossier) -> int:
    """Đồng still to pay on the dossier (0 when nothing is asked)."""
    total = Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).aggregate(
        total=Sum("amount")
    )["total"]
    return int(total or 0)


def _reference() -> str:
    return f"MC{timezone.localtime():%y%m%d}{secrets.token_hex(5).upper()}"


# ---------------------------------------------------------------------------------------
# Paying


def record_counter_payment(dossier: Dossier, *, actor, note: str) -> Payment:
    """The officer saw the fee paid at the counter or by transfer: settle the open charge."""
    from motcua.workflow.machine import TransitionRefused

    charge = (
        Charge.objects.select_for_update()
        .filter(dossier=dossier, status=Charge.Status.OPEN)
        .first()
    )
    if charge is None:
        raise TransitionRefused(_("Hồ sơ không có khoản phí, lệ phí nào đang chờ nộp."))
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
    """Open a payment of the dossier's charge at the gateway; returns it and where to go."""
    plugin = registry.active(plugin_id) if plugin_id else registry.default()
    if plugin is None:
        raise PaymentRefused(_("Chưa có cổng thanh toán trực tuyến; vui lòng nộp tại quầy."))
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if locked.applicant_id != applicant.pk:
            raise PaymentRefused(_("Chỉ người nộp hồ sơ được thanh toán."))
        charge = open_charge_of(locked)
        if locked.status != Status.AWAITING_PAYMENT or charge is None:
            raise PaymentRefused(_("Hồ sơ không có khoản phí, lệ phí nào đang chờ nộp."))
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
    return_url = f"{settings.SITE_URL}/thanh-toan/ket-qua/{plugin.id}/"
    return payment, plugin.payment_url(payment, return_url=return_url, client_ip=client_ip)


def _issue(kind, payment: Payment | None, *, gateway="", reference="", day=None, **details):
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


def settle(reference: str, result: GatewayResult, *, via: str) -> tuple[str, Payment | None]:
    """Apply a verified outcome from the gateway to our payment, exactly once.

    Returns the verdict (registry.OK, DUPLICATE, NOT_FOUND, BAD_AMOUNT) and the payment.
    """
    found = Payment.objects.filter(reference=reference).values_list("pk", "dossier_id").first()
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
            _issue(
                PaymentIssue.Kind.AMOUNT_MISMATCH,
                payment,
                expected=payment.amount,
                notified=result.amount,
                via=via,
            )
            return BAD_AMOUNT, payment
        if result.currency and result.currency != payment.currency:
            _issue(PaymentIssue.Kind.CURRENCY_MISMATCH, payment, notified=result.currency)
            return BAD_AMOUNT, payment
        if payment.is_final:
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
            _issue(kind, payment, dossier_status=dossier.status)
            reason = (
                _("Khoản phí đã được nộp trước đó; hoàn lại lần nộp trùng.")
                if kind == PaymentIssue.Kind.DUPLICATE
                else _("Hồ sơ đã dừng xử lý khi khoản thanh toán đến; hoàn lại.")
            )
            _create_refund(payment, reason=reason, actor=None)
            return OK, payment
        charge.status, charge.closed_at = Charge.Status.PAID, now
        charge.save(update_fields=["status", "closed_at"])
        if dossier.status == Status.AWAITING_PAYMENT and outstanding_amount(dossier) == 0:
            from motcua.workflow import machine

            machine.perform(
                dossier_id=dossier.pk,
                action="payment_received",
                actor=None,
                data=machine.PaymentReceivedInput(payment=payment),
            )
    return OK, payment


def _clean_params(params) -> dict:
    items = params.items() if hasattr(params, "items") else []
    # PostgreSQL's JSON cannot hold NUL characters; nothing legitimate sends them.
    return {
        str(k).replace("\x00", "")[:64]: str(v).replace("\x00", "")[:500]
        for k, v in list(items)[:80]
    }


def _log(plugin_id, kind, *, params, verdict, code="", reference="", payment=None, ip=None):
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


def handle_callback(plugin, params, *, kind: str, ip: str | None = None):
    """A notification (IPN) or a browser return from `plugin`'s gateway, with `params` as sent.

    Returns (verdict, payment or None). Every call is logged, whatever the verdict; nothing
    here raises on bad input.
    """
    raw = _clean_params(params)
    verdict, payment, result = ERROR, None, None
    try:
        result = plugin.parse_callback(raw)
    except InvalidSignature:
        verdict = BAD_SIGNATURE
    except MalformedMessage:
        verdict = ERROR
    except Exception:
        logger.exception("Could not read a %s callback", plugin.id)
    if result is not None:
        try:
            if kind == GatewayMessage.Kind.IPN:
                verdict, payment = settle(result.reference, result, via="ipn")
            else:
                payment = Payment.objects.filter(reference=result.reference).first()
                verdict = OK if payment else NOT_FOUND
        except Exception:
            logger.exception("Could not settle payment %s", result.reference)
            verdict = ERROR
    _log(
        plugin.id,
        kind,
        params=raw,
        verdict=verdict,
        code=result.code if result else "",
        reference=result.reference if result else "",
        payment=payment,
        ip=ip,
    )
    if kind == GatewayMessage.Kind.RETURN and payment is not None:
        payment.refresh_from_db()
        if payment.status == Payment.Status.PENDING:
            # The notification has not come (yet): ask the gateway now.
            poll_payment(payment)
            payment.refresh_from_db()
    return verdict, payment


def poll_payment(payment: Payment) -> str:
    """Ask the gateway about a pending payment and settle it when it has an outcome."""
    plugin = registry.registry.get(payment.gateway)
    if plugin is None or payment.status != Payment.Status.PENDING:
        return DUPLICATE
    try:
        result = plugin.query(payment)
    except GatewayError as exc:
        _log(
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
        expired = timezone.now() - payment.created_at > timedelta(
            minutes=settings.PAYMENT_EXPIRY_MINUTES + 15
        )
        if expired:
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                status=Payment.Status.EXPIRED, settled_at=timezone.now(), settled_via="poll"
            )
            verdict = "expired"
    else:
        try:
            verdict, _payment = settle(payment.reference, result, via="poll")
        except Exception:
            logger.exception("Could not settle payment %s after polling", payment.reference)
            verdict = ERROR
    _log(
        payment.gateway,
        "poll",
        params=_clean_params(result.raw),
        verdict=verdict,
        code=result.code,
        reference=payment.reference,
        payment=payment,
    )
    return verdict


def poll_pending_payments(*, min_age_seconds: int | None = None) -> dict[str, int]:
    """Settle the online payments whose notification has not come, and retry refunds."""
    age = settings.PAYMENT_POLL_MIN_AGE_SECONDS if min_age_seconds is None else min_age_seconds
    before = timezone.now() - timedelta(seconds=age)
    counts: dict[str, int] = {}
    pending = Payment.objects.filter(
        status=Payment.Status.PENDING, method=Payment.Method.ONLINE, created_at__lte=before
    ).order_by("created_at")
    for payment in pending[:500]:
        verdict = poll_payment(payment)
        counts[verdict] = counts.get(verdict, 0) + 1
    for refund_id in Refund.objects.filter(
        status=Refund.Status.REQUESTED, created_at__lte=before
    ).values_list("pk", flat=True)[:100]:
        execute_refund(refund_id)
    return counts


# ---------------------------------------------------------------------------------------
# Refunds


def _create_refund(payment: Payment, *, reason: str, actor) -> Refund:
    online = payment.method == Payment.Method.ONLINE
    refund = Refund.objects.create(
        payment=payment,
        dossier_id=payment.dossier_id,
        amount=payment.amount,
        reason=reason,
        status=Refund.Status.REQUESTED if online else Refund.Status.AT_CASHIER,
        requested_by=actor,
    )
    if online:
        from motcua.payments.tasks import refund_payment

        refund_id = refund.pk
        transaction.on_commit(lambda: refund_payment.delay(refund_id))
    return refund


def refund_if_paid(dossier: Dossier, *, actor, reason: str) -> Refund | None:
    """The dossier is refused or stopped: cancel what is still asked, give back what was paid.

    Online payments are refunded through their gateway after commit; counter payments get a
    refund for the cashier. Returns the (first) refund, or None when nothing was paid.
    """
    Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).update(
        status=Charge.Status.CANCELLED, closed_at=timezone.now()
    )
    first = None
    paid = Payment.objects.filter(dossier=dossier, status=Payment.Status.PAID, refunds__isnull=True)
    for payment in paid.select_related("dossier"):
        refund = _create_refund(payment, reason=reason, actor=actor)
        first = first or refund
    return first


def execute_refund(refund_id: int) -> Refund:
    """Ask the gateway to refund (once: the row lock and status make a retry harmless)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment", "requested_by")
            .get(pk=refund_id)
        )
        if refund.status != Refund.Status.REQUESTED:
            return refund
        payment = refund.payment
        plugin = registry.registry.get(payment.gateway)
        if plugin is None:
            return refund
        who = refund.requested_by.full_name if refund.requested_by else "MotCua"
        try:
            result = plugin.refund(
                payment, amount=refund.amount, reason=refund.reason, requested_by=who
            )
        except GatewayError as exc:
            refund.gateway_message = str(exc)[:300]
            refund.save(update_fields=["gateway_message"])
            _log(
                payment.gateway,
                "refund",
                params={"error": str(exc)[:500]},
                verdict=ERROR,
                reference=payment.reference,
                payment=payment,
            )
            return refund
        refund.status = Refund.Status.DONE if result.ok else Refund.Status.FAILED
        refund.completed_at = timezone.now() if result.ok else None
        refund.gateway_code, refund.gateway_message = result.code, result.message
        refund.save()
        _log(
            payment.gateway,
            "refund",
            params=_clean_params(result.raw),
            verdict=OK if result.ok else ERROR,
            code=result.code,
            reference=payment.reference,
            payment=payment,
        )
    return refund


# ---------------------------------------------------------------------------------------
# Receipts (biên lai điện tử)


def _local(moment: datetime) -> datetime:
    with timezone.override(DOCUMENT_TIME_ZONE):
        return timezone.localtime(moment)


def issue_receipt(payment: Payment, dossier: Dossier) -> Receipt:
    """Number the receipt of a successful payment (gapless per agency and year, in the
    caller's transaction); its PDF is rendered after commit."""
    from motcua.documents.services import allocate_number

    agency = dossier.receiving_agency
    issued_at = timezone.now()
    year = _local(issued_at).year
    sequence = allocate_number(f"receipt:agency:{agency.pk}", year)
    charge = payment.charge
    receipt = Receipt.objects.create(
        payment=payment,
        agency=agency,
        year=year,
        sequence=sequence,
        number=f"{sequence:07d}",
        issued_at=issued_at,
        data={
            "payer": dossier.applicant_name,
            "payer_id": dossier.applicant_id_number,
            "dossier_code": dossier.code or "",
            "procedure": dossier.procedure.name,
            "lines": charge.lines,
            "amount": payment.amount,
            "method": str(payment.get_method_display()),
            "gateway": payment.gateway_name,
            "transaction_no": payment.gateway_transaction_no,
            "reference": payment.reference,
            "paid_at": (payment.paid_at or issued_at).isoformat(),
        },
    )
    from motcua.payments.tasks import render_receipt_pdf

    receipt_id = receipt.pk
    transaction.on_commit(lambda: render_receipt_pdf.delay(receipt_id))
    return receipt


def receipt_html(receipt: Receipt) -> str:
    from motcua.documents.context import agency_context
    from motcua.documents.render import FONT_FAMILY, Form, font_faces

    data = receipt.data
    form = Form("Biên lai thu phí, lệ phí", "", "A5", "bien-lai")
    with translation.override("vi"), timezone.override(DOCUMENT_TIME_ZONE):
        return render_to_string(
            "payments/receipt_document.html",
            {
                "form": form,
                "font_faces": font_faces(),
                "font_family": FONT_FAMILY,
                "agency": agency_context(receipt.agency),
                "number": receipt.number,
                "year": receipt.year,
                "issued_at": receipt.issued_at,
                "paid_at": datetime.fromisoformat(data["paid_at"]),
                "data": data,
                "amount_words": amount_in_words(data["amount"]),
            },
        )


def render_receipt(receipt_id: int) -> Receipt:
    """Render and store the receipt's PDF and SHA-256 once (idempotent)."""
    from motcua.documents.render import html_to_pdf

    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("agency__parent")
            .get(pk=receipt_id)
        )
        if receipt.sha256:
            return receipt
        from motcua.signing.services import electronic_signature

        # An electronic receipt (biên lai điện tử) is signed and verifiable like a slip.
        signature = electronic_signature(receipt.agency, what=f"Receipt {receipt.number}")
        html = receipt_html(receipt)
        if signature is not None:
            html = signature.add_footer(html)
        pdf = html_to_pdf(html)
        if signature is not None:
            pdf = signature.sign(pdf, reason=f"Biên lai thu phí, lệ phí số {receipt.number}")
        receipt.html = html
        receipt.sha256 = hashlib.sha256(pdf).hexdigest()
        receipt.pdf.save("bien-lai.pdf", ContentFile(pdf), save=False)
        receipt.save(update_fields=["html", "sha256", "pdf"])
        if signature is not None:
            dossier = receipt.payment.dossier
            signature.register(
                sha256=receipt.sha256,
                kind="fee_receipt",
                title="Biên lai thu phí, lệ phí",
                number=receipt.number,
                issued_at=receipt.issued_at,
                agency=receipt.agency,
                dossier=dossier,
                face={"code": dossier.code or "", "amount": receipt.data.get("amount")},
            )
    return receipt


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three(number: int, full: bool) -> str:
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens > 1:
        words += [_DIGITS[tens], "mươi"]
    elif tens == 1:
        words.append("mười")
    elif units and (full or hundreds):
        words.append("lẻ")
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """135000 -> "Một trăm ba mươi lăm nghìn đồng" (số tiền bằng chữ on the receipt)."""
    if amount == 0:
        return "Không đồng"
    groups = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    units = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
    words = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_three(group, full=index != len(groups) - 1))
        if units[index]:
            words.append(units[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------------------------------
# Reconciliation (đối soát)


@dataclass
class ReconcileOutcome:
    run: ReconciliationRun
    issues: list[PaymentIssue]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    with timezone.override(DOCUMENT_TIME_ZONE):
        start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def reconcile(day: date, *, gateway_ids: list[str] | None = None) -> list[ReconcileOutcome]:
    """Compare each gateway's list of `day` with our online payments created that day and
    store every difference (missing on either side, amount, status)."""
    outcomes = []
    start, end = _day_bounds(day)
    for gateway_id in gateway_ids or registry.active_ids():
        plugin = registry.registry[gateway_id]
        ours_qs = Payment.objects.filter(
            method=Payment.Method.ONLINE,
            gateway=gateway_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        for payment in ours_qs.filter(status=Payment.Status.PENDING):
            poll_payment(payment)
        theirs = {t.reference: t for t in plugin.transactions_on(day)}
        ours = {p.reference: p for p in ours_qs.select_related("dossier")}
        found = []
        for reference in sorted(set(theirs) | set(ours)):
            mine, their = ours.get(reference), theirs.get(reference)
            kind, details = None, {}
            if mine is None:
                if their.status == "paid":
                    kind = PaymentIssue.Kind.MISSING_HERE
                    details = {
                        "gateway_amount": their.amount,
                        "transaction_no": their.transaction_no,
                    }
            elif their is None:
                if mine.status == Payment.Status.PAID:
                    kind = PaymentIssue.Kind.MISSING_THERE
                    details = {"our_amount": mine.amount}
            elif their.amount != mine.amount:
                kind = PaymentIssue.Kind.AMOUNT_DIFFERS
                details = {"our_amount": mine.amount, "gateway_amount": their.amount}
            elif (their.status == "paid") != (mine.status == Payment.Status.PAID):
                kind = PaymentIssue.Kind.STATUS_DIFFERS
                details = {"our_status": mine.status, "gateway_status": their.status}
            if kind:
                found.append(
                    _issue(kind, mine, gateway=gateway_id, reference=reference, day=day, **details)
                )
        run = ReconciliationRun.objects.create(
            gateway=gateway_id,
            day=day,
            gateway_count=len(theirs),
            our_count=len(ours),
            mismatches=len(found),
        )
        outcomes.append(ReconcileOutcome(run, found))
    return outcomes
