from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import Role
from motcua.core.models import OutboxEvent
from motcua.core.outbox import _open
from motcua.factories import AgencyFactory, UnitFactory
from motcua.feedback import petitions
from motcua.feedback.models import Petition
from motcua.workdays import services as workdays

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    """An aware local time: at("2026-08-28 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=HANOI)


def events(name: str) -> list:
    """The events of `name` in the outbox, oldest first, with their secret fields opened
    by the outbox's own helper."""
    return [_open(row) for row in OutboxEvent.objects.filter(name=name).order_by("pk")]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.forget_calendar()
    yield
    workdays.forget_calendar()


@pytest.fixture
def file(procedure):
    """file(**fields): a petition about `procedure`, filed without an account by e-mail."""

    def make(*, now=None, **fields) -> Petition:
        values = {
            "kind": Petition.Kind.FEEDBACK,
            "subject": petitions.Subject(
                about=Petition.About.PROCEDURE,
                agency=procedure.receiving_agency,
                procedure=procedure,
            ),
            "title": "Cán bộ hẹn nhiều lần",
            "content": "Tôi là Lê Văn Tám, điện thoại 0903123456, bị hẹn ba lần.",
            "name": "Lê Văn Tám",
            "channel": Petition.Channel.EMAIL,
            "email": "tam@example.vn",
            **fields,
        }
        return petitions.file_petition(now=now, **values)

    return make


@pytest.fixture
def stranger(make_officer):
    """A desk officer of another agency."""
    agency = AgencyFactory(name="Sở Tư pháp")
    desk = UnitFactory(agency=agency, code="mot-cua-tp", kind="desk")
    return make_officer(agency, (desk, Role.DESK), full_name="Đỗ Văn Lạ")
