"""The client's address and scheme behind trusted proxies (core.client, ClientAddressMiddleware)."""

import pytest
from django.urls import reverse

from motcua.core.client import parse_networks, resolve
from motcua.core.models import AuditEntry

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8:a::/48", "192.0.2.7"])


def meta(peer, forwarded=None, proto=None):
    values = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        values["HTTP_X_FORWARDED_FOR"] = forwarded
    if proto is not None:
        values["HTTP_X_FORWARDED_PROTO"] = proto
    return values


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # An untrusted peer's header is a lie until proven otherwise.
        ("203.0.113.9", "1.1.1.1", "203.0.113.9"),
        ("203.0.113.9", "10.0.0.1", "203.0.113.9"),
        # One proxy: the address it appended.
        ("10.0.0.1", "198.51.100.4", "198.51.100.4"),
        # The client sent its own X-Forwarded-For; the proxy appended the real address.
        ("10.0.0.1", "1.1.1.1, 198.51.100.4", "198.51.100.4"),
        # Two proxies: skip the trusted hop, take the first untrusted one from the right.
        ("10.0.0.1", "6.6.6.6, 198.51.100.4, 10.1.2.3", "198.51.100.4"),
        ("10.0.0.1", "6.6.6.6, 198.51.100.4, 192.0.2.7", "198.51.100.4"),
        # Only proxies: the leftmost of them.
        ("10.0.0.1", "10.9.9.9, 10.1.2.3", "10.9.9.9"),
        # No header from a trusted peer: the peer itself.
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "", "10.0.0.1"),
        # IPv6 peers and hops, with ports and brackets.
        ("2001:db8:a::1", "2001:db8:ffff::5", "2001:db8:ffff::5"),
        ("2001:db8:a::1", "[2001:db8:ffff::5]:443, 2001:db8:a::2", "2001:db8:ffff::5"),
        ("10.0.0.1", "198.51.100.4:51234", "198.51.100.4"),
        ("::ffff:10.0.0.1", "198.51.100.4", "198.51.100.4"),
        # Garbage stops the walk at the last trusted hop; nothing left of it is believed.
        ("10.0.0.1", "6.6.6.6, not-an-address", "10.0.0.1"),
        ("10.0.0.1", "6.6.6.6, <script>, 10.1.2.3", "10.1.2.3"),
        ("10.0.0.1", "\x00\x00, 1.2.3.4.5", "10.0.0.1"),
        ("10.0.0.1", ",,, ,", "10.0.0.1"),
    ],
)
def test_client_address(peer, forwarded, client):
    assert resolve(meta(peer, forwarded), PROXIES)[0] == client


def test_without_trusted_proxies_every_header_is_ignored():
    assert resolve(meta("10.0.0.1", "198.51.100.4", "https"), ()) == ("10.0.0.1", None)


def test_forwarded_proto_only_from_a_trusted_peer():
    assert resolve(meta("10.0.0.1", proto="https"), PROXIES)[1] is True
    assert resolve(meta("10.0.0.1", proto="http"), PROXIES)[1] is False
    assert resolve(meta("10.0.0.1", proto="https, http"), PROXIES)[1] is False
    assert resolve(meta("10.0.0.1", proto="gopher"), PROXIES)[1] is None
    assert resolve(meta("203.0.113.9", proto="https"), PROXIES)[1] is None


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


def _failed_login_address(client, **headers):
    client.post(reverse("accounts:login"), {"login": "ai@example.vn", "password": "x"}, **headers)
    return AuditEntry.objects.filter(action="login_failed").latest("pk").ip_address


@pytest.mark.django_db
def test_audit_and_limits_see_the_client_behind_the_proxy(client, behind_proxy):
    forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.4"}
    assert _failed_login_address(client, **forwarded) == "198.51.100.4"


@pytest.mark.django_db
def test_a_client_cannot_spoof_its_address_without_the_proxy(client, behind_proxy):
    spoofed = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert _failed_login_address(client, **spoofed) == "203.0.113.9"


@pytest.mark.django_db
def test_https_is_believed_only_from_the_proxy(client, behind_proxy, settings):
    settings.SECURE_SSL_REDIRECT = True
    url = reverse("catalogue:home")
    from_proxy = client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert from_proxy.status_code == 200
    spoofed = client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301
    assert spoofed["Location"].startswith("https://")
