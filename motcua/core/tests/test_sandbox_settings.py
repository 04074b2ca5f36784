"""The sandbox is for demonstrations: it refuses production, its secrets are never public,
and every page says that nothing here is real (docs/decisions/0032)."""

import json

import pytest
from django.urls import reverse

from motcua.core.tests import helpers

BANNER = "Môi trường thử nghiệm — không có giao dịch thật"
# The value settings held before: public, in the repository, so anyone could sign an IPN.
OLD_PUBLIC_SECRET = "motcua-sandbox-vnpay-secret-not-for-production"  # noqa: S105
SECRETS = (
    "VNPAY_HASH_SECRET",
    "SANDBOX_VNPAY_HASH_SECRET",
    "POSTAL_API_TOKEN",
    "POSTAL_WEBHOOK_SECRET",
    "PAYGOV_SECRET_KEY",
    "SANDBOX_PAYGOV_SECRET_KEY",
)


def load_settings(**env):
    return helpers.load_settings(SECRETS, **env)


def test_the_sandbox_without_debug_refuses_to_start_unless_it_is_a_demo():
    refused = load_settings(SANDBOX_ENABLED="true")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "DEMO_MODE" in refused.stderr
    demo = load_settings(SANDBOX_ENABLED="true", DEMO_MODE="true")
    assert demo.returncode == 0, demo.stderr
    assert load_settings(SANDBOX_ENABLED="false").returncode == 0


def test_no_secret_has_a_public_default():
    # Without the sandbox, vnpay with no secret configured is refused at start-up.
    refused = load_settings(PAYMENT_GATEWAYS="vnpay", VNPAY_TMN_CODE="REALTMN1")
    assert refused.returncode != 0 and "VNPAY_HASH_SECRET" in refused.stderr
    refused = load_settings(PAYMENT_GATEWAYS="paygov", PAYGOV_PARTNER_CODE="REAL")
    assert refused.returncode != 0 and "PAYGOV_SECRET_KEY" in refused.stderr
    plain = json.loads(load_settings().stdout)
    assert set(plain.values()) == {""}
    # A demo's sandbox secrets are its own: not the old public value, not another demo's.
    one = json.loads(load_settings(SANDBOX_ENABLED="true", DEMO_MODE="true").stdout)
    other = json.loads(
        load_settings(SANDBOX_ENABLED="true", DEMO_MODE="true", SECRET_KEY="another").stdout
    )
    assert OLD_PUBLIC_SECRET not in one.values()
    assert all(len(value) >= 32 for value in one.values())
    assert one["VNPAY_HASH_SECRET"] == one["SANDBOX_VNPAY_HASH_SECRET"]
    assert one["PAYGOV_SECRET_KEY"] == one["SANDBOX_PAYGOV_SECRET_KEY"]
    assert not set(one.values()) & set(other.values())


@pytest.mark.django_db
def test_every_page_says_it_is_the_sandbox_while_it_is_on(client, settings):
    assert settings.SANDBOX_ENABLED  # as in the tests and the demo
    for url in (reverse("catalogue:home"), reverse("postal_sandbox:post_office")):
        page = client.get(url).content.decode()
        assert f'<p class="sandbox-banner" role="note">{BANNER}</p>' in page, url


@pytest.mark.django_db
def test_no_banner_without_the_sandbox(client, settings):
    settings.SANDBOX_ENABLED = False
    assert BANNER not in client.get(reverse("catalogue:home")).content.decode()
