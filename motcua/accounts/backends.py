import functools

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from motcua.accounts.models import User
from motcua.accounts.validators import normalise_phone
from motcua.core.db import RowReader

_USER_ROW = RowReader(User)


@functools.cache
def _user_sql() -> str:
    q = connection.ops.quote_name
    return f'SELECT {_USER_ROW.columns("u")} FROM {q(User._meta.db_table)} u WHERE u."id" = %s'  # noqa: S608 - names from the model


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
        """The signed-in user of a session, on every request: ModelBackend's, in SQL (the
        ORM spent four times the query's run building and reading it)."""
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            row = cursor.fetchone()
        user = _USER_ROW.read(row)[0] if row else None
        return user if user is not None and self.user_can_authenticate(user) else None
