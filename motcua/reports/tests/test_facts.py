"""The fact of each dossier is kept right by the outbox subscriber, whatever the order and
however often its events arrive (decision 0056)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from motcua.core.events import DossierChanged
from motcua.core.outbox import publish
from motcua.dossiers.models import Dossier
from motcua.feedback.ratings import FIELDS, rate_dossier
from motcua.reports.facts import classify
from motcua.reports.models import DossierFact
from motcua.workflow.machine import (
    ExtendInput,
    NoteInput,
    ReasonInput,
    RequestSupplementInput,
    SupplementItem,
    perform,
)

pytestmark = pytest.mark.django_db


def at(*args):
    return timezone.make_aware(datetime(*args))


def fact_of(dossier) -> dict:
    values = model_to_dict(DossierFact.objects.get(pk=dossier.pk))
    values.pop("refreshed_at", None)
    return values


def act(dossier, action, actor, data=None):
    return perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)


def test_the_fact_follows_supplement_extension_approval_and_return(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 10, 0)  # Monday: accepted, due Wednesday 12/11 10:00
        act(dossier, "accept", org.desk_officer)
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.received_at == at(2025, 11, 10, 10, 0) and fact.ending == ""
    assert fact.legal_due_at == at(2025, 11, 12, 10, 0) and fact.channel == "online"

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 15, 0)
        items = (SupplementItem(component="Giấy đăng ký xe ô tô", reason="Bản chụp mờ"),)
        act(dossier, "request_supplement", org.specialist, RequestSupplementInput(items=items))
        clock.set(2025, 11, 13, 8, 0)  # Thursday: back, the clock restarts: due Monday 08:00
        act(dossier, "submit_supplement", dossier.applicant, NoteInput(note="Đã bổ sung"))
        clock.set(2025, 11, 13, 9, 0)
        act(
            dossier,
            "extend",
            org.specialist,
            ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 18)),
        )
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.supplement_requests == 1 and fact.extended
    assert fact.legal_due_at == at(2025, 11, 17, 8, 0)
    assert fact.due_at == at(2025, 11, 18, 8, 0)

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 13, 10, 0)
        act(dossier, "forward", org.specialist, NoteInput(note="Đủ điều kiện"))
        act(dossier, "forward", org.head)
        clock.set(2025, 11, 18, 7, 45)  # after the appointment before the apology: late
        act(dossier, "approve", org.leader)
        clock.set(2025, 11, 18, 9, 0)
        act(dossier, "return_result", org.desk_officer)
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.ending == "returned" and fact.ended_at == at(2025, 11, 18, 7, 45)
    assert fact.timeliness == "late"
    # Monday 10:00 to Tuesday 18/11 07:45 is 54.75 working hours (07:30-17:00 days); the
    # supplement pause, Monday 15:00 to Thursday 08:00, 21.5: 33.25 h = 3.5 days of 9.5 h.
    assert fact.processing_days == Decimal("3.50")

    # Delivered again, in any order, or rebuilt: nothing changes.
    before = fact_of(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        publish(DossierChanged.about(Dossier.objects.get(pk=dossier.pk), action="replay"))
    call_command("rebuild_facts", batch_size=1)
    assert fact_of(dossier) == before


def test_approved_on_the_due_day_before_the_due_time_is_on_time_not_early(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 10, 0)
        act(dossier, "accept", org.desk_officer)
        clock.set(2025, 11, 12, 9, 0)  # Wednesday, the due day (10:00): on time, not early
        act(dossier, "forward", org.specialist, NoteInput(note="Đủ"))
        act(dossier, "forward", org.head)
        act(dossier, "approve", org.leader)
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.timeliness == "on_time" and fact.ending == "processed"
    # Monday 10:00-17:00, Tuesday 9.5 h, Wednesday 07:30-09:00: 18 h of 9.5 h days.
    assert fact.processing_days == Decimal("1.89")


def test_finished_on_a_day_before_the_due_date_is_early_and_stop_ends_the_clock(
    clock, org, procedure, citizen, django_capture_on_commit_callbacks
):
    from motcua.factories import make_submitted_dossier

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 9, 0)
        early = make_submitted_dossier(procedure, citizen, plate="75A-111.11")
        stopped = make_submitted_dossier(procedure, citizen, plate="75A-222.22")
        clock.set(2025, 11, 10, 10, 0)
        act(early, "accept", org.desk_officer)
        act(stopped, "accept", org.desk_officer)
        clock.set(2025, 11, 11, 16, 0)  # Tuesday, due Wednesday
        act(early, "forward", org.specialist, NoteInput(note="Đủ"))
        act(early, "forward", org.head)
        act(early, "approve", org.leader)
        clock.set(2025, 11, 13, 9, 0)  # Thursday: stopped after the due date
        act(stopped, "stop", org.specialist, ReasonInput(reason="Không đủ điều kiện"))
    assert DossierFact.objects.get(pk=early.pk).timeliness == "early"
    stopped_fact = DossierFact.objects.get(pk=stopped.pk)
    assert (stopped_fact.ending, stopped_fact.timeliness) == ("stopped", "late")


def test_refused_at_reception_is_never_received(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "refuse", org.desk_officer, ReasonInput(reason="Sai thẩm quyền"))
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.ending == "refused" and fact.received_at is None and fact.timeliness == ""


def test_more_than_one_supplement_request_counts_as_late_even_when_early():
    ended = at(2025, 11, 10, 10, 0)
    due = at(2025, 11, 20, 10, 0)
    assert classify(ended_at=ended, due_at=due, supplements=1) == "early"
    assert classify(ended_at=ended, due_at=due, supplements=2) == "late"


def test_a_negative_rating_reaches_the_fact_without_reading_feedback(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "refuse", org.desk_officer, ReasonInput(reason="Sai thẩm quyền"))
    with django_capture_on_commit_callbacks(execute=True):
        scores = dict.fromkeys(FIELDS, 2) | {"attitude": 0, "complaints": None}
        rate_dossier(dossier=dossier, applicant=dossier.applicant, scores=scores)
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.rated and fact.rated_negative is True
    with django_capture_on_commit_callbacks(execute=True):
        scores = dict.fromkeys(FIELDS, 2) | {"complaints": None}
        rate_dossier(
            dossier=Dossier.objects.get(pk=dossier.pk), applicant=dossier.applicant, scores=scores
        )
    assert DossierFact.objects.get(pk=dossier.pk).rated_negative is False


def test_the_fact_holds_no_personal_data_and_outlives_the_applicants_details(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "accept", org.desk_officer)
    before = fact_of(dossier)
    assert not any(f.is_relation for f in DossierFact._meta.get_fields())
    text = " ".join(str(v) for v in before.values())
    assert dossier.applicant_name not in text and dossier.applicant_phone not in text
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant_name="", applicant_phone="", applicant_id_number="", form_data={}
    )
    call_command("rebuild_facts")
    assert fact_of(dossier) == before


def test_a_fee_paid_at_the_counter_is_charged_but_not_paid_online(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    from motcua.workflow.machine import RequestPaymentInput

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 10, 0)
        act(dossier, "accept", org.desk_officer)
    assert not DossierFact.objects.get(pk=dossier.pk).fee_charged
    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "request_payment", org.specialist, RequestPaymentInput(amount=135_000))
        act(dossier, "confirm_payment", org.specialist, NoteInput(note="Đã thu tại quầy"))
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.fee_charged and not fact.paid_online


def test_a_zero_fee_request_does_not_make_the_dossier_fee_charging(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    from motcua.payments.models import Charge

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "accept", org.desk_officer)
    Charge.objects.create(dossier=dossier, amount=0, status=Charge.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        publish(DossierChanged.about(Dossier.objects.get(pk=dossier.pk), action="fee"))
    assert not DossierFact.objects.get(pk=dossier.pk).fee_charged


def test_after_an_apology_a_fee_pause_moves_the_date_judged_against(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    from motcua.workflow.machine import RequestPaymentInput

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 10, 0)  # Monday: accepted, due Wednesday 12/11 10:00
        act(dossier, "accept", org.desk_officer)
        clock.set(2025, 11, 10, 10, 30)  # an apology: the new appointment is Thursday
        act(
            dossier,
            "extend",
            org.specialist,
            ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 13)),
        )
        clock.set(2025, 11, 10, 11, 0)  # a fee: the workflow pauses the clock
        act(dossier, "request_payment", org.specialist, RequestPaymentInput(amount=135_000))
        clock.set(2025, 11, 12, 9, 0)  # paid at the counter on Wednesday 09:00
        act(dossier, "confirm_payment", org.specialist, NoteInput(note="Đã thu tại quầy"))
        clock.set(2025, 11, 13, 16, 0)  # Thursday
        act(dossier, "forward", org.specialist, NoteInput(note="Đủ"))
        act(dossier, "forward", org.head)
        act(dossier, "approve", org.leader)
    fact = DossierFact.objects.get(pk=dossier.pk)
    # Without the apology, the 18 working hours left at Monday 11:00 (to Wednesday 10:00)
    # restart on Wednesday 09:00: 8 h that day, 9.5 Thursday, 0.5 Friday: Friday 14/11
    # 08:00. Finished on Thursday, a day before: early (not late against Wednesday 10:00).
    assert fact.legal_due_at == at(2025, 11, 14, 8, 0)
    assert fact.due_at == at(2025, 11, 17, 8, 0)  # the apology's date, moved the same way
    assert fact.timeliness == "early"


def test_after_an_apology_a_supplement_restarts_the_date_judged_against(
    clock, org, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clock.set(2025, 11, 10, 10, 0)  # Monday: accepted, due Wednesday 12/11 10:00
        act(dossier, "accept", org.desk_officer)
        clock.set(2025, 11, 10, 10, 30)
        act(
            dossier,
            "extend",
            org.specialist,
            ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 13)),
        )
        clock.set(2025, 11, 10, 11, 0)
        items = (SupplementItem(component="Giấy đăng ký xe ô tô", reason="Bản chụp mờ"),)
        act(dossier, "request_supplement", org.specialist, RequestSupplementInput(items=items))
        clock.set(2025, 11, 11, 9, 0)  # complete on Tuesday 09:00: two days from zero
        act(dossier, "submit_supplement", dossier.applicant, NoteInput(note="Đã bổ sung"))
        clock.set(2025, 11, 13, 8, 30)
        act(dossier, "forward", org.specialist, NoteInput(note="Đủ"))
        act(dossier, "forward", org.head)
        act(dossier, "approve", org.leader)
    fact = DossierFact.objects.get(pk=dossier.pk)
    # The restart set Thursday 13/11 09:00, with no apology in it: finished Thursday 08:30
    # is on time (not late against the Wednesday the apology had put off).
    assert fact.legal_due_at == at(2025, 11, 13, 9, 0)
    assert fact.timeliness == "on_time"
