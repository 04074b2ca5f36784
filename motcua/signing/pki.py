"""A demo public-key infrastructure: a root CA and one signing certificate per agency.

Used by `manage.py create_demo_pki` and by the test suite. A real agency brings its own key
and certificate (from its CA, or exported from its HSM) into SIGNING_DIR instead; see
docs/results.md.
"""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "MotCua Demo CA"
KEY_TYPES = ("rsa2048", "ec256")


def new_key(key_type: str):
    if key_type == "ec256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"Unknown key type {key_type!r}; use one of {', '.join(KEY_TYPES)}.")


def _write_key(path: Path, key, passphrase: bytes | None) -> None:
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    path.chmod(0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_ca(directory: Path, *, key_type: str = "rsa2048") -> tuple[x509.Certificate, object]:
    """The CA in `directory` (ca.crt, ca.key), created when absent."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.crt", directory / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = new_key(key_type)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MotCua"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key, None)
    _write_cert(cert_path, cert)
    return cert, key


def issue_certificate(
    directory: Path,
    *,
    stem: str,
    common_name: str,
    organisation: str,
    identifier: str = "",
    key_type: str = "rsa2048",
    passphrase: bytes | None = None,
) -> bool:
    """Write `<stem>.key` and `<stem>.crt` signed by the CA; False when they already exist."""
    key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.crt"
    if key_path.exists() and cert_path.exists():
        return False
    ca_cert, ca_key = ensure_ca(directory, key_type=key_type)
    key = new_key(key_type)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ]
    if identifier:
        # The agency's code in the national catalogue (mã định danh cơ quan).
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, identifier))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key, passphrase)
    _write_cert(cert_path, cert)
    return True


def create_pki(
    directory: Path,
    agencies=(),
    *,
    key_type: str = "rsa2048",
    default: bool = True,
    passphrase: bytes | None = None,
) -> list[str]:
    """The CA, a certificate per agency (`<identifier>.key/.crt`) and, with `default`, a
    fallback `default.key/.crt`; existing files are kept. Returns the stems written."""
    directory = Path(directory)
    ensure_ca(directory, key_type=key_type)
    written = []
    for agency in agencies:
        if issue_certificate(
            directory,
            stem=agency.identifier,
            common_name=agency.name,
            organisation=agency.name,
            identifier=agency.identifier,
            key_type=key_type,
            passphrase=passphrase,
        ):
            written.append(agency.identifier)
    if default and issue_certificate(
        directory,
        stem="default",
        common_name="MotCua Demo Signer",
        organisation="MotCua",
        key_type=key_type,
        passphrase=passphrase,
    ):
        written.append("default")
    return written
