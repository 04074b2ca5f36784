"""Authorisation of API requests: a valid token of an active client, with the view's scope."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from motcua.api.clients import client_of
from motcua.core import ratelimit


class ClientScopes(BasePermission):
    """The view declares `required_scopes = {"GET": "dossiers:read", "POST": ...}` (or one
    string for every method); the token must carry it."""

    message = _("Mã truy cập không có phạm vi cần cho thao tác này.")

    def has_permission(self, request, view):
        client = client_of(request)
        if client is None:
            raise exceptions.NotAuthenticated()
        request.api_client = client
        needed = getattr(view, "required_scopes", None)
        if isinstance(needed, dict):
            needed = needed.get(request.method) or needed.get("*")
        if not needed:
            return True
        token = request.auth
        return token.allow_scopes([needed]) and needed in client.scopes


class ClientRateThrottle(BaseThrottle):
    """Each client's own requests a minute (ApiClient.rate_limit_per_minute): one client
    cannot use up another's, and nobody else's requests count against it."""

    def allow_request(self, request, view):
        client = client_of(request)
        if client is None:
            return True
        try:
            ratelimit.limit(
                "api-client", str(client.pk), limit=client.rate_limit_per_minute, window=60
            )
        except ratelimit.Limited as limited:
            self._wait = limited.seconds
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", 60)
