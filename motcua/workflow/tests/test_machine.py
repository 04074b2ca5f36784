"""Every transition of the state machine, allowed and refused (DOMAIN.md section 4)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.factories import AgencyFactory, UnitFactory
from motcua.workflow.machine import (
    ExtendInput,
    NoteInput,
    OpenTasksInput,
    ReasonInput,
    RequestPaymentInput,
    RequestSupplementInput,
    SupplementItem,
    TransitionRefused,
    available_actions,
    perform,
)

pytestmark = pytest.mark.django_db


def local(dt):
    return timezone.localtime(dt).replace(tzinfo=None)


def accept(dossier, org):
    return perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)


def through_to_processed(dossier, org):
    accept(dossier, org)
    perform(
        dossier_id=dossier.pk,
        action="forward",
        actor=org.specialist,
        data=NoteInput(note="Hồ sơ đủ điều kiện"),
    )
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    return perform(dossier_id=dossier.pk, action="approve", actor=org.leader)


def test_the_whole_path_from_reception_to_returned_result(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)  # Monday
    dossier = accept(dossier, org)
    assert dossier.status == Status.PROCESSING
    assert dossier.current_unit == org.department and dossier.current_role == "specialist"
    # Two working days, counted from acceptance: Wednesday at the same time.
    assert local(dossier.due_at) == datetime(2025, 11, 12, 10, 0)
    assert dossier.original_due_at == dossier.due_at
    assert dossier.documents.get().kind == "receipt"

    clock.set(2025, 11, 11, 9, 0)
    perform(
        dossier_id=dossier.pk,
        action="forward",
        actor=org.specialist,
        data=NoteInput(note="Đủ điều kiện"),
    )
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    dossier = perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    assert dossier.status == Status.PROCESSED
    assert dossier.current_unit == org.desk and dossier.finished_at is not None
    dossier = perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    assert dossier.status == Status.RETURNED and dossier.returned_at is not None

    events = list(dossier.events.order_by("id").values_list("action", "from_status", "to_status"))
    assert events == [
        ("submitted", 0, 1),
        ("accept", 1, 2),
        ("forward", 2, 4),
        ("forward", 4, 4),
        ("forward", 4, 4),
        ("approve", 4, 9),
        ("return", 9, 10),
    ]
    handovers = dossier.events.filter(action="forward").values_list(
        "from_unit_name", "to_unit_name"
    )
    assert list(handovers)[0] == ("Bộ phận Một cửa", "Phòng Quản lý vận tải")
    assert dossier.version == 5


def test_each_step_belongs_to_its_role_and_unit(org, dossier, procedure, make_officer):
    with pytest.raises(TransitionRefused, match="Bộ phận Một cửa"):
        perform(dossier_id=dossier.pk, action="accept", actor=org.specialist)
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="không được giao"):
        perform(dossier_id=dossier.pk, action="forward", actor=org.desk_officer)
    with pytest.raises(TransitionRefused, match="Không thể"):
        perform(dossier_id=dossier.pk, action="approve", actor=org.specialist)
    # A desk officer of another agency cannot touch it.
    other = AgencyFactory()
    stranger = make_officer(other, (UnitFactory(agency=other, kind="desk", code="mot-cua"), "desk"))
    with pytest.raises(TransitionRefused):
        perform(dossier_id=dossier.pk, action="forward", actor=stranger)
    assert Dossier.objects.get(pk=dossier.pk).step_key == "review"


def test_an_applicant_cannot_take_an_officers_action_nor_another_applicants(
    org, dossier, other_citizen, citizen
):
    with pytest.raises(TransitionRefused):
        perform(dossier_id=dossier.pk, action="accept", actor=citizen)
    with pytest.raises(TransitionRefused, match="người nộp"):
        perform(
            dossier_id=dossier.pk,
            action="request_withdrawal",
            actor=other_citizen,
            data=ReasonInput(reason="Không cần nữa"),
        )


def test_accepting_twice_is_refused_with_the_current_status(org, dossier):
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="Đang xử lý"):
        accept(dossier, org)


def test_a_stale_page_is_told_who_changed_the_dossier(org, dossier):
    seen = dossier.version
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="Nguyễn Thị Mai"):
        perform(
            dossier_id=dossier.pk,
            action="refuse",
            actor=org.desk_officer,
            data=ReasonInput(reason="Thiếu"),
            expected_version=seen,
        )


def test_refusal_needs_a_reason_and_issues_the_refusal_slip(org, dossier):
    with pytest.raises(TransitionRefused, match="lý do"):
        perform(
            dossier_id=dossier.pk,
            action="refuse",
            actor=org.desk_officer,
            data=ReasonInput(reason="  "),
        )
    dossier = perform(
        dossier_id=dossier.pk,
        action="refuse",
        actor=org.desk_officer,
        data=ReasonInput(reason="Sai thẩm quyền giải quyết"),
    )
    assert dossier.status == Status.NOT_ACCEPTED
    assert dossier.documents.get().kind == "refusal"
    assert dossier.events.latest("id").note == "Sai thẩm quyền giải quyết"


def test_supplement_is_requested_once_and_the_clock_restarts_from_zero(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)
    clock.set(2025, 11, 10, 15, 0)
    items = (SupplementItem(component="Giấy đăng ký xe ô tô", reason="Bản chụp mờ"),)
    dossier = perform(
        dossier_id=dossier.pk,
        action="request_supplement",
        actor=org.specialist,
        data=RequestSupplementInput(items=items),
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.documents.filter(kind="supplement").exists()
    with pytest.raises(TransitionRefused):
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)

    clock.set(2025, 11, 13, 8, 0)  # Thursday: the complete dossier is back
    dossier = perform(
        dossier_id=dossier.pk,
        action="submit_supplement",
        actor=dossier.applicant,
        data=NoteInput(note="Đã bổ sung"),
    )
    assert dossier.status == Status.PROCESSING and dossier.step_key == "review"
    # Counting starts again from zero: two full working days from Thursday 08:00.
    assert local(dossier.due_at) == datetime(2025, 11, 17, 8, 0)
    with pytest.raises(TransitionRefused, match="một lần"):
        perform(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=org.specialist,
            data=RequestSupplementInput(items=items),
        )


def test_supplement_at_reception_goes_back_to_the_desk(org, dossier):
    items = (SupplementItem(component="Giấy đề nghị", reason="Chưa ký"),)
    dossier = perform(
        dossier_id=dossier.pk,
        action="request_supplement",
        actor=org.desk_officer,
        data=RequestSupplementInput(items=items),
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.due_at is None
    # Nothing uploaded and nothing said: the one supplement the law allows is not wasted.
    with pytest.raises(TransitionRefused, match="Chưa có giấy tờ bổ sung"):
        perform(dossier_id=dossier.pk, action="submit_supplement", actor=dossier.applicant)
    dossier = perform(
        dossier_id=dossier.pk,
        action="submit_supplement",
        actor=dossier.applicant,
        data=NoteInput(note="Tôi nộp bản giấy tại Bộ phận Một cửa."),
    )
    assert dossier.status == Status.SUBMITTED and dossier.current_unit == org.desk


def test_supplement_needs_items_with_reasons_and_comes_in_time(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="lý do"):
        perform(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=org.specialist,
            data=RequestSupplementInput(
                items=(SupplementItem(component="Giấy đăng ký xe ô tô", reason=""),)
            ),
        )
    clock.set(2025, 11, 11, 11, 0)  # more than the workflow's one working day
    with pytest.raises(TransitionRefused, match="quá 1 ngày"):
        perform(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=org.specialist,
            data=RequestSupplementInput(
                items=(SupplementItem(component="Giấy đăng ký xe ô tô", reason="Mờ"),)
            ),
        )


def test_apology_once_and_at_least_one_working_day_before_the_due_date(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)  # due Wednesday 12/11 10:00
    with pytest.raises(TransitionRefused, match="ngày làm việc"):
        perform(
            dossier_id=dossier.pk,
            action="extend",
            actor=org.specialist,
            data=ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 15)),
        )
    with pytest.raises(TransitionRefused, match="sau ngày hẹn cũ"):
        perform(
            dossier_id=dossier.pk,
            action="extend",
            actor=org.specialist,
            data=ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 11)),
        )
    dossier = perform(
        dossier_id=dossier.pk,
        action="extend",
        actor=org.specialist,
        data=ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 11, 14)),
    )
    assert local(dossier.due_at) == datetime(2025, 11, 14, 10, 0)
    assert local(dossier.original_due_at) == datetime(2025, 11, 12, 10, 0)
    assert dossier.documents.filter(kind="apology").exists()
    with pytest.raises(TransitionRefused, match="một lần"):
        perform(
            dossier_id=dossier.pk,
            action="extend",
            actor=org.specialist,
            data=ExtendInput(reason="Lần nữa", new_due_date=date(2025, 11, 18)),
        )


def test_the_new_appointment_is_bounded_not_9999(clock, org, dossier, settings):
    settings.EXTENSION_MAX_WORKING_DAYS = 20
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)  # due Wednesday 12/11 10:00; 20 working days later: Wednesday 10/12
    for too_late in (date(9999, 12, 31), date(2025, 12, 11)):
        with pytest.raises(TransitionRefused, match="chậm nhất là 10/12/2025") as refused:
            perform(
                dossier_id=dossier.pk,
                action="extend",
                actor=org.specialist,
                data=ExtendInput(reason="Chờ xác minh", new_due_date=too_late),
            )
        assert refused.value.field == "new_due_date"
    assert Dossier.objects.get(pk=dossier.pk).extension_count == 0
    dossier = perform(
        dossier_id=dossier.pk,
        action="extend",
        actor=org.specialist,
        data=ExtendInput(reason="Chờ xác minh", new_due_date=date(2025, 12, 10)),
    )
    assert local(dossier.due_at) == datetime(2025, 12, 10, 10, 0)


def test_apology_is_refused_less_than_a_working_day_before_the_due_date(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)
    clock.set(2025, 11, 11, 11, 0)  # under one working day left
    with pytest.raises(TransitionRefused, match="chậm nhất 01 ngày"):
        perform(
            dossier_id=dossier.pk,
            action="extend",
            actor=org.specialist,
            data=ExtendInput(reason="Chậm", new_due_date=date(2025, 11, 14)),
        )


def test_payment_time_is_excluded_from_the_clock_when_the_workflow_says_so(clock, org, dossier):
    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)  # due Wed 12/11 10:00
    clock.set(2025, 11, 11, 10, 0)  # one working day left
    dossier = perform(
        dossier_id=dossier.pk,
        action="request_payment",
        actor=org.specialist,
        data=RequestPaymentInput(amount=135000),
    )
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.events.latest("id").data == {"amount": 135000}
    clock.set(2025, 11, 13, 10, 0)  # paid two working days later
    dossier = perform(dossier_id=dossier.pk, action="confirm_payment", actor=org.specialist)
    assert dossier.status == Status.PROCESSING
    assert local(dossier.due_at) == datetime(2025, 11, 14, 10, 0)


def test_payment_needs_a_positive_amount(org, dossier):
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="số tiền"):
        perform(
            dossier_id=dossier.pk,
            action="request_payment",
            actor=org.specialist,
            data=RequestPaymentInput(amount=0),
        )


def test_stop_after_review_issues_the_notice_of_stop(org, dossier):
    accept(dossier, org)
    dossier = perform(
        dossier_id=dossier.pk,
        action="stop",
        actor=org.specialist,
        data=ReasonInput(reason="Xe không đủ điều kiện"),
    )
    assert dossier.status == Status.STOPPED
    assert dossier.documents.filter(kind="stop").exists()
    with pytest.raises(TransitionRefused):
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)


def test_send_back_returns_to_the_previous_step(org, dossier):
    accept(dossier, org)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    with pytest.raises(TransitionRefused, match="lý do"):
        perform(dossier_id=dossier.pk, action="send_back", actor=org.leader)
    dossier = perform(
        dossier_id=dossier.pk,
        action="send_back",
        actor=org.leader,
        data=ReasonInput(reason="Xem lại niên hạn xe"),
    )
    assert dossier.step_key == "head-review" and dossier.current_role == "unit_head"
    assert dossier.events.latest("id").data == {"note": "Xem lại niên hạn xe"}


def test_withdrawal_request_then_confirmation_or_refusal(org, dossier, citizen):
    accept(dossier, org)
    with pytest.raises(TransitionRefused, match="lý do"):
        perform(
            dossier_id=dossier.pk,
            action="request_withdrawal",
            actor=citizen,
            data=ReasonInput(reason=""),
        )
    dossier = perform(
        dossier_id=dossier.pk,
        action="request_withdrawal",
        actor=citizen,
        data=ReasonInput(reason="Đã bán xe"),
    )
    assert dossier.status == Status.WITHDRAWAL_REQUESTED
    dossier = perform(
        dossier_id=dossier.pk,
        action="decline_withdrawal",
        actor=org.specialist,
        data=ReasonInput(reason="Đã ký kết quả"),
    )
    assert dossier.status == Status.PROCESSING
    perform(
        dossier_id=dossier.pk,
        action="request_withdrawal",
        actor=citizen,
        data=ReasonInput(reason="Đã bán xe"),
    )
    # The desk may confirm too, not only the unit holding the dossier.
    dossier = perform(dossier_id=dossier.pk, action="confirm_withdrawal", actor=org.desk_officer)
    assert dossier.status == Status.STOPPED
    assert dossier.documents.filter(kind="stop").exists()


def test_joint_handling_with_another_agency_in_parallel(
    clock, org, dossier, django_capture_on_commit_callbacks, make_officer
):
    from motcua.workflow.models import Task
    from motcua.workflow.services import escalate_late_tasks

    clock.set(2025, 11, 10, 10, 0)
    accept(dossier, org)
    police, registry = AgencyFactory(name="Công an tỉnh"), AgencyFactory(name="Cục Đăng kiểm")
    police_desk = UnitFactory(agency=police, kind="desk", code="mot-cua", name="Một cửa Công an")
    registry_desk = UnitFactory(agency=registry, kind="desk", code="mot-cua", name="Một cửa ĐK")
    police_officer = make_officer(police, (police_desk, "desk"))
    with pytest.raises(TransitionRefused, match="cơ quan khác"):
        perform(
            dossier_id=dossier.pk,
            action="transfer",
            actor=org.specialist,
            data=OpenTasksInput(unit_ids=(org.leadership.pk,), days=Decimal(1), request="?"),
        )
    dossier = perform(
        dossier_id=dossier.pk,
        action="transfer",
        actor=org.specialist,
        data=OpenTasksInput(
            unit_ids=(police_desk.pk, registry_desk.pk),
            days=Decimal("0.5"),
            request="Xác minh đăng ký xe",
        ),
    )
    assert dossier.open_tasks == 2
    with pytest.raises(TransitionRefused, match="chưa có trả lời"):
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    # The other agencies now see the dossier; the lead keeps it.
    from motcua.dossiers.access import can_view_dossier

    assert can_view_dossier(police_officer, dossier)
    assert dossier.current_unit == org.department

    police_task = Task.objects.get(unit=police_desk)
    with pytest.raises(TransitionRefused, match="đơn vị khác"):
        from motcua.workflow.machine import answer_task

        answer_task(task_id=police_task.pk, actor=org.specialist, answer="Tự trả lời")
    answer_task(task_id=police_task.pk, actor=police_officer, answer="Xe không bị truy tìm")

    clock.set(2025, 11, 11, 10, 0)  # registry is late: half a day passed long ago
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_late_tasks() == 1
    assert escalate_late_tasks() == 0  # once only
    assert [m.to for m in mail.outbox if "quá hạn" in m.subject] == [[org.desk_head.email]]

    registry_officer = make_officer(registry, (registry_desk, "desk"))
    answer_task(
        task_id=Task.objects.get(unit=registry_desk).pk, actor=registry_officer, answer="Đạt"
    )
    dossier = perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    assert dossier.open_tasks == 0 and dossier.step_key == "head-review"


def test_the_officer_sees_only_the_actions_allowed_now(org, dossier):
    names = {a.name for a in available_actions(dossier, org.desk_officer)}
    assert names == {"accept", "refuse", "request_supplement"}
    assert available_actions(dossier, org.specialist) == []
    dossier = accept(dossier, org)
    names = {a.name for a in available_actions(dossier, org.specialist)}
    assert {"forward", "request_supplement", "stop", "transfer", "consult", "extend"} <= names
    assert "approve" not in names and "send_back" not in names


def test_a_dossier_keeps_the_workflow_version_it_was_submitted_under(org, dossier, procedure):
    from motcua.factories import STANDARD_WORKFLOW
    from motcua.workflow.services import save_workflow_version

    changed = {**STANDARD_WORKFLOW, "steps": [dict(s) for s in STANDARD_WORKFLOW["steps"]]}
    del changed["steps"][2]  # no more head review
    v2 = save_workflow_version(procedure, changed, note="Bỏ bước lãnh đạo phòng")
    assert v2.version == 2
    accept(dossier, org)
    dossier = perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    assert dossier.workflow.version == 1 and dossier.step_key == "head-review"


def test_events_are_append_only(org, dossier):
    accept(dossier, org)
    event = DossierEvent.objects.filter(dossier=dossier).first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        DossierEvent.objects.filter(dossier=dossier).delete()
