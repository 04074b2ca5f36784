import os

os.environ.setdefault("MOTCUA_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from datetime import datetime  # noqa: E402

import pytest  # noqa: E402
import redis  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from motcua import factories  # noqa: E402
from motcua.factories import ComponentFactory, ProcedureFactory, UserFactory  # noqa: E402
from motcua.workdays.calendar_file import read_calendar_file, upsert_calendar_days  # noqa: E402
from motcua.workdays.models import CalendarDay  # noqa: E402

# REDIS_TEST_SERVER lets parallel checkouts test against their own Redis servers.
REDIS_SERVER = os.environ.get("REDIS_TEST_SERVER", "redis://127.0.0.1:6379")


def redis_test_url() -> str:
    """Databases 8-15 belong to the tests, one per xdist worker: flushing one never touches
    a development server's data (database 0) or another worker's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"{REDIS_SERVER}/{15 - int(worker.removeprefix('gw')) % 8}"


# With REDIS_URL set the default cache is Redis, and every test begins with cache.clear(),
# which empties the whole database: use this worker's test database instead.
if django_settings.CACHES["default"]["BACKEND"] == "motcua.core.cache.RedisCache":
    django_settings.CACHES["default"]["LOCATION"] = redis_test_url()


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    needs_postgresql = pytest.mark.skip(reason="means something only on PostgreSQL")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(needs_postgresql)


_DB_BLOCKER = pytest.StashKey()


def _empties_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session", autouse=True)
def _keep_the_db_blocker(request, django_db_blocker):
    request.config.stash[_DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, the shipped calendar that a data
    migration loaded included. pytest-django runs those tests last, but under xdist a worker
    runs them where they fall, so put the calendar back for the tests that follow."""
    result = yield
    if nextitem is not None and _empties_the_database(item):
        with item.config.stash[_DB_BLOCKER].unblock():
            upsert_calendar_days(CalendarDay, read_calendar_file())
    return result


@pytest.fixture
def redis_url():
    """This worker's Redis test database, empty; the test skips without Redis (fails in CI)."""
    url = redis_test_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        message = f"no Redis answers at {REDIS_SERVER}"
        # CI starts Redis (.ci/run): there, a silent skip would hide the backend's tests.
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def _session_pki(tmp_path_factory):
    """One demo CA and a `default` signing key for the whole run (EC P-256: fast to make)."""
    from motcua.signing import pki

    directory = tmp_path_factory.mktemp("pki")
    pki.create_pki(directory, key_type="ec256")
    return directory


@pytest.fixture(autouse=True)
def _signing_keys(settings, _session_pki):
    settings.SIGNING_DIR = _session_pki
    settings.SIGNING_ALLOW_DEFAULT = True


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    # A request in English (the test client runs in this thread) must not leave the next
    # test speaking English: every test starts in Vietnamese, the default language.
    with translation.override("vi"):
        yield


@pytest.fixture
def citizen(db):
    return UserFactory(full_name="Nguyễn Văn An", phone="0912345678")


@pytest.fixture
def other_citizen(db):
    return UserFactory(full_name="Trần Thị Bình", phone="0987654321", citizen_id="079190012345")


@pytest.fixture
def procedure(db):
    procedure = ProcedureFactory()
    ComponentFactory(procedure=procedure, name="Giấy đề nghị", paper_form="original")
    ComponentFactory(
        procedure=procedure,
        name="Hợp đồng thuê xe",
        requirement="conditional",
        condition_field="vehicles.*.ownership=leased",
    )
    return procedure


@pytest.fixture
def org(procedure):
    """The receiving agency of `procedure` with its units, officers and the standard workflow.

    Apps whose tests need another procedure override `procedure` or this fixture."""
    return factories.make_organisation(procedure)


# The two builders, as fixtures for tests and fixtures that need more than `org`. Asking for
# `db` here leaves transactional tests transactional: pytest-django prefers transactional_db.
@pytest.fixture
def make_organisation(db):
    """make_organisation(procedure, definition=None): the procedure's agency with its desk,
    specialist department and leadership, one officer per role, and its workflow."""
    return factories.make_organisation


@pytest.fixture
def make_officer(db):
    """make_officer(agency, (unit, role), ..., full_name=..., second_factor=True, **fields)."""
    return factories.make_officer


# A clock the tests move: what timezone.now() returns (workflow and reports histories).
class Clock:
    """Sets what `timezone.now()` returns, in Vietnam's time zone."""

    def __init__(self):
        self.current = None

    def set(self, year, month, day, hour=9, minute=0):
        self.current = timezone.make_aware(datetime(year, month, day, hour, minute))
        return self.current

    def __call__(self):
        return self.current


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: clock.current or real_now())
    return clock


@pytest.fixture
def in_process_http(monkeypatch, settings):
    """`requests` to http://testserver/ answered by this process (core/testing_http.py): the
    sandboxes of outside systems, reached the way the plugins reach the real ones."""
    from motcua.core import testing_http

    settings.SITE_URL = f"http://{testing_http.HOST}"
    return testing_http.install(monkeypatch)
