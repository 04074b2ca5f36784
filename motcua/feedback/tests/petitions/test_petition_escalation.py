"""Late stages are escalated once each (PetitionLate to the agency's heads)."""

import pytest
from django.core.management import call_command

from motcua.feedback import petitions
from motcua.feedback.models import Petition
from motcua.feedback.tests.petitions.conftest import at, events

pytestmark = pytest.mark.django_db


def test_a_petition_left_untouched_is_escalated_once_per_stage(file):
    petition = file(now=at("2026-03-02 09:00"))  # reject by 4/3, info by 9/3, resolve by 23/3
    assert petitions.escalate_late_petitions(now=at("2026-03-03 09:00")) == 0
    assert petitions.escalate_late_petitions(now=at("2026-03-05 09:00")) == 1
    assert petitions.escalate_late_petitions(now=at("2026-03-06 09:00")) == 0  # not twice
    assert petitions.escalate_late_petitions(now=at("2026-03-10 09:00")) == 1
    assert petitions.escalate_late_petitions(now=at("2026-03-24 09:00")) == 1
    assert petitions.escalate_late_petitions(now=at("2026-03-25 09:00")) == 0
    late = events("petition.late")
    assert [e.stage for e in late] == ["reject", "info", "resolve"]
    assert {e.code for e in late} == {petition.code}
    assert all(e.agency_id == petition.agency_id for e in late)
    assert late[0].due_at == petition.reject_due_at
    petition.refresh_from_db()
    assert petition.reject_escalated_at == at("2026-03-05 09:00")
    assert petition.events.filter(action="escalated", is_public=False).count() == 3


def test_a_petition_rejected_in_time_is_never_escalated(file, org):
    petition = file(now=at("2026-03-02 09:00"))
    petitions.reject_petition(petition=petition, officer=org.desk_officer, reason="Trùng lặp.")
    assert petitions.escalate_late_petitions(now=at("2026-06-01 09:00")) == 0
    assert events("petition.late") == []


def test_waiting_for_the_filer_is_not_late_and_the_new_answer_deadline_is_escalated_once(file, org):
    petition = file(now=at("2026-03-02 09:00"))
    petitions.request_info(petition=petition, officer=org.desk_officer, question="Ở đâu?")
    assert petitions.escalate_late_petitions(now=at("2026-04-30 09:00")) == 0
    petitions.give_info(
        petition=Petition.objects.get(pk=petition.pk), info="Ở quầy 3.", now=at("2026-05-04 09:00")
    )
    assert petitions.escalate_late_petitions(now=at("2026-05-20 09:00")) == 0
    assert petitions.escalate_late_petitions(now=at("2026-06-01 09:00")) == 1
    assert [e.stage for e in events("petition.late")] == ["resolve"]


def test_an_answer_not_published_in_two_working_days_is_escalated_by_the_command(file, org, capsys):
    petition = file(now=at("2026-03-02 09:00"))
    petitions.answer_petition(
        petition=petition, officer=org.desk_officer, answer="Đã xử lý.", now=at("2026-03-03 09:00")
    )
    call_command("escalate_late_petitions")  # today is long after 5/3
    call_command("escalate_late_petitions")
    assert [e.stage for e in events("petition.late")] == ["publish"]
    assert "Escalated 0" in capsys.readouterr().out


def test_the_history_is_append_only(file):
    from motcua.feedback.models import PetitionEvent

    petition = file()
    line = PetitionEvent.objects.get(petition=petition)
    line.note = "đã sửa"
    with pytest.raises(PermissionError):
        line.save()
