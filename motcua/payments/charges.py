"""What the applicant owes: the fee quote, the charges opened on a dossier, what is still due.

The state machine calls `quote_for_dossier` and `open_charge` inside its own transaction,
with the dossier row locked.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue import fees
from motcua.catalogue.fees import FeeQuote, fee_schedule_of
from motcua.dossiers.models import Dossier
from motcua.payments.models import Charge


def quote_for_dossier(dossier: Dossier, *, on: date | None = None) -> FeeQuote:
    """What the applicant owes for this dossier's form, today (Vietnam time)."""
    schedule = fee_schedule_of(dossier.procedure)
    if not schedule:
        return FeeQuote(0, [], _("Mức phí, lệ phí chưa được công bố trên hệ thống."), False)
    return fees.compute(schedule, dossier.form_data, on=on)


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


def outstanding_amount(dossier: Dossier | int) -> int:
    """Đồng still to pay on the dossier, or the dossier with this id (0 when nothing is
    asked)."""
    total = Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).aggregate(
        total=Sum("amount")
    )["total"]
    return int(total or 0)
