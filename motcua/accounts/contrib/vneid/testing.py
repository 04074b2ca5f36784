"""Tests only: walk a Django test client through sign-in with VNeID against the sandbox.

With the `in_process_http` fixture, MotCua's plugin (Authlib) reaches the sandbox identity
provider in process, so each step below is the real protocol:

    callback_url = approve(client, start(client), "046190012345")
    response = client.get(callback_url)
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings

PASSWORD_FIELD = "password"


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
            PASSWORD_FIELD: settings.SANDBOX_VNEID_PASSWORD if password is None else password,
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
