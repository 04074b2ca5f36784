"""PAdES signing with the agency's key and the verification of signed PDFs (pyHanko).

Key material comes from SIGNING_DIR: `ca.crt` (the trust root our verification accepts)
and, per agency, `<agency identifier>.key` and `.crt`, else `default.key` / `.crt` when
SIGNING_ALLOW_DEFAULT is on. Signers are loaded once per process and reloaded when a file
changes. See docs/results.md and docs/decisions/0014-pades-signing.md.
"""

import asyncio
import hashlib
import io
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_STEM = re.compile(r"[^A-Za-z0-9._-]")
_LOCK = threading.Lock()
_SIGNERS: dict[tuple, object] = {}
_ROOTS: dict[tuple, list] = {}
# DER bytes kept for the CMS signature (two certificates and an RSA-4096 signature fit).
_RESERVED = 12288


def _without_a_running_loop(fn, *args, **kwargs):
    """pyHanko signs and validates with asyncio.run(), which refuses to start in a thread
    whose event loop is running (an async caller; Playwright's loop in the browser tests):
    there, run `fn` in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


class SigningUnavailable(Exception):
    """No usable key and certificate for the agency."""


def key_stem(identifier: str) -> str:
    return _STEM.sub("_", identifier or "").strip(".") or "default"


def _signing_dir() -> Path:
    return Path(settings.SIGNING_DIR)


def _stamp(*paths: Path) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths)


def _candidates(agency) -> list[str]:
    stems = [key_stem(agency.identifier)] if agency is not None else []
    if settings.SIGNING_ALLOW_DEFAULT:
        stems.append("default")
    return stems


def _fast_signer_class():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class PreloadedKeySigner(signers.SimpleSigner):
        """SimpleSigner re-parses the key on every signature, and parsing an RSA key checks it
        (slow: docs/benchmarks.md); this one parses it once, when loaded."""

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            key = getattr(self, "_parsed_key", None)
            if key is None:
                key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
                self._parsed_key = key
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), hash_algo)
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(hash_algo))
            return super().sign_raw(data, digest_algorithm)

    return PreloadedKeySigner


def signer_for(agency):
    """The agency's pyHanko signer (cached per process), or raise SigningUnavailable."""
    from pyhanko.sign import signers

    directory = _signing_dir()
    ca = directory / "ca.crt"
    for stem in _candidates(agency):
        key, cert = directory / f"{stem}.key", directory / f"{stem}.crt"
        if not (key.is_file() and cert.is_file()):
            continue
        chain = [ca] if ca.is_file() else []
        cache_key = _stamp(key, cert, *chain)
        with _LOCK:
            signer = _SIGNERS.get(cache_key)
            if signer is None:
                passphrase = settings.SIGNING_KEY_PASSPHRASE
                loaded = signers.SimpleSigner.load(
                    str(key),
                    str(cert),
                    ca_chain_files=[str(c) for c in chain] or None,
                    key_passphrase=passphrase.encode() if passphrase else None,
                )
                if loaded is None:
                    raise SigningUnavailable(f"Cannot load {key} / {cert}.")
                signer = _fast_signer_class()(
                    signing_cert=loaded.signing_cert,
                    signing_key=loaded.signing_key,
                    cert_registry=loaded.cert_registry,
                )
                _SIGNERS[cache_key] = signer
        return signer
    raise SigningUnavailable(f"No key and certificate for {getattr(agency, 'identifier', '?')}.")


def signer_name(signer) -> str:
    """The certificate holder as people read it (the CN, else the whole subject)."""
    subject = signer.signing_cert.subject.native
    return subject.get("common_name") or signer.signing_cert.subject.human_friendly


def sign_pdf(pdf: bytes, signer, *, reason: str, location: str = "") -> bytes:
    """`pdf` with an invisible PAdES B-B signature (SHA-256) appended as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
    )
    # A fixed reservation spares pyHanko its dry-run signature to size the placeholder.
    out = _without_a_running_loop(
        signers.sign_pdf, writer, meta, signer=signer, bytes_reserved=_RESERVED
    )
    return out.getvalue()


def trust_roots() -> list:
    """The CA certificates verification accepts (ca.crt of SIGNING_DIR), cached per process."""
    from pyhanko.keys import load_certs_from_pemder

    ca = _signing_dir() / "ca.crt"
    if not ca.is_file():
        return []
    cache_key = _stamp(ca)
    with _LOCK:
        roots = _ROOTS.get(cache_key)
        if roots is None:
            roots = list(load_certs_from_pemder([str(ca)]))
            _ROOTS[cache_key] = roots
    return roots


@dataclass(frozen=True)
class SignatureCheck:
    """What the cryptography says about a PDF, before we look it up."""

    sha256: str
    signed: bool = False
    # Signature mathematically valid over the bytes it covers.
    intact: bool = False
    # The signer's certificate chains to our CA.
    trusted: bool = False
    # The signature covers the whole file: nothing was appended after signing.
    whole_file: bool = False
    signer: str = ""
    signed_at: object = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


def check_signature(data: bytes) -> SignatureCheck:
    """Parse `data` as a PDF and validate its last signature against our CA; never raises."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    sha256 = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return SignatureCheck(sha256=sha256)
        embedded = signatures[-1]
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = _without_a_running_loop(validate_pdf_signature, embedded, context, skip_diff=True)
        subject = status.signing_cert.subject.native if status.signing_cert else {}
        return SignatureCheck(
            sha256=sha256,
            signed=True,
            intact=bool(status.intact and status.valid),
            trusted=bool(status.trusted),
            whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            signer=subject.get("common_name", ""),
            signed_at=status.signer_reported_dt,
        )
    except Exception as exc:  # noqa: BLE001 (junk input of any shape is a failed check, not a 500)
        logger.info("PDF signature check failed: %s", exc)
        return SignatureCheck(sha256=sha256, error=type(exc).__name__)


def clear_cache() -> None:
    with _LOCK:
        _SIGNERS.clear()
        _ROOTS.clear()
