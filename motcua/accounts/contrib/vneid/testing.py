"""Tests only: walk a Django test client through sign-in with VNeID against the sandbox.

With the `in_process_http` fixture, MotCua's plugin (Authlib) reaches the sandbox identity
provider in process, so each step below is the real protocol:

    callback_url = approve(client, start(client), "046190012345")
    response = client.get(callback_url)
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils import timezone

from motcua.accounts.models import User

PASSWORD = "Mat-khau-an-toan-2026"  # noqa: S105 - the test accounts' password
_made = iter(range(10**6))


def applicant(**fields) -> User:
    """A citizen account with a verified e-mail address and PASSWORD (override any field)."""
    n = next(_made)
    values = {
        "email": f"vneid-test{n}@example.vn",
        "phone": f"098{n:07d}",
        "full_name": "Nguyễn Văn An",
        "kind": User.Kind.CITIZEN,
        "citizen_id": "001090012345",
        "email_verified_at": timezone.now(),
    }
    values.update(fields)
    return User.objects.create_user(password=PASSWORD, **values)


def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def start(client, *, next_url: str = "") -> str:
    """Press the VNeID button: the provider's authorization URL MotCua redirects to."""
    path = "/accounts/vneid/login/" + (f"?next={next_url}" if next_url else "")
    response = client.get(path)
    assert response.status_code == 302, response
    return response["Location"]


def approve(client, authorize_url: str, citizen_id: str, *, password: str | None = None) -> str:
    """Sign in at the sandbox as `citizen_id`: the URL it sends the browser back to."""
    parts = urlsplit(authorize_url)
    page = client.get(parts.path, _params(authorize_url))
    assert page.status_code == 200, page.content[:500]
    response = client.post(
        f"{parts.path}?{parts.query}",
        {
            **_params(authorize_url),
            "citizen_id": citizen_id,
            "password": settings.SANDBOX_VNEID_PASSWORD if password is None else password,
            "action": "sign_in",
        },
    )
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in(client, citizen_id: str, *, next_url: str = ""):
    """The whole round: button, sandbox, callback. Returns the callback's response."""
    return client.get(path_of(approve(client, start(client, next_url=next_url), citizen_id)))
