import pytest

from motcua.factories import make_submitted_dossier


@pytest.fixture
def dossier(org, procedure, citizen, clock):
    clock.set(2025, 11, 10, 9, 0)  # Monday
    return make_submitted_dossier(procedure, citizen)
