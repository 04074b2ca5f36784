"""The officer workspace pages: inbox, dossier page, actions, counter intake, workflow editor."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, User
from motcua.accounts.testing import login_officer
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Status
from motcua.dossiers.tests.helpers import complete_draft
from motcua.factories import AgencyFactory, ComponentFactory, ProcedureFactory
from motcua.workflow import machine, services
from motcua.workflow.models import Comment, Task, Workflow

DEFINITION = {
    "steps": [
        {
            "key": "reception",
            "name": "Tiếp nhận hồ sơ",
            "unit": "mot-cua",
            "role": "desk",
            "days": 0.5,
            "actions": ["supplement", "refuse"],
        },
        {
            "key": "review",
            "name": "Thẩm định",
            "unit": "chuyen-mon",
            "role": "specialist",
            "days": 1,
            "actions": ["supplement", "consult", "transfer", "payment", "stop"],
        },
        {
            "key": "approval",
            "name": "Phê duyệt, ký",
            "unit": "lanh-dao",
            "role": "leader",
            "days": 0.5,
            "signs": True,
            "actions": ["send_back"],
        },
        {"key": "return", "name": "Trả kết quả", "unit": "mot-cua", "role": "desk", "days": 0},
    ],
    "supplement_within_days": 1,
}


def office_procedure(agency_name="Sở Xây dựng"):
    """A procedure of a new agency called `agency_name`, one component of it optional; the
    offices below are make_organisation(office_procedure(...), DEFINITION)."""
    procedure = ProcedureFactory(agency=AgencyFactory(name=agency_name))
    ComponentFactory(procedure=procedure, name="Giấy đề nghị", paper_form="original")
    ComponentFactory(procedure=procedure, name="Giấy đăng ký xe", requirement="optional")
    return procedure


def submitted_dossier(office, applicant) -> Dossier:
    """An online dossier submitted the way applicants do; it waits at the desk."""
    draft = complete_draft(office.procedure, applicant)
    return dossier_services.dossier_submit(dossier_uuid=draft.uuid, applicant=applicant)


def dossier_url(dossier) -> str:
    return reverse("workflow:dossier", args=[dossier.uuid])


def action_url(dossier, name) -> str:
    return reverse("workflow:action", args=[dossier.uuid, name])


def previewed(page) -> str:
    """The fingerprint of the document the action page showed (decision 0053)."""
    return page.context["action_preview"].fingerprint


def preview_then_confirm(client, url, data, **options):
    """Press "Xem trước" with `data`, then confirm what it showed: (preview, confirmation)."""
    page = client.post(url, {**data, "preview": "1"})
    assert page.status_code == 200, page.content.decode()[:2000]
    return page, client.post(url, {**data, "previewed": previewed(page)}, **options)


@pytest.fixture
def office(make_organisation):
    return make_organisation(office_procedure(), DEFINITION)


@pytest.fixture
def dossier(office, citizen):
    return submitted_dossier(office, citizen)


@pytest.fixture
def accepted(office, dossier):
    return machine.perform(
        dossier_id=dossier.pk,
        action="accept",
        actor=office.desk_officer,
        expected_version=dossier.version,
    )


# --- Who gets in ---------------------------------------------------------------------------


def test_citizen_gets_403_on_the_workspace(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("workflow:inbox")).status_code == 403
    assert client.get(reverse("workflow:intake")).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_officer_without_second_factor_is_asked_for_it(client, office):
    client.force_login(office.desk_officer)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


# --- Inbox ---------------------------------------------------------------------------------


def test_desk_officer_sees_new_dossier_in_new_queue(client, office, dossier):
    login_officer(client, office.desk_officer)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert dossier.code in body
    assert dossier_url(dossier) in body
    assert 'aria-current="page"' in body
    assert response.context["tab"] == "new"
    tabs = {t["name"]: t["count"] for t in response.context["tabs"]}
    assert tabs["new"] == 1
    assert tabs["todo"] == 0


def test_specialist_does_not_see_the_dossier_before_it_is_accepted(client, office, dossier):
    login_officer(client, office.specialist)
    response = client.get(reverse("workflow:inbox") + "?tab=todo")
    assert dossier.code not in response.content.decode()


def test_accepted_dossier_is_in_the_specialists_todo_queue_with_its_due_date(
    client, office, accepted
):
    login_officer(client, office.specialist)
    response = client.get(reverse("workflow:inbox") + "?tab=todo")
    body = response.content.decode()
    assert accepted.code in body
    row = response.context["rows"][0]
    assert row.remaining in body
    assert timezone.localtime(accepted.due_at).strftime("%d/%m/%Y %H:%M") in body


def test_overdue_row_says_so_in_words(client, office, accepted):
    Dossier.objects.filter(pk=accepted.pk).update(
        due_at=timezone.now() - timezone.timedelta(days=3)
    )
    login_officer(client, office.specialist)
    response = client.get(reverse("workflow:inbox") + "?tab=overdue")
    body = response.content.decode()
    assert accepted.code in body
    assert "row-overdue" in body
    assert "Quá hạn" in body


def test_inbox_filters_by_procedure_and_paginates_without_counting(client, office, citizen):
    other = ProcedureFactory(agency=office.agency, receiving_agency=office.agency)
    services.save_workflow_version(other, DEFINITION)
    mine = [submitted_dossier(office, citizen) for _ in range(2)]
    login_officer(client, office.desk_officer)
    response = client.get(reverse("workflow:inbox") + f"?tab=new&procedure={other.pk}")
    assert response.context["rows"] == []
    response = client.get(reverse("workflow:inbox") + f"?tab=new&procedure={office.procedure.pk}")
    assert {r.pk for r in response.context["rows"]} == {d.pk for d in mine}
    assert response.context["next_url"] == ""


def test_tasks_tab_lists_open_tasks_of_my_unit(client, office, accepted):
    machine.perform(
        dossier_id=accepted.pk,
        action="consult",
        actor=office.specialist,
        data=machine.OpenTasksInput(
            unit_ids=(office.leadership.pk,), days=Decimal(1), request="Xin ý kiến về niên hạn xe"
        ),
    )
    login_officer(client, office.leader)
    response = client.get(reverse("workflow:inbox") + "?tab=tasks")
    body = response.content.decode()
    assert "Xin ý kiến về niên hạn xe" in body
    assert accepted.code in body


# --- Search --------------------------------------------------------------------------------


def test_search_finds_dossier_by_code_name_without_accents_and_plate(client, office, dossier):
    login_officer(client, office.desk_officer)
    inbox = reverse("workflow:inbox")
    for text in (dossier.code, "nguyen van an", "51A-123.45", "51a12345"):
        response = client.get(inbox, {"q": text})
        assert [r.pk for r in response.context["rows"]] == [dossier.pk], text
    response = client.get(inbox, {"q": "tran thi binh"})
    assert response.context["rows"] == []


def test_search_does_not_find_dossiers_the_officer_may_not_see(client, office, dossier):
    login_officer(client, office.specialist)
    response = client.get(reverse("workflow:inbox"), {"q": dossier.code})
    assert response.context["rows"] == []


# --- Dossier page --------------------------------------------------------------------------


def test_desk_officer_accepts_the_dossier_through_the_page(client, office, dossier):
    login_officer(client, office.desk_officer)
    page = client.get(dossier_url(dossier))
    assert page.status_code == 200
    body = page.content.decode()
    assert action_url(dossier, "accept") in body
    assert "Nguyễn Văn An" in body
    assert "51A-123.45" in body  # the form data, with the procedure's labels
    assert "Biển số" in body

    form = client.get(action_url(dossier, "accept"))
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in form.content.decode()

    response = client.post(
        action_url(dossier, "accept"),
        {"expected_version": dossier.version, "previewed": previewed(form)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == dossier_url(dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.current_unit == office.department
    body = response.content.decode()
    assert "Tiếp nhận hồ sơ" in body
    assert "Đã thực hiện" in body
    assert [e.action for e in response.context["timeline"]][-2:] == ["accept", "forward"]
    assert dossier.documents.filter(kind="receipt").exists()


def test_dossier_page_shows_only_allowed_actions(client, office, dossier):
    login_officer(client, office.desk_officer)
    names = [a.name for a, _url, _primary in client.get(dossier_url(dossier)).context["actions"]]
    assert names[0] == "accept"
    assert set(names) == {"accept", "refuse", "request_supplement"}


def test_officer_of_another_unit_gets_404_and_cannot_act(client, office, dossier):
    attachment = dossier.attachments.first()
    login_officer(client, office.specialist)
    assert client.get(dossier_url(dossier)).status_code == 404
    preview = reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk])
    assert client.get(preview).status_code == 404
    raw = reverse("workflow:attachment", args=[dossier.uuid, attachment.pk])
    assert client.get(raw).status_code == 404
    response = client.post(action_url(dossier, "accept"), {"expected_version": dossier.version})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_officer_of_another_agency_gets_404(client, office, dossier, make_organisation):
    elsewhere = make_organisation(office_procedure("Sở Giao thông"), DEFINITION)
    login_officer(client, elsewhere.desk_officer)
    assert client.get(dossier_url(dossier)).status_code == 404


def test_officer_who_sees_but_may_not_act_is_refused_with_the_reason(client, office, accepted):
    login_officer(client, office.desk_officer)  # the desk handed the dossier to the specialists
    response = client.post(
        action_url(accepted, "forward"), {"expected_version": accepted.version, "note": "Đủ"}
    )
    assert response.status_code == 400
    assert "bạn không được giao bước này" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.step_key == "review"


def test_attachment_previews_inline_with_nosniff(client, office, dossier):
    attachment = dossier.attachments.first()
    login_officer(client, office.desk_officer)
    preview = client.get(reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk]))
    raw_url = reverse("workflow:attachment", args=[dossier.uuid, attachment.pk])
    assert f'<iframe class="attachment-frame" src="{raw_url}"' in preview.content.decode()
    response = client.get(raw_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    download = client.get(raw_url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_refused_action_shows_the_message_and_keeps_the_input(client, office, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(supplement_count=1)
    component = office.procedure.components.first()
    login_officer(client, office.desk_officer)
    response = client.post(
        action_url(dossier, "request_supplement"),
        {
            "expected_version": dossier.version,
            "items": [str(component.pk)],
            f"reason_{component.pk}": "Bản scan bị mờ, không đọc được số khung",
            "note": "Liên hệ 0243 123 456",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body
    assert "Chỉ được yêu cầu bổ sung hồ sơ một lần" in body
    assert "Bản scan bị mờ, không đọc được số khung" in body
    assert "Liên hệ 0243 123 456" in body
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_missing_reason_is_shown_beside_the_field(client, office, dossier):
    login_officer(client, office.desk_officer)
    response = client.post(action_url(dossier, "refuse"), {"expected_version": dossier.version})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_stale_version_says_who_changed_the_dossier(client, office, dossier, make_officer):
    login_officer(client, office.desk_officer)
    seen = dossier.version
    second_clerk = make_officer(office.agency, (office.desk, Role.DESK), full_name="Phạm Văn Trực")
    machine.perform(
        dossier_id=dossier.pk, action="accept", actor=second_clerk, expected_version=seen
    )
    response = client.post(
        action_url(dossier, "refuse"),
        {"expected_version": seen, "reason": "Thiếu giấy đăng ký xe"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Phạm Văn Trực" in body
    assert "Thiếu giấy đăng ký xe" in body
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not DossierEvent.objects.filter(dossier=dossier, action="refuse").exists()


def test_request_supplement_lists_components_and_issues_the_request(client, office, dossier):
    component = office.procedure.components.first()
    login_officer(client, office.desk_officer)
    form = client.get(action_url(dossier, "request_supplement")).content.decode()
    assert component.name in form
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in form
    _preview, response = preview_then_confirm(
        client,
        action_url(dossier, "request_supplement"),
        {
            "expected_version": dossier.version,
            "items": [str(component.pk), "other"],
            f"reason_{component.pk}": "Thiếu chữ ký",
            "other_name": "Giấy phép kinh doanh vận tải",
            "reason_other": "Chưa nộp",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    event = DossierEvent.objects.get(dossier=dossier, action="request_supplement")
    assert event.data["items"] == [
        {"component": component.name, "reason": "Thiếu chữ ký"},
        {"component": "Giấy phép kinh doanh vận tải", "reason": "Chưa nộp"},
    ]


def test_consult_form_offers_other_units_and_the_answer_comes_back(client, office, accepted):
    login_officer(client, office.specialist)
    form = client.get(action_url(accepted, "consult"))
    assert office.leadership.name in form.content.decode()
    client.post(
        action_url(accepted, "consult"),
        {
            "expected_version": accepted.version,
            "unit_ids": [str(office.leadership.pk)],
            "days": "0,5",
            "request": "Cho ý kiến về phương án",
        },
    )
    task = Task.objects.get(dossier=accepted)
    assert task.unit == office.leadership

    login_officer(client, office.leader)
    page = client.get(dossier_url(accepted))
    assert page.status_code == 200
    assert "Cho ý kiến về phương án" in page.content.decode()
    response = client.post(
        reverse("workflow:answer_task", args=[accepted.uuid, task.pk]),
        {f"task-{task.pk}-answer": "Đồng ý phương án"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.ANSWERED
    assert task.answer == "Đồng ý phương án"


def test_transfer_offers_only_desks_of_other_agencies(client, office, accepted, make_organisation):
    elsewhere = make_organisation(office_procedure("Sở Tài nguyên"), DEFINITION)
    login_officer(client, office.specialist)
    groups = client.get(action_url(accepted, "transfer")).context["form"].unit_groups()
    offered = {int(value) for _agency, units in groups for value, *_rest in units}
    assert elsewhere.desk.pk in offered
    assert office.desk.pk not in offered
    assert elsewhere.department.pk not in offered


def test_extend_shows_the_current_due_date(client, office, accepted):
    login_officer(client, office.specialist)
    body = client.get(action_url(accepted, "extend")).content.decode()
    assert timezone.localtime(accepted.due_at).strftime("%d/%m/%Y") in body
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in body


def test_a_far_new_appointment_is_refused_beside_the_date_field(
    client, office, dossier, clock, settings
):
    settings.EXTENSION_MAX_WORKING_DAYS = 20
    clock.set(2025, 11, 10, 10, 0)
    accepted = machine.perform(dossier_id=dossier.pk, action="accept", actor=office.desk_officer)
    login_officer(client, office.specialist)
    page = client.get(action_url(accepted, "extend")).content.decode()
    due = timezone.localtime(accepted.due_at).date()
    assert f'min="{due.isoformat()}"' in page and "chậm nhất là" in page
    response = client.post(
        action_url(accepted, "extend"),
        {
            "reason": "Chờ xác minh",
            "new_due_date": "31/12/9999",
            "expected_version": accepted.version,
        },
    )
    assert response.status_code == 400
    assert "new_due_date" in response.context["form"].errors
    assert "chỉ được hẹn lại không quá 20 ngày làm việc" in response.content.decode()
    assert Dossier.objects.get(pk=accepted.pk).due_at == accepted.due_at


def test_applicant_actions_are_not_offered_to_officers(client, office, dossier):
    login_officer(client, office.desk_officer)
    assert client.get(action_url(dossier, "request_withdrawal")).status_code == 404
    assert client.get(action_url(dossier, "no_such_action")).status_code == 404


def test_officers_comment_internally(client, office, dossier):
    login_officer(client, office.desk_officer)
    response = client.post(
        reverse("workflow:comment", args=[dossier.uuid]), {"text": "Gọi lại cho người nộp"}
    )
    assert response.status_code == 302
    assert Comment.objects.get(dossier=dossier).author == office.desk_officer
    assert "Gọi lại cho người nộp" in client.get(dossier_url(dossier)).content.decode()
    empty = client.post(reverse("workflow:comment", args=[dossier.uuid]), {"text": "  "})
    assert empty.status_code == 400
    assert Comment.objects.filter(dossier=dossier).count() == 1


def test_internal_note_is_shown_to_officers(client, office, dossier):
    machine.perform(
        dossier_id=dossier.pk,
        action="accept",
        actor=office.desk_officer,
        data=machine.NoteInput(note="Bản gốc đã đối chiếu"),
    )
    login_officer(client, office.specialist)
    body = client.get(dossier_url(dossier)).content.decode()
    assert "Bản gốc đã đối chiếu" in body


# --- Counter intake --------------------------------------------------------------------------


def _intake_post(office, **changes):
    component = office.procedure.components.first()
    data = {
        "procedure": str(office.procedure.pk),
        "channel": "counter",
        "full_name": "Trần Văn Quầy",
        "citizen_id": "001090099999",
        "phone": "0911222333",
        "email": "",
        "address": "12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội",
        "organisation_name": "",
        "tax_code": "",
        "delivery": "counter",
        "note": "Nhận 01 bộ bản giấy",
        f"files-{component.pk}": SimpleUploadedFile(
            "don.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
        ),
    }
    data.update(changes)
    return data


def test_counter_intake_registers_a_paper_dossier(client, office):
    login_officer(client, office.desk_officer)
    choose = client.get(reverse("workflow:intake"))
    assert office.procedure.name in choose.content.decode()
    step_two = client.get(reverse("workflow:intake"), {"procedure": office.procedure.pk})
    assert "Giấy đề nghị" in step_two.content.decode()

    response = client.post(reverse("workflow:intake"), _intake_post(office))
    dossier = Dossier.objects.get(channel=Dossier.Channel.COUNTER)
    assert response.status_code == 302
    assert response["Location"] == dossier_url(dossier)
    assert dossier.code.startswith(office.agency.identifier)
    assert dossier.status == Status.SUBMITTED
    assert dossier.registered_by == office.desk_officer
    assert dossier.applicant_name == "Trần Văn Quầy"
    assert Attachment.objects.filter(dossier=dossier).count() == 1
    page = client.get(response["Location"])
    assert action_url(dossier, "accept") in page.content.decode()


def test_counter_intake_with_bad_input_saves_nothing(client, office):
    login_officer(client, office.desk_officer)
    users = User.objects.count()
    response = client.post(
        reverse("workflow:intake"), _intake_post(office, citizen_id="12345", phone="abc")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body
    assert "Trần Văn Quầy" in body
    assert not Dossier.objects.exists()
    assert User.objects.count() == users


def test_counter_intake_refuses_a_file_of_the_wrong_type(client, office):
    component = office.procedure.components.first()
    login_officer(client, office.desk_officer)
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 100, "application/pdf")
    response = client.post(
        reverse("workflow:intake"), _intake_post(office, **{f"files-{component.pk}": bad})
    )
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_intake_is_for_desk_officers(client, office):
    login_officer(client, office.specialist)
    assert client.get(reverse("workflow:intake")).status_code == 403


# --- Workflow editor -----------------------------------------------------------------------


def test_workflow_editor_lists_the_agencys_procedures(client, office):
    login_officer(client, office.admin)
    response = client.get(reverse("workflow:workflows"))
    assert response.status_code == 200
    assert office.procedure.name in response.content.decode()
    edit = client.get(reverse("workflow:workflow_edit", args=[office.procedure.pk]))
    body = edit.content.decode()
    assert "Phòng Quản lý vận tải" in body  # the steps' units, by name
    assert "Phiên bản hiện hành: 1" in body


def test_workflow_editor_refuses_an_invalid_definition(client, office):
    import json

    bad = {**DEFINITION, "steps": [dict(DEFINITION["steps"][1]), *DEFINITION["steps"][1:]]}
    bad["steps"][0]["key"] = "first"
    login_officer(client, office.admin)
    response = client.post(
        reverse("workflow:workflow_edit", args=[office.procedure.pk]),
        {"definition": json.dumps(bad), "note": "thử"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bước đầu tiên phải là tiếp nhận" in body
    assert 'href="#id_definition"' in body
    assert Workflow.objects.filter(procedure=office.procedure).count() == 1


def test_workflow_editor_reports_broken_json(client, office):
    login_officer(client, office.admin)
    response = client.post(
        reverse("workflow:workflow_edit", args=[office.procedure.pk]),
        {"definition": '{"steps": [', "note": ""},
    )
    assert response.status_code == 400
    assert "Không đọc được JSON" in response.content.decode()


def test_workflow_editor_saves_a_valid_definition_as_a_new_version(client, office, dossier):
    import json

    changed = json.loads(json.dumps(DEFINITION))
    changed["steps"][1]["days"] = 0.75
    login_officer(client, office.admin)
    response = client.post(
        reverse("workflow:workflow_edit", args=[office.procedure.pk]),
        {"definition": json.dumps(changed), "note": "Rút ngắn thẩm định"},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "phiên bản 2" in body
    latest = services.current_workflow(office.procedure)
    assert latest.version == 2
    assert latest.note == "Rút ngắn thẩm định"
    assert latest.created_by == office.admin
    dossier.refresh_from_db()
    assert dossier.workflow.version == 1  # submitted dossiers keep theirs


def test_workflow_editor_is_for_agency_admins_of_that_agency(client, office, make_organisation):
    elsewhere = make_organisation(office_procedure("Sở Tài chính"), DEFINITION)
    login_officer(client, office.desk_officer)
    assert client.get(reverse("workflow:workflows")).status_code == 403
    login_officer(client, elsewhere.admin)
    url = reverse("workflow:workflow_edit", args=[office.procedure.pk])
    assert client.get(url).status_code == 404
