from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from motcua.accounts import two_factor


class AdminSite(admin.AdminSite):
    """The admin (trang quản trị), closed to an officer who owes the second factor.

    There is no admin login form: logging in happens on accounts:login, which counts wrong
    passwords and asks officers for their code, then comes back here.
    """

    def has_permission(self, request):
        return super().has_permission(request) and not two_factor.owes_second_factor(request.user)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if two_factor.owes_second_factor(user):
            return redirect(two_factor.challenge_url(user, next_url))
        if self.has_permission(request):
            return redirect(next_url)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
