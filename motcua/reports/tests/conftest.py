from datetime import datetime

import pytest
from django.utils import timezone

from motcua.factories import make_submitted_dossier


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
def dossier(org, procedure, citizen, clock):
    clock.set(2025, 11, 10, 9, 0)  # Monday
    return make_submitted_dossier(procedure, citizen)
