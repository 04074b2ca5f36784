"""Feedback deadlines on the working-day calendar (decision 0047)."""

import pytest

from motcua.feedback import petitions
from motcua.feedback.models import Petition
from motcua.feedback.tests.petitions.conftest import at

pytestmark = pytest.mark.django_db


def test_received_on_the_friday_before_national_day_the_two_day_deadline_skips_the_break(file):
    # Fri 28/8/2026 10:00: 29/8-2/9 are off (weekend, swapped 31/8, 1/9 and 2/9 holidays);
    # one working day is Thu 3/9 10:00, two are Fri 4/9 10:00.
    petition = file(now=at("2026-08-28 10:00"))
    assert petition.reject_due_at == at("2026-09-04 10:00")
    # Five: 3, 4, 7, 8, 9/9; fifteen end on Wed 23/9.
    assert petition.info_due_at == at("2026-09-09 10:00")
    assert petition.resolve_due_at == at("2026-09-23 10:00")


def test_received_on_friday_evening_counts_from_monday_opening(file):
    petition = file(now=at("2026-03-06 18:00"))
    assert petition.reject_due_at == at("2026-03-10 17:00")


def test_the_answer_clock_stops_while_the_filer_is_asked_and_starts_again_from_the_answer(
    file, org
):
    petition = file(now=at("2026-03-02 09:00"))
    petitions.request_info(petition=petition, officer=org.desk_officer, question="Ngày nào?")
    petition.refresh_from_db()
    assert petition.status == Petition.Status.INFO_REQUESTED
    assert petition.resolve_due_at is None
    petitions.give_info(petition=petition, info="Ngày 25/02.", now=at("2026-03-20 10:00"))
    petition.refresh_from_db()
    assert petition.status == Petition.Status.INFO_GIVEN
    # Fifteen working days from Fri 20/3 10:00: 23/3 ... 10/4 10:00.
    assert petition.resolve_due_at == at("2026-04-10 10:00")


def test_publication_is_due_two_working_days_after_the_answer_past_the_may_holidays(file, org):
    petition = file(now=at("2026-03-02 09:00"))
    petitions.answer_petition(
        petition=petition,
        officer=org.desk_officer,
        answer="Đã nhắc nhở.",
        now=at("2026-04-29 10:00"),
    )
    petition.refresh_from_db()
    # Wed 29/4/2026: 30/4 and 1/5 are holidays, then the weekend: Mon 4/5, Tue 5/5.
    assert petition.status == Petition.Status.ANSWERED
    assert petition.publish_due_at == at("2026-05-05 10:00")
