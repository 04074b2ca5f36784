import pytest

from motcua.factories import make_submitted_dossier


@pytest.fixture
def dossier(org, procedure, citizen):
    return make_submitted_dossier(procedure, citizen)
