"""Helpers for the tests of every app: an officer logged in as production would have them.

Use `login_officer(client, user)` where a test would call client.force_login(officer), and
`totp_now(device)` to type a code in browser tests.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts import two_factor
from motcua.accounts.models import User


def officer_device(user: User) -> TOTPDevice:
    """The officer's confirmed authenticator device, created when there is none."""
    return two_factor.confirmed_totp_device(user) or TOTPDevice.objects.create(
        user=user, name=two_factor.TOTP_DEVICE_NAME, confirmed=True
    )


def login_officer(client: Client, user: User) -> TOTPDevice:
    """Log `user` in on the test `client` with a verified second factor; returns the device.

    Like client.force_login, plus the session key django-otp's middleware reads, so the
    request goes through the real OTPMiddleware and officer_required lets it through.
    """
    if user.kind != User.Kind.OFFICER:
        raise ValueError("login_officer is for officers; use client.force_login for applicants.")
    device = officer_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_now(device: TOTPDevice) -> str:
    """The code the authenticator app would show now, for typing it in browser tests."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
