from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from motcua.accounts.models import User
from motcua.accounts.validators import normalise_phone

_SESSION_USER = "accounts:user:{}"
# A day: the receivers drop an entry as soon as the row changes; this bounds a change made
# without the model's signals (a queryset update(), SQL).
SESSION_USER_SECONDS = 24 * 3600


def find_user_by_login(login: str) -> User | None:
    """The account whose e-mail (any case) or phone number is `login`."""
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(phone=normalise_phone(login)).first()


class EmailOrPhoneBackend(ModelBackend):
    """Log in with an e-mail address or a phone number and a password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user_by_login(username or kwargs.get("email") or "")
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a session, on every request: ModelBackend's, kept in the
        cache per user until the row changes (forget_session_user)."""
        key = _SESSION_USER.format(user_id)
        user = cache.get(key)
        if user is None:
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                return None
            cache.set(key, user, timeout=SESSION_USER_SECONDS)
        return user if self.user_can_authenticate(user) else None


def forget_session_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for User: drop the cached copy now and after COMMIT
    (a request read in between may have cached the old row)."""
    key = _SESSION_USER.format(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
