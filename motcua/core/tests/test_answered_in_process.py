"""The demo's loading answers its own site in process (core.testing_http.answered_in_process);
any other address, a port-less one on the same host included, goes to the network."""

import pytest
import requests
from requests.adapters import HTTPAdapter

from motcua.core.testing_http import answered_in_process


@pytest.mark.django_db
def test_only_the_sites_own_port_is_answered_in_process(monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "dichvucong.example.vn"]
    network = []

    def to_the_network(adapter, request, **kwargs):
        network.append(request.url)
        raise requests.ConnectionError("no network here")

    monkeypatch.setattr(HTTPAdapter, "send", to_the_network)
    with answered_in_process("http://127.0.0.1:8000") as transport:
        assert requests.get("http://127.0.0.1:8000/health/live/", timeout=5).status_code == 200
        for elsewhere in ("http://127.0.0.1/health/live/", "http://127.0.0.1:9000/"):
            with pytest.raises(requests.ConnectionError):
                requests.get(elsewhere, timeout=5)
    assert transport.calls == [("GET", "http://127.0.0.1:8000/health/live/")]
    assert network == ["http://127.0.0.1/health/live/", "http://127.0.0.1:9000/"]
    with answered_in_process("https://dichvucong.example.vn") as transport:
        answer = requests.get("https://dichvucong.example.vn:443/health/live/", timeout=5)
        assert answer.status_code == 200
    assert transport.calls == [("GET", "https://dichvucong.example.vn:443/health/live/")]
