from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.workdays import services

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    """An aware local time: at("2025-01-24 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # Each test's rows are rolled back without a signal: drop the copy held in memory.
    services.forget_calendar()
    yield
    services.forget_calendar()


@pytest.fixture
def admin_client(client, make_officer):
    from motcua.accounts.testing import login_officer

    admin = make_officer(email="quantri@example.vn", is_staff=True, is_superuser=True)
    login_officer(client, admin)
    return client
