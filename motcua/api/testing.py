"""Helpers for tests of the API: a registered client, its token, a webhook receiver."""

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from oauth2_provider.models import Application

from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES


def make_client(agency, *, scopes=None, name="Hệ thống một cửa của Sở", rate=600):
    """A client of `agency` with `scopes` (all by default); returns (client, plain secret)."""
    secret = "s3cret-" + name.encode().hex()[:24]
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    client = ApiClient.objects.create(
        application=application,
        agency=agency,
        name=name,
        scopes=list(SCOPES) if scopes is None else list(scopes),
        rate_limit_per_minute=rate,
    )
    return client, secret


def token_for(http, client, secret, scope: str = "") -> str:
    """An access token by the client-credentials grant, through the real token endpoint;
    `http` is Django's test Client (or anything with its post())."""
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = http.post(
        "/api/oauth/token/", data, HTTP_AUTHORIZATION=basic(client.client_id, secret)
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def basic(user: str, password: str) -> str:
    """The Authorization header of a client authenticating at the token endpoint."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api_post(http, token, path, data=None, *, key, multipart=False, **extra):
    """A client's POST with its token and an Idempotency-Key: JSON, or multipart (files)."""
    headers = {**bearer(token), "HTTP_IDEMPOTENCY_KEY": key, **extra}
    if multipart:
        return http.post(path, data, **headers)
    return http.post(path, data or {}, content_type="application/json", **headers)


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP endpoint on 127.0.0.1 that records what it is sent; `status` is what it
    answers (set it to 503 to play an endpoint that is down)."""

    status: int = 200
    received: list[Received] = field(default_factory=list)

    def __post_init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.status < 300:
                    receiver.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 300 else b"down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
