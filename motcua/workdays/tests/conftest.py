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
def admin_client(db, client, settings):
    from motcua.accounts.models import User

    # The admin asks officers for a second factor; that is tested in accounts.
    settings.OFFICER_2FA_REQUIRED = False
    admin = User.objects.create_superuser("quantri@example.vn", "Mat-khau-quan-tri-2026")
    client.force_login(admin)
    return client
