"""Sign-in providers: national identity providers that vouch for who a person is (VNeID).

A plugin module registers its class with `@register("vneid")`; settings.IDENTITY_PROVIDER_PLUGINS
lists the modules to import at start-up and settings.IDENTITY_PROVIDERS the ids the login page
offers. A provider sends the browser away (`start`) and, when it comes back, checks what the
provider says (`finish`) and returns a VerifiedIdentity; what MotCua then does with it (sign in,
link, create an account) is motcua.accounts.linking. Tests build a fresh `Registry` rather than
patching the global one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from motcua.core.registry import Registry


class IdentityError(Exception):
    """The provider could not vouch for anyone. `code` says why, for the message and the audit:

    unavailable  the provider (or its discovery document, keys, token endpoint) is unreachable
    denied       the person refused, or the provider refused them (error=access_denied)
    state        the answer is not for a sign-in this browser started (state missing or wrong)
    token        the ID token is invalid: forged, expired, for another client, wrong nonce...
    protocol     any other answer we cannot use
    """

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says the person is, after its signature and claims were checked.

    `subject` is the provider's stable id for the person; `assurance` its level of assurance
    (VNeID: "1" or "2"); the other fields are the claims mapped to the account's fields ("" or
    None when the provider did not give them).
    """

    provider: str
    subject: str
    assurance: str
    full_name: str
    citizen_id: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    claims: dict = field(default_factory=dict)

    def to_session(self) -> dict:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> VerifiedIdentity:
        data = dict(data)
        born = data.get("date_of_birth")
        data["date_of_birth"] = date.fromisoformat(born) if born else None
        return cls(**data)


@dataclass(frozen=True)
class SignInResult:
    """What `finish` returns: the identity, and the token to name at logout (id_token_hint)."""

    identity: VerifiedIdentity
    logout_hint: str = ""


class BaseProvider:
    """A national identity provider. Subclasses speak its protocol; linking does the rest."""

    id: str = ""
    label: str = ""

    def config_problems(self) -> list[str]:
        """What is missing for this provider to work (shown by `manage.py check`)."""
        return []

    def start(self, request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
        """The redirect that sends the browser to the provider (raise IdentityError)."""
        raise NotImplementedError

    def finish(self, request: HttpRequest) -> SignInResult:
        """Check the provider's answer at the redirect URI (raise IdentityError)."""
        raise NotImplementedError

    def logout_redirect(
        self, request: HttpRequest, *, logout_hint: str, post_logout_redirect_uri: str
    ) -> HttpResponse | None:
        """The redirect ending the person's session at the provider, or None (raise
        IdentityError when the provider cannot be reached)."""
        return None

    def finish_logout(self, request: HttpRequest) -> None:
        """Check the provider's answer at the post-logout URI (raise IdentityError)."""


registry = Registry("Identity provider")
register = registry.register


def active_ids() -> list[str]:
    return [i for i in settings.IDENTITY_PROVIDERS if i in registry]


def active(provider_id: str) -> BaseProvider | None:
    """The provider if it is registered, switched on and configured, else None."""
    if provider_id not in active_ids():
        return None
    provider = registry.get(provider_id)
    return provider if not provider.config_problems() else None
