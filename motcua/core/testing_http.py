"""Tests (and the demo's loading): outside systems' sandboxes answered in process.

A plugin talks to its outside system with `requests`; in the tests that system is MotCua's own
sandbox under /sandbox/, served by this very process. `in_process_http` (a fixture of the root
conftest) sends every `requests` call to http://testserver/ through Django's test client
instead of the network, so the plugin and the sandbox speak their real protocol to each other
(headers, bodies, status codes) without a live server. Any other host is refused, as a
machine with no network would. A test can make a path fail as a real system can:

    def test_timeout(in_process_http):
        in_process_http.fail("/sandbox/registers/", requests.Timeout("read timed out"))
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import urlsplit

import requests
from django.test import Client
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

HOST = "testserver"


class InProcessHTTP:
    def __init__(self, **client_defaults):
        self.client = Client(**client_defaults)
        self.failures: list[tuple[str, BaseException]] = []
        self.calls: list[tuple[str, str]] = []  # (method, url) of every call that arrived

    def fail(self, path_prefix: str, error: BaseException) -> None:
        """Raise `error` for every call to a path starting with `path_prefix`."""
        self.failures.append((path_prefix, error))

    def heal(self) -> None:
        self.failures.clear()

    def send(self, request: requests.PreparedRequest) -> requests.Response:
        parts = urlsplit(request.url)
        self.calls.append((request.method, request.url))
        for prefix, error in self.failures:
            if parts.path.startswith(prefix):
                raise error
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("content-type", "content-length", "host")
        }
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = self.client.generic(
            request.method,
            parts.path,
            data=body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            QUERY_STRING=parts.query,
            headers=headers,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers.items())
        response._content = (
            b"".join(answer.streaming_content) if answer.streaming else answer.content
        )
        response.url = request.url
        response.request = request
        response.reason = answer.reason_phrase
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response


def install(monkeypatch) -> InProcessHTTP:
    transport = InProcessHTTP()

    def send(adapter, request, **kwargs):
        host = urlsplit(request.url).hostname
        if host != HOST:
            raise requests.ConnectionError(f"No network in the tests: {request.url}")
        return transport.send(request)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return transport


def _port(parts) -> int:
    """The port of a split URL: its own, or its scheme's."""
    return parts.port or (443 if parts.scheme == "https" else 80)


@contextmanager
def answered_in_process(site_url: str):
    """While loading the demo, before its server is up: `requests` calls to `site_url` (the
    sandboxes under /sandbox/ and MotCua's own callbacks) are answered by this process, so a
    reminder prepared at loading time is refreshed from the register sandboxes and its SMS
    reaches the sandbox phone. Any other host goes to the network as usual."""
    parts = urlsplit(site_url)
    transport = InProcessHTTP(SERVER_NAME=parts.hostname, SERVER_PORT=str(_port(parts)))
    real_send = HTTPAdapter.send

    def send(adapter, request, **kwargs):
        target = urlsplit(request.url)
        if (target.hostname, _port(target)) != (parts.hostname, _port(parts)):
            return real_send(adapter, request, **kwargs)
        return transport.send(request)

    with patch.object(HTTPAdapter, "send", send):
        yield transport
