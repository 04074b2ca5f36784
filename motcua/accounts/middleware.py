"""django-otp's OTPMiddleware, minus the `user.is_verified()` method it installs.

User.is_verified already means "e-mail address confirmed" (a read-only property), so
django_otp.middleware.OTPMiddleware fails on our users. This one does the rest of its job
with django-otp's public API: `request.user.otp_device` is the confirmed device this session
gave a code for, or None. Ask motcua.accounts.two_factor.is_verified(user).
"""

from functools import partial

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

_DEVICE = "accounts:otp-device:{}:{}"
# A day: the receivers drop an entry as soon as the device changes or goes; this bounds a
# change made without the model's signals (a queryset update(), SQL).
DEVICE_SECONDS = 24 * 3600


def _confirmed_device(persistent_id: str, user_id):
    """The device `persistent_id` names if it is confirmed and belongs to the user, else None.

    What Device.from_persistent_id and the checks after it did, and every officer request
    asks: a confirmed answer is kept in the cache until the device changes or goes
    (forget_device). The instance carries only its id, user and confirmed flag (other fields
    load if ever read).
    """
    try:
        label, pk = persistent_id.rsplit("/", 1)
        model = apps.get_model(label)
        pk = int(pk)
    except (ValueError, LookupError):
        return None
    if not issubclass(model, Device):
        return None
    key = _DEVICE.format(persistent_id, user_id)
    if cache.get(key) is None:
        if not model.objects.filter(pk=pk, user_id=user_id, confirmed=True).exists():
            return None
        cache.set(key, True, timeout=DEVICE_SECONDS)
    meta = model._meta
    return model.from_db(
        connection.alias, [meta.pk.attname, "user_id", "confirmed"], [pk, user_id, True]
    )


def forget_device(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for every django-otp Device model: drop the cached
    answer now and after COMMIT (a request read in between may have cached the old one)."""
    key = _DEVICE.format(instance.persistent_id, instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _with_otp_device(request, user):
    user.otp_device = None
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
    if persistent_id:
        device = _confirmed_device(persistent_id, user.pk)
        if device is not None:
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
