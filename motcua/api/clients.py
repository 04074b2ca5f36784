"""Who is calling: the API client behind a request's OAuth2 token, and what it may reach."""

import hashlib

from django.core.cache import cache
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES
from motcua.catalogue.selectors import agency_and_below


class ClientScopes(SettingsScopes):
    """django-oauth-toolkit's scopes backend: a client may ask only for the scopes its agency's
    administrator granted it; asking for none gives all of them."""

    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = _client_of(application)
        if client is None or not client.is_active:
            return []
        return [s for s in client.scopes if s in SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


class TokenValidator(OAuth2Validator):
    """django-oauth-toolkit's validator, reading a bearer token with its application and
    API client in one query (the toolkit reads the client's application with the token;
    client_of would read the client in a second query on every request). Not cached: a
    revoked token or a deactivated client stops working at once."""

    def authenticate_client(self, request, *args, **kwargs):
        """A client that is disabled, or an application that is no API client, is refused
        at the token endpoint (invalid_client), with or without a scope asked for."""
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = _client_of(request.client)
        return client is not None and client.is_active

    def _load_access_token(self, token):
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application__api_client", "user")
            .filter(token_checksum=checksum)
            .first()
        )


def _client_of(application) -> ApiClient | None:
    if application is None:
        return None
    try:
        return application.api_client
    except ApiClient.DoesNotExist:
        return None


def client_of(request) -> ApiClient | None:
    """The active API client of an authenticated API request (its token's application)."""
    token = getattr(request, "auth", None)
    client = _client_of(getattr(token, "application", None))
    if client is None or not client.is_active:
        return None
    return client


def agency_ids(client: ApiClient) -> list[int]:
    """The client's agency and every agency below it (cached a minute)."""
    key = f"api:agencies:{client.agency_id}"
    ids = cache.get(key)
    if ids is None:
        ids = agency_and_below(client.agency_id)
        cache.set(key, ids, 60)
    return ids
