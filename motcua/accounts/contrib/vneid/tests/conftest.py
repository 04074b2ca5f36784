import pytest

from motcua.accounts.contrib.vneid import plugin


@pytest.fixture(autouse=True)
def _fresh_clients():
    """Each test meets the provider anew: its discovery document and keys are per database."""
    plugin.forget_clients()
    yield
    plugin.forget_clients()
