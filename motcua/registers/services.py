"""The one way to ask a register something: `look_up`, which records every question."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid

from django.conf import settings

from motcua.core.registry import Registry
from motcua.registers import protocol
from motcua.registers.models import Lookup
from motcua.registers.registry import (
    DEFAULT_PURPOSE,
    NotFound,
    Purpose,
    Record,
    RegisterError,
    Unavailable,
    active,
    label_of,
)

logger = logging.getLogger(__name__)
INVALID_KEY = "INVALID_KEY"
NOT_CONNECTED = "NOT_CONNECTED"


def key_hash(register: str, key: str) -> str:
    """The keyed hash a look-up's key is found by (Lookup.key_hash)."""
    secret = hashlib.sha256(f"motcua-registers-key:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, f"{register}:{key}".encode(), hashlib.sha256).hexdigest()


def mask(key: str, *, personal: bool) -> str:
    if not personal:
        return key[:40]
    return "*" * max(len(key) - 3, 0) + key[-3:]


def look_up(
    *,
    register: str,
    key: str,
    purpose: Purpose | str,
    user_id: int | None,
    dossier_id: int | None = None,
    connectors: Registry | None = None,
) -> Record:
    """Ask `register` what it holds under `key`, for `purpose`, on behalf of user `user_id`
    (and dossier `dossier_id`); record the question and its outcome (registers.Lookup).

    Raises NotFound, Refused or Unavailable (registry.py), each with a message for the
    applicant; never anything else for what the register does. Call it outside a
    transaction: it waits on the network, and its record must stay even if the caller's
    work is rolled back. `connectors`: a Registry of the tests' own.
    """
    if isinstance(purpose, str):
        purpose = Purpose(code=purpose, description=str(DEFAULT_PURPOSE))
    connector = active(register, connectors)
    label = str(connector.label) if connector else label_of(register)
    key = connector.normalise_key(key) if connector else (key or "").strip()
    request_id = uuid.uuid4().hex
    started = time.monotonic()
    record: Record | None = None
    error: RegisterError | None = None
    try:
        if connector is None:
            raise Unavailable(NOT_CONNECTED, label=label, detail="register not connected")
        if not connector.key_is_valid(key):
            raise NotFound(INVALID_KEY, label=label, detail="key of the wrong form")
        record = connector.fetch(key=key, purpose=purpose, request_id=request_id)
    except RegisterError as exc:
        error = exc
    except Exception as exc:  # a connector's bug must not become the applicant's 500
        logger.exception("Register %s failed unexpectedly", register)
        error = Unavailable(protocol.BAD_ANSWER, label=label, detail=repr(exc))
    Lookup.objects.create(
        register=register[:40],
        key_masked=mask(key, personal=bool(connector and connector.personal)),
        key_hash=key_hash(register, key) if key else "",
        purpose_code=purpose.code[:40],
        purpose=purpose.description[:200],
        requested_by_id=user_id,
        dossier_id=dossier_id,
        outcome=error.outcome if error else Lookup.Outcome.FOUND,
        error_code=(error.code if error else "")[:40],
        duration_ms=int((time.monotonic() - started) * 1000),
        request_id=request_id,
        reference=(record.reference if record else "")[:64],
    )
    if error is not None:
        if isinstance(error, Unavailable):
            logger.warning("Register %s unavailable: %s %s", register, error.code, error.detail)
        raise error
    return record
