"""Questions on a procedure: asked by anyone, answered by its agency, searchable without accents."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.core.models import OutboxEvent
from motcua.factories import UnitFactory, make_officer
from motcua.feedback import questions
from motcua.feedback.models import Question

pytestmark = pytest.mark.django_db

TEXT = "Thủ tục cấp phù hiệu cần những giấy tờ gì khi xe đi thuê?"


def qa_url(procedure):
    return reverse("feedback:procedure_questions", args=[procedure.code])


def ask(client, procedure, **fields):
    data = {"text": TEXT, "name": "Lê Văn Tám", "email": "tam@example.vn", **fields}
    return client.post(qa_url(procedure), data)


def answered(procedure, officer, text, answer):
    question = questions.ask_question(procedure=procedure, text=text, name="Người hỏi")
    return questions.answer_question(question=question, officer=officer, answer=answer)


def test_the_procedure_page_links_to_its_questions(client, procedure):
    html = client.get(reverse("catalogue:detail", args=[procedure.code])).content.decode()
    assert "Hỏi đáp về thủ tục" in html and qa_url(procedure) in html


def test_anyone_may_ask_and_the_question_waits_for_an_answer(client, procedure):
    response = ask(client, procedure)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.state == Question.State.PENDING
    assert (question.name, question.email, question.asker) == ("Lê Văn Tám", "tam@example.vn", None)
    html = client.get(qa_url(procedure)).content.decode()
    assert "Đã gửi câu hỏi" in html
    assert TEXT not in html


def test_a_logged_in_citizen_asks_without_giving_a_name(client, procedure, citizen):
    client.force_login(citizen)
    assert 'name="name"' not in client.get(qa_url(procedure)).content.decode()
    assert client.post(qa_url(procedure), {"text": TEXT}).status_code == 302
    assert Question.objects.get().asker == citizen


def test_a_too_short_question_is_refused_and_what_was_typed_is_kept(client, procedure):
    response = ask(client, procedure, text="Hỏi?", name="Lê Văn Tám")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Câu hỏi cần ít nhất 10 ký tự." in html and 'href="#question-text"' in html
    assert 'value="Lê Văn Tám"' in html
    assert not Question.objects.exists()


def test_a_question_without_the_csrf_token_is_refused(procedure):
    response = ask(Client(enforce_csrf_checks=True), procedure)
    assert response.status_code == 403
    assert not Question.objects.exists()


def test_one_address_asking_too_often_is_refused(client, procedure, settings):
    settings.QUESTIONS_PER_HOUR = 2
    assert ask(client, procedure).status_code == 302
    assert ask(client, procedure).status_code == 302
    response = ask(client, procedure, text="Câu hỏi thứ ba về lệ phí cấp phù hiệu?")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Quý vị đã gửi nhiều câu hỏi" in html
    assert "Câu hỏi thứ ba về lệ phí cấp phù hiệu?" in html
    assert Question.objects.count() == 2


def test_an_officer_of_the_agency_answers_and_the_answer_is_published(client, org, procedure):
    ask(client, procedure)
    question = Question.objects.get()
    login_officer(client, org.desk_officer)
    assert TEXT in client.get(reverse("feedback:officer_questions")).content.decode()
    url = reverse("feedback:officer_question", args=[question.pk])
    answer = "Cần hợp đồng thuê xe bằng văn bản."
    response = client.post(url, {"decision": "answer", "answer": answer})
    assert response.status_code == 302
    client.logout()
    html = client.get(qa_url(procedure)).content.decode()
    assert TEXT in html and answer in html
    html = client.get(reverse("catalogue:detail", args=[procedure.code])).content.decode()
    assert TEXT in html and answer in html
    (event,) = OutboxEvent.objects.filter(name="question.answered")
    assert event.payload["question_id"] == question.pk
    assert event.payload["procedure_code"] == procedure.code
    assert event.payload["path"] == f"{qa_url(procedure)}#question-{question.pk}"


def test_the_answer_tells_the_asker_with_an_account_by_their_id(org, procedure, citizen):
    question = questions.ask_question(procedure=procedure, text=TEXT, asker=citizen)
    questions.answer_question(question=question, officer=org.desk_officer, answer="Có.")
    (event,) = OutboxEvent.objects.filter(name="question.answered")
    assert event.payload["user_id"] == citizen.pk


def test_a_rejected_question_is_never_shown(client, org, procedure):
    ask(client, procedure)
    question = Question.objects.get()
    login_officer(client, org.desk_officer)
    url = reverse("feedback:officer_question", args=[question.pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Nhập lý do không công khai câu hỏi." in response.content.decode()
    response = client.post(url, {"decision": "reject", "reason": "Không liên quan thủ tục"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == Question.State.REJECTED
    client.logout()
    for url in (qa_url(procedure), reverse("catalogue:detail", args=[procedure.code])):
        assert TEXT not in client.get(url).content.decode()
    assert TEXT not in client.get(reverse("feedback:questions"), {"q": "phu hieu"}).content.decode()
    assert not OutboxEvent.objects.filter(name="question.answered").exists()


def test_an_officer_of_another_agency_cannot_see_or_answer(client, org, procedure):
    ask(client, procedure)
    question = Question.objects.get()
    elsewhere = UnitFactory(name="Phòng khác")
    stranger = make_officer(elsewhere.agency, (elsewhere, Role.DESK))
    login_officer(client, stranger)
    assert TEXT not in client.get(reverse("feedback:officer_questions")).content.decode()
    url = reverse("feedback:officer_question", args=[question.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "answer", "answer": "Trả lời"}).status_code == 403
    question.refresh_from_db()
    assert question.state == Question.State.PENDING and question.answer == ""


def test_a_citizen_cannot_answer(client, org, procedure, citizen):
    question = questions.ask_question(procedure=procedure, text=TEXT, name="A")
    client.force_login(citizen)
    url = reverse("feedback:officer_question", args=[question.pk])
    assert client.post(url, {"decision": "answer", "answer": "Trả lời"}).status_code == 403


def test_search_without_accents_finds_questions_and_answers(client, org, procedure):
    answered(procedure, org.desk_officer, "Thủ tục này mất bao lâu?", "Hai ngày làm việc.")
    answered(procedure, org.desk_officer, "Xe mới mua thì sao?", "Cần giấy đăng ký xe.")
    questions.ask_question(procedure=procedure, text="Thủ tục đăng ký chưa trả lời?", name="B")
    html = client.get(reverse("feedback:questions"), {"q": "thu tuc"}).content.decode()
    assert "Thủ tục này mất bao lâu?" in html
    assert "chưa trả lời" not in html  # pending: never public
    html = client.get(qa_url(procedure), {"q": "dang ky"}).content.decode()
    assert "Cần giấy đăng ký xe." in html and "Thủ tục này mất bao lâu?" not in html
    html = client.get(reverse("feedback:questions"), {"q": "ĐĂNG KÝ"}).content.decode()
    assert "Xe mới mua thì sao?" in html
    assert questions.published(q="Thu tuc").count() == 1


def test_the_qa_pages_read_the_same_queries_however_many_answers(
    client, org, procedure, django_assert_max_num_queries
):
    for n in range(25):
        answered(procedure, org.desk_officer, f"Câu hỏi số {n} về thủ tục?", f"Trả lời {n}.")
    with django_assert_max_num_queries(6):
        client.get(reverse("feedback:questions"), {"q": "thu tuc"})
    with django_assert_max_num_queries(6):
        client.get(qa_url(procedure))


def test_the_qa_page_speaks_english_to_who_chose_it(client, procedure):
    client.cookies["django_language"] = "en"
    html = client.get(qa_url(procedure)).content.decode()
    assert "Ask a question" in html and "Your question" in html
