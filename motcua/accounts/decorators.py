"""Access decorators for views: officer pages (trang cán bộ) and the account's own pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from motcua.accounts import two_factor


def _gate(view_func, *, officers_only: bool):
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if officers_only and not two_factor.is_officer(user):
            raise PermissionDenied
        if two_factor.owes_second_factor(user):
            return redirect(two_factor.challenge_url(user, request.get_full_path()))
        return view_func(request, *args, **kwargs)

    return wrapper


def officer_required(view_func):
    """Let through only an officer (cán bộ) who gave the second factor when it is required.

    Anonymous: to the login page with `next`. Logged in but not an officer: 403. An officer
    without a verified second factor while settings.OFFICER_2FA_REQUIRED: to the code page
    (verification, or enrolment when there is no authenticator yet) with `next`.
    """
    return _gate(view_func, officers_only=True)


def verified_login_required(view_func):
    """login_required that also sends an officer who owes the second factor to give it.

    For the pages every kind of account uses (profile, password change), so that an officer's
    session from before the second factor was required cannot change the password.
    """
    return _gate(view_func, officers_only=False)
