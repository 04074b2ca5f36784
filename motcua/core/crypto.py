"""Secrets kept in the database encrypted with a key derived from SECRET_KEY (Fernet).

    fernet("motcua.outbox").encrypt(b"...")

Each use names its own purpose, so one use's ciphertext never opens under another's key.
Changing SECRET_KEY makes what was sealed before unreadable (InvalidToken).
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def fernet(purpose: str) -> Fernet:
    digest = hashlib.sha256(f"{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
