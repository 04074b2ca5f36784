"""The receiving agency's side: only its officers act; every action tells the filer once."""

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.feedback.models import Petition
from motcua.feedback.tests.petitions.conftest import events

pytestmark = pytest.mark.django_db


def _page(petition):
    return reverse("feedback:officer_petition", args=[petition.code])


def test_the_desk_sees_its_agencys_petitions_with_the_deadline(client, org, file):
    petition = file()
    login_officer(client, org.desk_officer)
    page = client.get(reverse("feedback:officer_petitions")).content.decode()
    assert petition.code in page and "Xem xét, tiếp nhận" in page


def test_an_officer_of_another_agency_can_neither_see_nor_act(client, org, file, stranger):
    petition = file()
    login_officer(client, stranger)
    assert petition.code not in client.get(reverse("feedback:officer_petitions")).content.decode()
    assert client.get(_page(petition)).status_code == 404
    response = client.post(_page(petition), {"action": "reject", "reject-text": "Không."})
    assert response.status_code == 404
    petition.refresh_from_db()
    assert petition.status == Petition.Status.RECEIVED


def test_a_specialist_does_not_handle_petitions(client, org, file):
    petition = file()
    login_officer(client, org.specialist)
    assert client.get(reverse("feedback:officer_petitions")).status_code == 403
    assert client.get(_page(petition)).status_code == 404


def test_a_citizen_is_refused(client, citizen, file):
    petition = file()
    client.force_login(citizen)
    assert client.get(_page(petition)).status_code == 403


def test_reject_needs_a_reason_and_tells_the_filer_once(client, org, file):
    petition = file()
    login_officer(client, org.desk_officer)
    response = client.post(_page(petition), {"action": "reject", "reject-text": ""})
    assert response.status_code == 400
    client.post(_page(petition), {"action": "reject", "reject-text": "Không thuộc thẩm quyền."})
    client.post(_page(petition), {"action": "reject", "reject-text": "Lần hai."})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.REJECTED
    assert petition.reject_reason == "Không thuộc thẩm quyền."
    actions = [(e.action, e.status, e.email) for e in events("petition.changed")]
    assert actions == [
        ("filed", "received", "tam@example.vn"),
        ("rejected", "rejected", "tam@example.vn"),
    ]


def test_answer_then_publish_with_the_personal_data_removed(client, org, file):
    petition = file()
    login_officer(client, org.desk_officer)
    client.post(
        _page(petition),
        {"action": "answer", "answer-text": "Đã nhắc nhở cán bộ; liên hệ ông Tám qua 0903123456."},
    )
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ANSWERED and petition.answered_by == org.desk_officer
    form = client.get(_page(petition)).content.decode()
    # Pre-filled and redacted: the officer reviews before publishing.
    assert "0903123456" not in form.split("Công khai kết quả trả lời")[1].split("Lịch sử xử lý")[0]
    assert "Lê Văn Tám" not in form.split("Công khai kết quả trả lời")[1].split("Lịch sử xử lý")[0]
    client.post(
        _page(petition),
        {
            "action": "publish",
            "publish-title": "Cán bộ hẹn nhiều lần",
            "publish-question": "Tôi là […], bị hẹn ba lần.",
            "publish-answer": "Đã nhắc nhở cán bộ.",
        },
    )
    petition.refresh_from_db()
    assert petition.status == Petition.Status.PUBLISHED and petition.published_at
    actions = [e.action for e in events("petition.changed")]
    assert actions == ["filed", "answered", "published"]
    assert all(e.email == "tam@example.vn" for e in events("petition.changed"))


def test_an_action_not_allowed_now_changes_nothing(client, org, file):
    petition = file()
    login_officer(client, org.desk_officer)
    response = client.post(
        _page(petition),
        {"action": "publish", "publish-title": "x", "publish-question": "x", "publish-answer": "x"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Petition.Status.RECEIVED and not petition.published_at


def test_asking_for_information_and_closing_tell_a_phone_filer_once_each(client, org, file):
    from motcua.feedback import petitions

    petition = file(channel=Petition.Channel.SMS, email="", phone="0903123456")
    login_officer(client, org.desk_officer)
    client.post(_page(petition), {"action": "request_info", "request_info-text": "Quầy nào?"})
    petitions.give_info(petition=Petition.objects.get(pk=petition.pk), info="Quầy 3.")
    client.post(_page(petition), {"action": "answer", "answer-text": "Đã nhắc nhở."})
    client.post(_page(petition), {"action": "close", "close-text": "Việc riêng của người gửi."})
    changed = events("petition.changed")
    assert [(e.action, e.status) for e in changed] == [
        ("filed", "received"),
        ("info_requested", "info_requested"),
        ("info_given", "info_given"),
        ("answered", "answered"),
        ("closed", "closed"),
    ]
    assert {(e.phone, e.email, e.user_id) for e in changed} == {("0903123456", "", None)}
    assert changed[2].due_at is not None
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED and not petition.published_at


def test_a_late_petition_is_flagged_in_words_on_the_list(client, org, file):
    from motcua.feedback.tests.petitions.conftest import at

    late = file(now=at("2026-03-02 09:00"), title="Đã quá hạn")
    fresh = file(title="Mới gửi")
    login_officer(client, org.desk_officer)
    page = client.get(reverse("feedback:officer_petitions")).content.decode()
    rows = {
        code: row
        for row in page.split("<tr")[1:]
        for code in (late.code, fresh.code)
        if code in row
    }
    assert "Quá hạn" in rows[late.code] and "row-overdue" in rows[late.code]
    assert "Quá hạn" not in rows[fresh.code] and "row-overdue" not in rows[fresh.code]


def test_the_list_puts_the_first_deadline_first_and_those_waiting_for_the_filer_last(
    client, org, file
):
    from motcua.feedback import petitions
    from motcua.feedback.tests.petitions.conftest import at

    waiting = file(now=at("2026-03-02 09:00"), title="Chờ người gửi")
    petitions.request_info(petition=waiting, officer=org.desk_officer, question="?")
    answered = file(now=at("2026-03-03 09:00"), title="Chờ công khai")
    petitions.answer_petition(
        petition=answered, officer=org.desk_officer, answer="Đã xử lý.", now=at("2026-03-20 09:00")
    )
    new = file(now=at("2026-03-10 09:00"), title="Mới tiếp nhận")  # reject stage by 12/3
    login_officer(client, org.desk_officer)
    page = client.get(reverse("feedback:officer_petitions")).content.decode()
    order = sorted((page.index(p.code), p.title) for p in (waiting, answered, new))
    assert [title for _i, title in order] == ["Mới tiếp nhận", "Chờ công khai", "Chờ người gửi"]
