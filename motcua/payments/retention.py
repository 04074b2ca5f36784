"""Retention (decision 0058): receipts keep their number, date, amounts, lines and hash
(accounting records are archived), and lose their PDF, their HTML and the payer's name and ID
number; payments lose the officer's note."""

from motcua.core.retention import purgers
from motcua.payments.models import Payment, Receipt

PAYER_KEYS = ("payer", "payer_id")


@purgers.register("payments")
def purge_payments(dossier_ids: list[int], files: list) -> dict[str, int]:
    blanked = 0
    for receipt in Receipt.objects.filter(payment__dossier_id__in=dossier_ids):
        if not (receipt.pdf or receipt.html or any(k in receipt.data for k in PAYER_KEYS)):
            continue
        if receipt.pdf:
            files.append((receipt.pdf.storage, receipt.pdf.name))
        receipt.pdf, receipt.html = "", ""
        receipt.data = {k: v for k, v in receipt.data.items() if k not in PAYER_KEYS}
        receipt.save(update_fields=["pdf", "html", "data"])
        blanked += 1
    notes = Payment.objects.filter(dossier_id__in=dossier_ids).exclude(note="").update(note="")
    return {"payments.receipts": blanked, "payments.notes": notes}
