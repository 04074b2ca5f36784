"""Sign what MotCua issues electronically (PAdES, with the agency's key: pades.py), register
it for public verification, and verify a file or a token (DOMAIN.md section 8)."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from motcua.core.qr import qr_data_uri
from motcua.dossiers.models import Dossier
from motcua.signing import pades
from motcua.signing.models import VerifiableDocument, new_token

logger = logging.getLogger(__name__)


def verify_url(token: str) -> str:
    return settings.SITE_URL + reverse("results:verify_token", args=[token])


# ---------------------------------------------------------------------------------------
# Slips and notices issued electronically (motcua.documents.services.issue_document)


@dataclass
class SlipSignature:
    """Signs one slip: adds the verification footer, signs, then registers it."""

    signer: object
    token: str

    @property
    def url(self) -> str:
        return verify_url(self.token)

    def add_footer(self, html: str) -> str:
        """The verification line and a small QR code in the bottom page margin, so that the
        slip's own layout (one A5 page) is untouched."""
        style = render_to_string(
            "results/pdf/_slip_margin.html",
            {"verify_url": self.url, "verify_qr": qr_data_uri(self.url, box_size=3, border=1)},
        )
        head, marker, tail = html.partition("</head>")
        return f"{head}{style}{marker}{tail}" if marker else style + html

    def sign(self, pdf: bytes, *, reason: str) -> bytes:
        return pades.sign_pdf(pdf, self.signer, reason=reason)

    def register(self, **fields) -> VerifiableDocument:
        """Make the signed file verifiable by this token and its SHA-256 (`fields`: the
        VerifiableDocument's sha256, kind, title, number, issued_at, agency, dossier, face)."""
        return VerifiableDocument.objects.create(
            token=self.token, signer=pades.signer_name(self.signer), **fields
        )

    def register_slip(self, document) -> VerifiableDocument:
        return self.register(
            sha256=document.sha256,
            kind=document.kind,
            title=str(document.get_kind_display()),
            number=document.number,
            issued_at=document.issued_at,
            agency=document.agency,
            dossier=document.dossier,
            issued_document=document,
            face={"code": document.dossier.code or ""},
        )


def electronic_signature(agency, *, what: str = "") -> SlipSignature | None:
    """How `agency` signs a document it issues electronically; None (logged) without a key:
    a slip or a receipt is never held back for want of one."""
    try:
        signer = pades.signer_for(agency)
    except pades.SigningUnavailable:
        logger.warning("%s issued unsigned: %s has no signing key.", what, agency)
        return None
    return SlipSignature(signer=signer, token=new_token())


def slip_signature(dossier: Dossier) -> SlipSignature | None:
    """How to sign a slip on `dossier`: only for online dossiers (issued electronically)."""
    if dossier.channel != Dossier.Channel.ONLINE:
        return None
    return electronic_signature(dossier.receiving_agency, what=f"Slip on {dossier.code}")


# ---------------------------------------------------------------------------------------
# Verification (xác thực)


GENUINE, REVOKED, NOT_ISSUED, BAD_SIGNATURE, UNSIGNED = (
    "genuine",
    "revoked",
    "not_issued",
    "bad_signature",
    "unsigned",
)


@dataclass(frozen=True)
class Verdict:
    state: str
    document: VerifiableDocument | None
    check: pades.SignatureCheck

    @property
    def genuine(self) -> bool:
        return self.state == GENUINE


def find_by_token(token: str) -> VerifiableDocument | None:
    if not token or len(token) > 32:
        return None
    return (
        VerifiableDocument.objects.select_related("agency", "revocation", "revocation__revoked_by")
        .filter(token=token)
        .first()
    )


def verify_pdf(data: bytes) -> Verdict:
    """Whether `data` is a document we issued, unchanged, validly signed and not revoked.

    The signature must be intact, chain to our CA and cover the whole file; and the file's
    SHA-256 must be that of a document we registered. Never raises on junk input.
    """
    check = pades.check_signature(data)
    document = (
        VerifiableDocument.objects.select_related("agency", "revocation")
        .filter(sha256=check.sha256)
        .first()
    )
    if not check.signed:
        state = UNSIGNED
    elif not check.ok:
        state = BAD_SIGNATURE
    elif document is None:
        state = NOT_ISSUED
    elif document.revocation_or_none is not None:
        state = REVOKED
    else:
        state = GENUINE
    return Verdict(
        state=state, document=document if state in (GENUINE, REVOKED) else None, check=check
    )
