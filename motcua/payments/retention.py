"""Retention (decision 0058): receipts keep their number, date, amount and hash (accounting
records are archived), and lose their PDF, their HTML and the payer's details."""

from motcua.core.retention import purgers
from motcua.payments.models import Payment, Receipt


@purgers.register("payments")
def purge_payments(dossier_ids: list[int], files: list) -> dict[str, int]:
    receipts = list(Receipt.objects.filter(payment__dossier_id__in=dossier_ids))
    files.extend((r.pdf.storage, r.pdf.name) for r in receipts if r.pdf)
    blanked = Receipt.objects.filter(id__in=[r.id for r in receipts]).update(
        pdf="", html="", data={}
    )
    notes = Payment.objects.filter(dossier_id__in=dossier_ids).exclude(note="").update(note="")
    return {"payments.receipts": blanked, "payments.notes": notes}
