import io

import pytest
from django.core.management import call_command

BADGE = "2.002288"
SHIP = "1.002687"
AIRCRAFT = "1.003747"
SEAFARER = "1.002788"
COMPLETE = [BADGE, SHIP, AIRCRAFT, SEAFARER]


def _clear_catalogue():
    from motcua.catalogue.models import Agency, Component, Procedure, Sector

    Component.objects.all().delete()
    Procedure.objects.all().delete()
    Sector.objects.all().delete()
    while Agency.objects.exists():  # children first: parents are protected
        Agency.objects.filter(children__isnull=True).delete()


@pytest.fixture(scope="module")
def _catalogue_module(django_db_setup, django_db_blocker):
    # Loading takes about half a second; do it once per test module, outside the per-test
    # transactions (which still roll back whatever a test changes), and remove it afterwards
    # so that other modules start from an empty catalogue.
    with django_db_blocker.unblock():
        call_command("load_catalogue", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        _clear_catalogue()


@pytest.fixture
def catalogue(_catalogue_module, db):
    """The 78 procedures of ../shared/data, with the three reference ones completed."""


@pytest.fixture
def admin_client_vi(client, make_officer):
    from motcua.accounts.testing import login_officer

    admin = make_officer(email="quantri@example.vn", is_staff=True, is_superuser=True)
    login_officer(client, admin)
    return client
