"""Questions from the public on a procedure (hỏi đáp), answered by the procedure's agency and
published in its Q&A. Decision 0046."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.events import QuestionAnswered
from motcua.core.outbox import publish
from motcua.core.text import fold, search_terms
from motcua.dossiers import access
from motcua.feedback.models import Question

TEXT_MIN, TEXT_MAX = 10, 2000
ANSWER_MAX, REASON_MAX = 5000, 1000


class QuestionRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _search_text(question: Question) -> str:
    return fold(f"{question.text} {question.answer}")


def ask_question(
    *, procedure, text: str, asker=None, name: str = "", email: str = "", language: str = "vi"
) -> Question:
    """A question on `procedure`, pending until an officer of its agency answers it. Without
    an account the asker gives a name and, to hear of the answer, an e-mail address."""
    text = text.strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise QuestionRefused(_("Câu hỏi cần từ 10 đến 2000 ký tự."))
    question = Question(
        procedure=procedure,
        procedure_code=procedure.code,
        text=text,
        asker=asker if asker is not None and asker.is_authenticated else None,
        name=name.strip()[:120],
        email=email.strip(),
        language=language[:8],
    )
    question.search_text = _search_text(question)
    question.save()
    return question


def agencies_of(user) -> set[int]:
    """The agencies the officer works in (those of their active units)."""
    return {m.unit.agency_id for m in access.memberships(user)}


def moderated_by(user) -> QuerySet[Question]:
    """The questions an officer may answer: those on the procedures of their agencies
    (the agency that decides or the one that receives the dossiers)."""
    agencies = agencies_of(user)
    if not agencies:
        return Question.objects.none()
    return Question.objects.filter(
        Q(procedure__agency_id__in=agencies) | Q(procedure__receiving_agency_id__in=agencies)
    )


def can_moderate(user, question: Question) -> bool:
    agencies = agencies_of(user)
    procedure = question.procedure
    return bool(agencies & {procedure.agency_id, procedure.receiving_agency_id})


def qa_path(question: Question) -> str:
    path = reverse("feedback:procedure_questions", args=[question.procedure_code])
    return f"{path}#question-{question.pk}"


@transaction.atomic
def answer_question(*, question: Question, officer, answer: str) -> Question:
    """Answer the question and publish it in the procedure's Q&A; the asker is told
    (QuestionAnswered)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    answer = answer.strip()
    if not answer:
        raise QuestionRefused(_("Nhập câu trả lời."))
    if len(answer) > ANSWER_MAX:
        raise QuestionRefused(_("Câu trả lời dài quá 5000 ký tự."))
    first_answer = not question.answered_at
    now = timezone.now()
    question.answer = answer
    question.state = Question.State.PUBLISHED
    question.reason = ""
    question.answered_by = officer
    question.answered_at = now
    question.published_at = question.published_at or now
    question.search_text = _search_text(question)
    question.save(
        update_fields=[
            "answer",
            "state",
            "reason",
            "answered_by",
            "answered_at",
            "published_at",
            "search_text",
        ]
    )
    if first_answer and (question.asker_id or question.email):
        publish(
            QuestionAnswered(
                question_id=question.pk,
                procedure_code=question.procedure_code,
                user_id=question.asker_id,
                email="" if question.asker_id else question.email,
                language=question.language,
                path=qa_path(question),
            )
        )
    return question


@transaction.atomic
def reject_question(*, question: Question, officer, reason: str) -> Question:
    """Keep the question out of the public Q&A (off-topic, personal data, abuse), with why."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    reason = reason.strip()
    if not reason:
        raise QuestionRefused(_("Nhập lý do không công khai câu hỏi."))
    question.state = Question.State.REJECTED
    question.reason = reason[:REASON_MAX]
    question.answered_by = officer
    question.published_at = None
    question.save(update_fields=["state", "reason", "answered_by", "published_at"])
    return question


def published(code: str | None = None, *, q: str = "") -> QuerySet[Question]:
    """Published questions and answers, newest first; of one procedure with `code`; matching
    every folded word of `q` in the question or the answer."""
    found = Question.objects.filter(state=Question.State.PUBLISHED)
    if code is not None:
        found = found.filter(procedure_code=code)
    for term in search_terms(q):
        found = found.filter(search_text__contains=term)
    return found.order_by("-published_at", "-id")
