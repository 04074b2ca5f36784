"""django-otp's OTPMiddleware, minus the `user.is_verified()` method it installs.

User.is_verified already means "e-mail address confirmed" (a read-only property), so
django_otp.middleware.OTPMiddleware fails on our users. This one does the rest of its job
with django-otp's public API: `request.user.otp_device` is the confirmed device this session
gave a code for, or None. Ask motcua.accounts.two_factor.is_verified(user).
"""

from functools import partial

from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device


def _with_otp_device(request, user):
    user.otp_device = None
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
    if persistent_id:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and device.user_id == user.pk and device.confirmed:
            user.otp_device = device
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
    return user


class OTPMiddleware:
    """Install after AuthenticationMiddleware, like django-otp's own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(partial(_with_otp_device, request, user))
        return self.get_response(request)
