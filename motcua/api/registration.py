"""Registering an agency's API clients (decision 0072): the agency administrator's changes,
each recorded in the audit trail in the same transaction.

A client authenticates as a django-oauth-toolkit Application (client credentials). Its secret
is stored hashed: it is shown once, when made, and a new one replaces it for good (the old one
and the tokens it got stop working at once).
"""

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from motcua.accounts.models import User
from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES
from motcua.catalogue.models import Agency
from motcua.core.audit import record_audit

DEFAULT_RATE = 600


def _audit(action: str, client: ApiClient, actor: User | None, request, **data) -> None:
    record_audit(
        action=action,
        actor=actor,
        target=f"api_client:{client.pk}",
        request=request,
        agency=client.agency_id,
        name=client.name,
        **data,
    )


def register_client(
    *,
    agency: Agency,
    name: str,
    scopes: list[str],
    rate_limit_per_minute: int = DEFAULT_RATE,
    actor: User | None,
    request=None,
) -> tuple[ApiClient, str]:
    """A new client of `agency`; returns it with its secret in clear (never stored so)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=name[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,  # hashed on save
        )
        client = ApiClient.objects.create(
            application=application,
            agency=agency,
            name=name,
            scopes=[s for s in SCOPES if s in scopes],
            rate_limit_per_minute=rate_limit_per_minute,
            created_by=actor,
        )
        _audit(
            "api_client.registered",
            client,
            actor,
            request,
            scopes=client.scopes,
            rate_limit_per_minute=rate_limit_per_minute,
        )
    return client, secret


def change_client(
    *,
    client: ApiClient,
    name: str,
    scopes: list[str],
    rate_limit_per_minute: int,
    actor: User | None,
    request=None,
) -> ApiClient:
    """New name, scopes or limit; tokens already given keep only the scopes still granted
    (permissions.ClientScopes checks both)."""
    before = {
        "name": client.name,
        "scopes": client.scopes,
        "rate_limit_per_minute": client.rate_limit_per_minute,
    }
    after = {
        "name": name,
        "scopes": [s for s in SCOPES if s in scopes],
        "rate_limit_per_minute": rate_limit_per_minute,
    }
    changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changed:
        return client
    with transaction.atomic():
        for field, value in after.items():
            setattr(client, field, value)
        client.save(update_fields=list(after))
        client.application.name = name[:255]
        client.application.save(update_fields=["name"])
        _audit("api_client.changed", client, actor, request, changed=changed)
    return client


def rotate_client_secret(*, client: ApiClient, actor: User | None, request=None) -> str:
    """A new secret, returned in clear once; the old one and its tokens stop working now."""
    secret = generate_client_secret()
    with transaction.atomic():
        application = client.application
        application.client_secret = secret
        application.save(update_fields=["client_secret", "updated"])
        revoked = AccessToken.objects.filter(application=application).delete()[0]
        _audit("api_client.secret_rotated", client, actor, request, tokens_revoked=revoked)
    return secret


def set_client_active(*, client: ApiClient, active: bool, actor: User, request=None) -> ApiClient:
    """Disable (its tokens stop working at once: clients.client_of) or enable again."""
    if client.is_active == active:
        return client
    with transaction.atomic():
        client.is_active = active
        client.save(update_fields=["is_active"])
        _audit("api_client.enabled" if active else "api_client.disabled", client, actor, request)
    return client
