import json as jsonlib
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client


class _Answer:
    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.content
        self.text = response.content.decode()

    def json(self):
        return jsonlib.loads(self.content)


class InProcessHTTP:
    """`requests` for the SMS channel and the sandbox gateway, served by the Django test
    client in-process: the same views answer as over the network. `fail` makes the next
    calls raise (a timeout, a refused connection); `reports` keeps the gateway's reports."""

    RequestException = requests.RequestException

    def __init__(self):
        self.client = Client()
        self.fail: Exception | None = None
        self.calls = []
        self.reports = []

    def post(self, url, data=None, headers=None, timeout=None):
        if self.fail is not None:
            raise self.fail
        path = urlsplit(url).path
        self.calls.append((path, timeout))
        headers = {k: v for k, v in (headers or {}).items() if k != "Content-Type"}
        answer = _Answer(
            self.client.post(path, data=data, content_type="application/json", headers=headers)
        )
        if path.endswith("/report/"):
            self.reports.append((jsonlib.loads(data), answer.json()))
        return answer


@pytest.fixture
def http(monkeypatch, settings):
    settings.SITE_URL = "http://testserver"
    transport = InProcessHTTP()
    monkeypatch.setattr("motcua.notifications.contrib.sms.plugin.requests", transport)
    monkeypatch.setattr("motcua.notifications.contrib.sms_sandbox.tasks.requests", transport)
    return transport
