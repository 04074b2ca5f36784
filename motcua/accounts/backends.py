from django.contrib.auth.backends import ModelBackend

from motcua.accounts.models import User
from motcua.accounts.validators import normalise_phone


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
