"""django-otp's OTPMiddleware, minus the `user.is_verified()` method it installs.

User.is_verified already means "e-mail address confirmed" (a read-only property), so
django_otp.middleware.OTPMiddleware fails on our users. This one does the rest of its job
with django-otp's public API: `request.user.otp_device` is the confirmed device this session
gave a code for, or None. Ask motcua.accounts.two_factor.is_verified(user).
"""

from functools import partial

from django.apps import apps
from django.db import connection
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device


def _confirmed_device(persistent_id: str, user_id):
    """The device `persistent_id` names if it is confirmed and belongs to the user, else None.

    What Device.from_persistent_id and the checks after it did, in one narrow read: every
    officer request asks, and the ORM query cost four times its round trip. The instance
    carries only its id, user and confirmed flag (other fields load if ever read).
    """
    try:
        label, pk = persistent_id.rsplit("/", 1)
        model = apps.get_model(label)
        pk = int(pk)
    except (ValueError, LookupError):
        return None
    if not issubclass(model, Device):
        return None
    q, meta = connection.ops.quote_name, model._meta
    table, key = q(meta.db_table), q(meta.pk.column)
    owner, confirmed = q(meta.get_field("user").column), q(meta.get_field("confirmed").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {key} = %s AND {owner} = %s AND {confirmed}",  # noqa: S608 - names from the model
            [pk, user_id],
        )
        found = cursor.fetchone() is not None
    if not found:
        return None
    return model.from_db(
        connection.alias, [meta.pk.attname, "user_id", "confirmed"], [pk, user_id, True]
    )


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
