"""The audit's daily digests: each day of the hash chains, signed with the system's key.

A digest pins what a day added to every chained table (core.chain.day_state) and the digest
of the day before, so rewriting any past day, even with the chains recomputed, needs the
system's private key (SIGNING_DIR/default.key). Decision 0035.
"""

import base64
import datetime
import hashlib
import json
import logging
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core import chain
from motcua.core.chain import Problem
from motcua.signing.models import AuditDigest

logger = logging.getLogger(__name__)

SYSTEM_KEY = "default"


class DigestUnavailable(Exception):
    """The system's key or certificate cannot be loaded."""


def _system_key():
    directory = Path(settings.SIGNING_DIR)
    key_path, cert_path = directory / f"{SYSTEM_KEY}.key", directory / f"{SYSTEM_KEY}.crt"
    if not (key_path.is_file() and cert_path.is_file()):
        raise DigestUnavailable(f"No system key: {key_path} and {cert_path} are needed.")
    passphrase = settings.SIGNING_KEY_PASSPHRASE.encode() or None
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=passphrase)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (ValueError, TypeError) as exc:
        raise DigestUnavailable(f"Cannot load {key_path} / {cert_path}: {exc}") from exc
    return key, cert


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _sign(key, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    raise DigestUnavailable(f"Unsupported key type {type(key).__name__}.")


def _signature_holds(cert: x509.Certificate, data: bytes, signature: bytes) -> bool:
    public = cert.public_key()
    try:
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def digest_content(day: datetime.date, previous: AuditDigest | None) -> str:
    """The canonical JSON signed for `day`."""
    tables = {m._meta.label_lower: chain.day_state(m, day) for m in chain.chained_models()}
    content = {
        "day": day.isoformat(),
        "previous": content_hash(previous.content) if previous else "",
        "tables": tables,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign_day(day: datetime.date) -> AuditDigest:
    """Sign `day`, which must follow the last signed day and be over."""
    if day >= timezone.localdate():
        raise ValueError(f"{day} is not over yet.")
    key, cert = _system_key()
    previous = AuditDigest.objects.order_by("-day").first()
    if previous is not None and previous.day >= day:
        raise ValueError(f"{day} is not after the last signed day, {previous.day}.")
    content = digest_content(day, previous)
    return AuditDigest.objects.create(
        day=day,
        content=content,
        signature=base64.b64encode(_sign(key, content.encode())).decode(),
        certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
        fingerprint=fingerprint(cert),
    )


def sign_due_days() -> list[AuditDigest]:
    """Sign every day since the last signed one up to yesterday (yesterday alone at first)."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    last = AuditDigest.objects.order_by("-day").values_list("day", flat=True).first()
    day = last + datetime.timedelta(days=1) if last else yesterday
    signed = []
    while day <= yesterday:
        try:
            with transaction.atomic():
                signed.append(sign_day(day))
        except IntegrityError:  # another run signed it meanwhile
            logger.info("Audit digest of %s already signed.", day)
        day += datetime.timedelta(days=1)
    return signed


# --- Verifying ------------------------------------------------------------------------------------


def _trusted_certificates() -> tuple[dict[str, x509.Certificate], list[x509.Certificate]]:
    """The certificates in SIGNING_DIR by fingerprint, and its CA (ca.crt)."""
    directory = Path(settings.SIGNING_DIR)
    certificates, roots = {}, []
    for path in sorted(directory.glob("*.crt")) if directory.is_dir() else ():
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError:
            continue
        certificates[fingerprint(cert)] = cert
        if path.name == "ca.crt":
            roots.append(cert)
    return certificates, roots


def _issued_by(cert: x509.Certificate, roots: list[x509.Certificate]) -> bool:
    for root in roots:
        try:
            cert.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def _check_signature(digest: AuditDigest, certificates, roots) -> str:
    """What is wrong with `digest`'s signature, or ''."""
    try:
        cert = x509.load_pem_x509_certificate(digest.certificate.encode())
        signature = base64.b64decode(digest.signature, validate=True)
    except ValueError:
        return "its certificate or signature cannot be read"
    if fingerprint(cert) != digest.fingerprint:
        return "its certificate is not the one its fingerprint names"
    if digest.fingerprint not in certificates and not _issued_by(cert, roots):
        return "signed by a certificate that is neither in SIGNING_DIR nor issued by its CA"
    if not _signature_holds(cert, digest.content.encode(), signature):
        return "its signature does not match its content"
    return ""


def verify_digests() -> tuple[list[AuditDigest], list[Problem]]:
    """Check every signed digest: its signature, its link to the day before, and that the
    chains still hold what it signed for its day."""
    digests = list(AuditDigest.objects.order_by("day"))
    problems: list[Problem] = []
    table = AuditDigest._meta.db_table
    models_by_label = {m._meta.label_lower: m for m in chain.chained_models()}
    days = {d.day for d in digests}
    states = {label: chain.day_states(m, days) for label, m in models_by_label.items()}
    certificates, roots = _trusted_certificates()
    previous = None
    for digest in digests:
        wrong = _check_signature(digest, certificates, roots)
        if wrong:
            problems.append(Problem(table, digest.pk, digest.day, f"digest: {wrong}"))
        try:
            content = json.loads(digest.content)
        except ValueError:
            problems.append(Problem(table, digest.pk, digest.day, "digest: not JSON"))
            previous = digest
            continue
        if content.get("day") != digest.day.isoformat():
            problems.append(
                Problem(table, digest.pk, digest.day, f"digest signed for {content.get('day')}")
            )
        if previous is not None and digest.day != previous.day + datetime.timedelta(days=1):
            problems.append(
                Problem(
                    table,
                    digest.pk,
                    digest.day,
                    f"no digest for the days after {previous.day} (deleted?)",
                )
            )
        expected = content_hash(previous.content) if previous else ""
        if content.get("previous") != expected:
            problems.append(
                Problem(table, digest.pk, digest.day, "the digest before it was changed or deleted")
            )
        for label, signed in sorted(content.get("tables", {}).items()):
            model = models_by_label.get(label)
            if model is None:
                continue
            now = states[label][digest.day]
            where = model._meta.db_table
            if signed.get("rows") != now["rows"]:
                problems.append(
                    Problem(
                        where,
                        None,
                        digest.day,
                        f"the signed digest counts {signed.get('rows')} row(s) that day, "
                        f"the table holds {now['rows']}",
                    )
                )
            elif signed.get("heads") != now["heads"]:
                problems.append(
                    Problem(
                        where,
                        None,
                        digest.day,
                        "the chains' last rows that day differ from the signed digest",
                    )
                )
        previous = digest
    return digests, problems
