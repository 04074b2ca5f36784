"""Payment panels on the dossier pages and the fee on the procedure page (the fee before
submitting is workflow's panel "applicant_review", which knows when it is due).

Each panel reads the dossier's charges, payments (with receipts) and refunds: three queries
at most, one when nothing was ever charged.
"""

from django import template
from django.template.loader import render_to_string

from motcua.catalogue import fees
from motcua.dossiers.models import Status
from motcua.payments import registry, settlement
from motcua.payments.models import Charge, Payment, PaymentIssue, Refund

register = template.Library()


def _money(dossier) -> dict:
    # The officer page's read says whether anything was ever charged (has_charges).
    charged = getattr(dossier, "has_charges", True)
    charges = list(Charge.objects.filter(dossier=dossier)) if charged else []
    # Every payment belongs to a charge and every refund to a payment: no charge, nothing
    # else to read (most dossiers, read on every officer page).
    payments = (
        list(Payment.objects.filter(dossier=dossier).select_related("receipt")) if charges else []
    )
    refunds = (
        list(Refund.objects.filter(dossier=dossier).select_related("payment")) if payments else []
    )
    cutoff = settlement.expiry_cutoff()
    for payment in payments:
        # Abandoned at the gateway, not yet swept by poll_payments: "not completed" already.
        payment.status_label = (
            Payment.Status.EXPIRED.label
            if payment.is_abandoned(cutoff)
            else payment.get_status_display()
        )
        try:
            payment.receipt_or_none = payment.receipt
        except Payment.receipt.RelatedObjectDoesNotExist:
            payment.receipt_or_none = None
    open_charges = [c for c in charges if c.status == Charge.Status.OPEN]
    return {
        "dossier": dossier,
        "charges": charges,
        "open_charge": open_charges[0] if open_charges else None,
        "payments": payments,
        "refunds": refunds,
    }


@register.simple_tag(takes_context=True)
def applicant_payment_panel(context, dossier):
    money = _money(dossier)
    if not (money["charges"] or money["payments"]):
        return ""
    awaiting = dossier.status == Status.AWAITING_PAYMENT
    # The procedure's gateway (decision 0082), named on the page: the applicant has no choice.
    plugin = registry.for_procedure(dossier.procedure) if awaiting else None
    money.update(
        can_pay=money["open_charge"] is not None and awaiting and plugin is not None,
        awaiting=awaiting,
        gateway_label=(plugin.long_label or plugin.label) if plugin else "",
    )
    return render_to_string("payments/_applicant_panel.html", money, request=context.get("request"))


@register.simple_tag(takes_context=True)
def officer_payment_panel(context, dossier):
    money = _money(dossier)
    if not (money["charges"] or money["payments"]):
        return ""
    money["issues"] = list(
        PaymentIssue.objects.filter(payment__dossier=dossier, resolved_at__isnull=True)
    )
    return render_to_string("payments/_officer_panel.html", money, request=context.get("request"))


@register.simple_tag
def fee_schedule_lines(procedure) -> list[str]:
    # A free procedure keeps the page's plain "Miễn phí" with its published note.
    schedule = procedure.fee_schedule
    return fees.describe(schedule) if schedule and schedule.get("kind") != "zero" else []
