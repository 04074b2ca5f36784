import pytest

from motcua.api.testing import WebhookReceiver, make_client, token_for


@pytest.fixture
def api_client_of(db):
    """api_client_of(agency, scopes=None) -> (client, secret)."""
    return make_client


@pytest.fixture
def integrator(org, client):
    """A client of the procedure's agency with every scope, and a token for it."""
    api_client, secret = make_client(org.agency)
    token = token_for(client, api_client, secret)
    return api_client, token


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()
