"""The prepared dossier (issue 17, decision 0085) switched to another procedure and prepared
again: one draft however often the person clicks or is reminded, their corrections and edits
kept, the reminder sent whatever happens to the preparation, the recommendation in the
reader's language."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Authorisation
from motcua.accounts.tests.representation_helpers import AGENT_ID, person
from motcua.dossiers import expiry, once_only, services
from motcua.dossiers.models import Attachment, Dossier, ObtainedComponent, Status
from motcua.dossiers.tests.helpers import pdf
from motcua.proactive import preparing
from motcua.proactive.models import Reminder
from motcua.proactive.panels import started_proactively
from motcua.proactive.tests.prepared.conftest import (
    BADGE,
    OTHER,
    drafts,
    make_reminder,
    make_rule,
    tell,
)

pytestmark = pytest.mark.django_db

REGISTRATION = "Chứng nhận đăng ký xe ô tô hoặc giấy hẹn nhận chứng nhận đăng ký xe"


# --- Choosing another procedure (level 3) ------------------------------------------------------


def test_choosing_twice_in_a_row_makes_one_draft(in_process_http, earlier, company, other_way):
    prepared = preparing.prepare(make_reminder(earlier, company))
    stale = Dossier.objects.get(pk=prepared.pk)  # what the second click's request loaded
    first = preparing.prepare_instead(dossier=prepared, code=OTHER, person=company)
    second = preparing.prepare_instead(dossier=stale, code=OTHER, person=company)
    assert second.dossier == first.dossier
    assert list(drafts()) == [first.dossier]


def test_an_agent_cannot_switch_to_a_procedure_they_may_not_act_on(
    in_process_http, client, earlier, company, other_way
):
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    today = timezone.localdate()
    Authorisation.objects.create(
        principal=company,
        citizen_id=AGENT_ID,
        full_name=agent.full_name,
        user=agent,
        all_procedures=False,
        procedure_codes=[BADGE],
        valid_from=today,
        valid_until=today + timedelta(days=30),
        created_by=company,
    )
    prepared = preparing.prepare(make_reminder(earlier, company))
    client.force_login(agent)
    response = client.post(
        reverse("proactive:switch", args=[prepared.uuid]), {"code": OTHER}, follow=True
    )
    assert "không được thay mặt người nộp hồ sơ thực hiện thủ tục đã chọn" in (
        response.content.decode()
    )
    assert list(drafts()) == [prepared]


def test_the_person_is_told_what_a_switch_leaves_behind(
    in_process_http, client, earlier, company, other_way
):
    prepared = preparing.prepare(make_reminder(earlier, company))
    client.force_login(company)
    detail = reverse("dossiers:detail", args=[prepared.uuid])
    warning = "Chọn thủ tục khác thì hồ sơ được chuẩn bị lại từ các câu trả lời hiện có"
    assert warning not in client.get(detail).content.decode()  # nothing of theirs yet
    component = prepared.procedure.components.get(name="Giấy đề nghị cấp, cấp lại phù hiệu")
    services.attachment_add(dossier=prepared, component=component, upload=pdf(), applicant=company)
    page = client.get(detail).content.decode()
    assert warning in page and "1 tệp quý vị đã tải lên không được chuyển sang" in page
    response = client.post(
        reverse("proactive:switch", args=[prepared.uuid]), {"code": OTHER}, follow=True
    )
    assert "1 tệp quý vị đã tải lên không được chuyển sang; quý vị tải lên lại nếu cần." in (
        response.content.decode()
    )


def test_a_switch_keeps_the_persons_corrections_and_counts_as_a_change(
    in_process_http, earlier, company, other_way
):
    prepared = preparing.prepare(make_reminder(earlier, company))
    assert prepared.form_data["vehicles"][0]["chassis_no"] == "WF0XXXTTGXMK12345"  # register
    data = prepared.form_data
    data["vehicles"][0]["chassis_no"] = "WF0XXXTTGXMK99999"  # the person's correction
    services.dossier_save_form(dossier=prepared, applicant=company, data=data, validate=False)
    new = preparing.prepare_instead(dossier=prepared, code=OTHER, person=company).dossier
    new.refresh_from_db()
    assert new.form_data["vehicles"][0]["chassis_no"] == "WF0XXXTTGXMK99999"
    # Not deleted as "untouched" at the prepared draft's date: it is the person's now.
    assert new.updated_at > new.prepared_at
    assert expiry.draft_expires_at(new) != new.prepared_expires_at


def test_a_switch_needs_no_spare_draft(in_process_http, settings, earlier, company, other_way):
    settings.DRAFTS_PER_ACCOUNT = 1
    prepared = preparing.prepare(make_reminder(earlier, company))
    data = prepared.form_data
    data["operator"]["phone"] = "0905999999"  # the person's change: one of their drafts now
    services.dossier_save_form(dossier=prepared, applicant=company, data=data, validate=False)
    new = preparing.prepare_instead(dossier=prepared, code=OTHER, person=company).dossier
    assert list(drafts()) == [new] and new.procedure.code == OTHER
    assert new.form_data["operator"]["phone"] == "0905999999"


def test_the_desk_line_says_the_person_chose_even_if_the_figures_changed_since(
    in_process_http, earlier, company, other_way
):
    prepared = preparing.prepare(make_reminder(earlier, company))
    assert prepared.proactive["recommended"] == BADGE
    # The catalogue changes after the preparation: recalculated, OTHER would now win.
    other_way.fee_vnd, other_way.processing_time = 0, 1
    other_way.save()
    new = preparing.prepare_instead(dossier=prepared, code=OTHER, person=company).dossier
    new.refresh_from_db()
    assert new.proactive["recommended"] == BADGE and new.proactive["chosen_by_person"] is True
    line = started_proactively(RequestFactory().get("/"), new)
    assert f"Hệ thống khuyến nghị thủ tục {BADGE}; người dân đã chọn thủ tục khác." in line
    assert "Theo thủ tục hệ thống khuyến nghị" not in line


def test_the_recommendation_is_shown_in_the_readers_language(
    in_process_http, client, earlier, company, other_way
):
    prepared = preparing.prepare(make_reminder(earlier, company))
    client.force_login(company)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("dossiers:detail", args=[prepared.uuid])).content.decode()
    assert "Free of charge" in page and "The lowest cost." in page
    assert "Không mất phí" not in page and "Chi phí thấp nhất" not in page


# --- Reruns, failures, quotas ----------------------------------------------------------------


def test_a_rerun_finishes_a_draft_the_person_has_changed_keeping_their_answers(
    in_process_http, earlier, company
):
    reminder = make_reminder(earlier, company)
    # The first run made the draft and stopped (a crash); the person found and changed it.
    half = services.dossier_prepare(
        procedure=earlier.dossier.procedure,
        applicant=company,
        form_data=preparing.answers_for(
            earlier.dossier.procedure, preparing.base_answers(preparing.earlier_of(reminder))
        ),
        prepared_from=earlier.dossier,
        proactive={"reminder": str(reminder.uuid)},
        level=2,
        expires_at=timezone.now() + timedelta(days=30),
        token=preparing.prepared_token(reminder),
    )
    data = half.form_data
    data["vehicles"][0]["chassis_no"] = "TYPED-BY-THE-PERSON"
    services.dossier_save_form(dossier=half, applicant=company, data=data, validate=False)
    half.refresh_from_db()
    again = preparing.prepare(reminder)
    again.refresh_from_db()
    assert again == half and again.form_data["vehicles"][0]["chassis_no"] == "TYPED-BY-THE-PERSON"
    # Finished (the file the agency holds attached, what it did recorded) and found again...
    assert Attachment.objects.filter(dossier=again, reused_result_id=earlier.pk).exists()
    assert "fields_prefilled" in again.proactive and preparing.prepared_for(reminder) == again
    # ...but not made "untouched" again: it is theirs.
    assert not again.is_untouched_prepared


def test_a_rerun_after_a_crash_part_way_finishes_the_draft(
    in_process_http, monkeypatch, earlier, company, django_capture_on_commit_callbacks
):
    reminder = make_reminder(earlier, company)
    real = preparing.reuse_result
    calls = []

    def crash_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # the process dies after the registers filled the answers
            raise SystemExit("killed")
        return real(**kwargs)

    monkeypatch.setattr(preparing, "reuse_result", crash_once)
    with pytest.raises(SystemExit):
        preparing.prepare(reminder)
    half = drafts().get()
    assert half.form_data["vehicles"][0]["chassis_no"] == "WF0XXXTTGXMK12345"  # refreshed
    reminder = tell(reminder, django_capture_on_commit_callbacks)  # the outbox runs it again
    dossier = reminder.dossier
    assert dossier == half and list(drafts()) == [dossier]
    assert Attachment.objects.filter(dossier=dossier, reused_result_id=earlier.pk).count() == 1
    assert dossier.proactive["fields_prefilled"] == 27
    assert dossier.proactive["components_held"] == 2
    # Still the agency's: not one of the person's drafts, deleted at its own date.
    assert dossier.is_untouched_prepared
    assert expiry.draft_expires_at(dossier) == dossier.prepared_expires_at


def test_registers_never_change_a_submitted_dossier(in_process_http, earlier, company):
    dossier = preparing.prepare(make_reminder(earlier, company))
    data = dossier.form_data
    data["vehicles"][0]["chassis_no"] = "AS-SUBMITTED"
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.SUBMITTED, form_data=data)
    dossier.refresh_from_db()
    once_only.fill_from_registers(dossier=dossier, user=company)
    dossier.refresh_from_db()
    assert dossier.form_data["vehicles"][0]["chassis_no"] == "AS-SUBMITTED"


def test_preparing_does_not_spend_the_persons_own_look_ups(
    in_process_http, settings, earlier, company
):
    settings.REGISTERS_LOOKUPS_PER_HOUR = 1
    assert once_only.spend_allowance(company) == ""  # the person used their look-up
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert ObtainedComponent.objects.filter(dossier=dossier).count() == 1
    assert REGISTRATION in dossier.proactive["held"]
    assert not any("tra cứu nhiều lần" in p for p in dossier.proactive["refresh_problems"])


def test_an_unreadable_earlier_result_still_prepares_the_draft(in_process_http, earlier, company):
    earlier.pdf.storage.delete(earlier.pdf.name)
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert dossier is not None and dossier.is_draft
    assert not Attachment.objects.filter(dossier=dossier).exists()
    assert (
        "Không đọc được bản kết quả đã ký; vui lòng tải tệp lên."
        in (dossier.proactive["refresh_problems"])
    )


def test_a_failing_preparation_still_reminds_without_a_half_built_draft(
    in_process_http, monkeypatch, earlier, company, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(preparing, "_obtain", broken)
    reminder = tell(make_reminder(earlier, company), django_capture_on_commit_callbacks)
    assert reminder.ready_at is not None and reminder.dossier is None
    assert not drafts().exists()


def test_a_closed_account_is_neither_prepared_for_nor_told(
    in_process_http, earlier, company, django_capture_on_commit_callbacks
):
    company.is_active = False
    company.save(update_fields=["is_active"])
    reminder = tell(make_reminder(earlier, company), django_capture_on_commit_callbacks)
    assert reminder.ready_at is None and not drafts().exists()


def test_a_draft_past_the_form_data_quota_is_not_prepared_but_the_reminder_goes(
    in_process_http, settings, earlier, company, django_capture_on_commit_callbacks
):
    settings.DRAFT_FORM_BYTES_PER_ACCOUNT = 100
    reminder = tell(make_reminder(earlier, company), django_capture_on_commit_callbacks)
    assert reminder.ready_at is not None and reminder.dossier is None
    assert not drafts().exists()


def test_removing_the_agencys_file_is_a_change(in_process_http, earlier, company):
    dossier = preparing.prepare(make_reminder(earlier, company))
    services.attachment_remove(
        attachment=Attachment.objects.get(dossier=dossier), applicant=company
    )
    dossier.refresh_from_db()
    assert dossier.updated_at > dossier.prepared_at
    assert expiry.draft_expires_at(dossier) != dossier.prepared_expires_at


# --- One renewal, one draft ----------------------------------------------------------------


def test_the_second_reminder_of_the_same_badge_links_to_the_first_draft(
    in_process_http, earlier, company, django_capture_on_commit_callbacks
):
    rule = make_rule(offsets=[30, 10])
    first = tell(make_reminder(earlier, company, rule=rule), django_capture_on_commit_callbacks)
    item = first.items.get().item
    second = Reminder.objects.create(
        rule=rule, holder=company, day=timezone.localdate(), due_on=first.due_on
    )
    second.items.create(rule=rule, item=item, due_on=first.due_on, offset=10)
    second = tell(second, django_capture_on_commit_callbacks)
    assert second.dossier == first.dossier
    assert list(drafts()) == [first.dossier]


def test_an_untouched_prepared_draft_does_not_take_one_of_the_persons_drafts(
    in_process_http, settings, earlier, company
):
    settings.DRAFTS_PER_ACCOUNT = 1
    preparing.prepare(make_reminder(earlier, company))
    own = services.dossier_start(
        procedure=earlier.dossier.procedure, applicant=company, from_registers=False
    )
    assert own.started_by == company


def test_on_a_form_section_the_heading_comes_before_the_banner(
    in_process_http, client, earlier, company
):
    dossier = preparing.prepare(make_reminder(earlier, company))
    client.force_login(company)
    page = client.get(reverse("dossiers:section", args=[dossier.uuid, "vehicles"])).content.decode()
    assert page.index("<h1") < page.index("prepared-banner")


def test_after_a_switch_the_later_reminders_link_opens_the_new_draft(
    in_process_http, client, earlier, company, other_way, django_capture_on_commit_callbacks
):
    rule = make_rule(offsets=[30, 10])
    first = tell(make_reminder(earlier, company, rule=rule), django_capture_on_commit_callbacks)
    second = Reminder.objects.create(
        rule=rule, holder=company, day=timezone.localdate(), due_on=first.due_on
    )
    second.items.create(rule=rule, item=first.items.get().item, due_on=first.due_on, offset=10)
    second = tell(second, django_capture_on_commit_callbacks)
    new = preparing.prepare_instead(dossier=second.dossier, code=OTHER, person=company).dossier
    client.force_login(company)
    response = client.get(reverse("proactive:follow", args=[second.uuid]))
    assert response["Location"] == reverse("dossiers:detail", args=[new.uuid])
    assert list(drafts()) == [new]
