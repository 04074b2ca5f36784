"""Electronic receipts (biên lai điện tử): numbered in the payment's transaction, rendered,
signed and registered for verification after commit; the amount in words they print."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from motcua.documents.context import agency_context
from motcua.documents.render import DOCUMENT_TIME_ZONE, FONT_FAMILY, Form, font_faces, html_to_pdf
from motcua.documents.services import allocate_number
from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment, Receipt
from motcua.signing.services import electronic_signature


def _local(moment: datetime) -> datetime:
    with timezone.override(DOCUMENT_TIME_ZONE):
        return timezone.localtime(moment)


def issue_receipt(payment: Payment, dossier: Dossier) -> Receipt:
    """Number the receipt of a successful payment (gapless per agency and year, in the
    caller's transaction); its PDF is rendered after commit."""
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
    from motcua.payments.tasks import render_receipt_pdf  # tasks.py imports this module

    receipt_id = receipt.pk
    transaction.on_commit(lambda: render_receipt_pdf.delay(receipt_id))
    return receipt


def receipt_html(receipt: Receipt) -> str:
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
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("agency__parent")
            .get(pk=receipt_id)
        )
        if receipt.sha256:
            return receipt
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
