"""The audit's daily digests, signed with the system's key: they pin each day of the hash
chains, so that even chains recomputed after a deletion, or a forged digest, are found."""

import base64
import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from motcua.celery import app as celery_app
from motcua.core import chain
from motcua.core.audit import record_audit
from motcua.core.models import AuditEntry, ChainHead
from motcua.core.tests.helpers import raw
from motcua.signing import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(monkeypatch):
    """at(day, hour): make `timezone.now()` that moment of `day` (a date), in Vietnam."""
    real_now = timezone.now

    def move(day, hour=10):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    yield move
    monkeypatch.setattr(timezone, "now", real_now)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def two_days(at, today, monkeypatch):
    """Audit rows on the day before yesterday and yesterday, both days signed."""
    first, second = today - datetime.timedelta(days=2), today - datetime.timedelta(days=1)
    at(first)
    rows = [record_audit(action="login", target=f"user:{n}") for n in range(3)]
    at(second)
    rows += [record_audit(action="logout", target=f"user:{n}") for n in range(2)]
    at(first + datetime.timedelta(days=1), hour=0)  # just after midnight: the first day is over
    signed_first = audit.sign_due_days()
    at(today, hour=0)
    signed_second = audit.sign_due_days()
    return rows, signed_first + signed_second


def verify_problems() -> list[str]:
    return [str(p) for p in audit.verify_digests()[1]]


def test_each_day_is_signed_once_and_verifies(two_days, today, capsys):
    rows, signed = two_days
    assert [d.day for d in signed] == [today - datetime.timedelta(days=n) for n in (2, 1)]
    assert audit.sign_due_days() == []  # nothing left to sign
    first, second = (json.loads(d.content) for d in signed)
    assert first["tables"]["core.auditentry"]["rows"] == 3
    assert second["tables"]["core.auditentry"]["rows"] == 2
    assert second["previous"] == audit.content_hash(signed[0].content)
    assert signed[0].fingerprint == audit.fingerprint(
        x509.load_pem_x509_certificate(signed[0].certificate.encode())
    )
    assert verify_problems() == []
    call_command("verify_audit")
    assert f"2 signed digest(s), the last for {signed[1].day}" in capsys.readouterr().out


def test_a_day_not_over_is_not_signed(today):
    with pytest.raises(ValueError, match="not over"):
        audit.sign_day(today)


def test_a_deletion_hidden_by_recomputing_the_chain_is_found_by_the_digest(two_days):
    """The intruder deletes yesterday's last row and moves the chain's head back: the chain
    walks clean, the signed count for the day does not."""
    rows, signed = two_days
    last = rows[-1]
    raw("DELETE FROM core_auditentry WHERE id = %s", [last.pk], table="core_auditentry")
    ChainHead.objects.filter(model="core.auditentry", key=last.chain_key).update(
        seq=last.chain_seq - 1, hash=last.chain_prev
    )
    assert chain.verify(AuditEntry)[1] == []
    assert verify_problems() == [
        f"core_auditentry - ({signed[1].day}): the signed digest counts 2 row(s) that day, "
        f"the table holds 1"
    ]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit")


def test_a_digest_whose_signature_does_not_hold_is_found(two_days):
    _rows, signed = two_days
    forged = json.loads(signed[1].content)
    forged["tables"]["core.auditentry"]["rows"] = 1
    raw(
        "UPDATE signing_auditdigest SET content = %s WHERE id = %s",
        [json.dumps(forged, sort_keys=True, separators=(",", ":")), signed[1].pk],
        table="signing_auditdigest",
    )
    found = verify_problems()
    assert (
        f"signing_auditdigest row {signed[1].pk} ({signed[1].day}): digest: its signature "
        "does not match its content"
    ) in found


def test_a_digest_signed_with_another_key_is_found(two_days):
    """Re-signing a forged digest with a key of one's own does not pass for the system's."""
    _rows, signed = two_days
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MotCua Demo Signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    content = signed[1].content
    raw(
        "UPDATE signing_auditdigest SET signature = %s, certificate = %s, fingerprint = %s "
        "WHERE id = %s",
        [
            base64.b64encode(key.sign(content.encode(), ec.ECDSA(hashes.SHA256()))).decode(),
            cert.public_bytes(serialization.Encoding.PEM).decode(),
            audit.fingerprint(cert),
            signed[1].pk,
        ],
        table="signing_auditdigest",
    )
    assert verify_problems() == [
        f"signing_auditdigest row {signed[1].pk} ({signed[1].day}): digest: signed by a "
        "certificate that is neither in SIGNING_DIR nor issued by its CA"
    ]


def test_a_deleted_digest_is_found(two_days):
    _rows, signed = two_days
    raw(
        "DELETE FROM signing_auditdigest WHERE id = %s", [signed[0].pk], table="signing_auditdigest"
    )
    assert verify_problems() == [
        f"signing_auditdigest row {signed[1].pk} ({signed[1].day}): the digest before it was "
        "changed or deleted"
    ]


def test_without_the_system_key_the_command_says_so(settings, tmp_path, capsys):
    settings.SIGNING_DIR = tmp_path
    with pytest.raises(CommandError, match="No system key"):
        call_command("sign_audit_digests")


def test_the_digest_is_signed_every_night_by_celery_beat():
    entry = celery_app.conf.beat_schedule["sign-audit-digests"]
    assert entry["task"] == "motcua.signing.tasks.sign_audit_digests"
    assert entry["schedule"].hour == {0}
