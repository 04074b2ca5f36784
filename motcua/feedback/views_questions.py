"""Questions on procedures: the public asks and reads (anonymous allowed), officers of the
procedure's agency answer, publish or reject."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import officer_required
from motcua.catalogue.selectors import procedure_in_force
from motcua.core import ratelimit
from motcua.core.client import client_ip
from motcua.feedback import questions
from motcua.feedback.forms_questions import AnswerForm, QuestionForm
from motcua.feedback.models import Question
from motcua.workflow.views.common import workspace

PAGE_SIZE = 20
QUERY_MAX = 200


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:QUERY_MAX]


def _ask(request, procedure, form) -> bool:
    """Ask the valid question, counted against the client address's hourly quota; a refusal
    goes on the form (which keeps what was typed)."""
    try:
        ratelimit.limit(
            "question-ip",
            client_ip(request) or "unknown",
            limit=settings.QUESTIONS_PER_HOUR,
            window=3600,
        )
    except ratelimit.Limited as exc:
        form.limited = True
        form.add_error(
            None,
            _("Quý vị đã gửi nhiều câu hỏi. Vui lòng thử lại sau %(wait)s.")
            % {"wait": ratelimit.wait_text(exc.seconds)},
        )
        return False
    data = form.cleaned_data
    try:
        questions.ask_question(
            procedure=procedure,
            text=data["text"],
            asker=request.user,
            name=data.get("name", ""),
            email=data.get("email", ""),
            language=get_language() or "vi",
        )
    except questions.QuestionRefused as exc:
        form.add_error("text", exc.message)
        return False
    return True


@require_http_methods(["GET", "POST"])
def procedure_questions(request, code):
    """The procedure's questions and answers, a search box, and the form to ask."""
    procedure = procedure_in_force(code)
    if procedure is None:
        raise Http404
    status = 200
    form = QuestionForm(user=request.user)
    if request.method == "POST":
        form = QuestionForm(request.POST, user=request.user)
        if form.is_valid():
            asked = _ask(request, procedure, form)
            if asked:
                messages.success(
                    request,
                    _(
                        "Đã gửi câu hỏi. Câu hỏi sẽ được công khai cùng câu trả lời sau khi "
                        "cơ quan giải quyết thủ tục trả lời."
                    ),
                )
                return redirect("feedback:procedure_questions", procedure.code)
        status = 429 if getattr(form, "limited", False) else 400
    q = _query(request)
    page = Paginator(questions.published(procedure.code, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "feedback/questions/procedure.html",
        {
            "procedure": procedure,
            "page": page,
            "q": q,
            "form": form,
            "error_list": form.error_links() if form.errors else [],
        },
        status=status,
    )


def search(request):
    """Published questions and answers of every procedure, searched without accents."""
    q = _query(request)
    found = questions.published(q=q).select_related("procedure")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/questions/search.html", {"page": page, "q": q})


STATES = (Question.State.PENDING, Question.State.PUBLISHED, Question.State.REJECTED)


@officer_required
def officer_questions(request):
    """The questions on the officer's agencies' procedures, pending ones first."""
    state = request.GET.get("state", Question.State.PENDING)
    if state not in STATES:
        state = Question.State.PENDING
    found = (
        questions.moderated_by(request.user)
        .filter(state=state)
        .select_related("procedure")
        .order_by("created_at" if state == Question.State.PENDING else "-answered_at", "id")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/questions/officer_list.html",
        workspace(request, page=page, state=state, states=[(s, s.label) for s in STATES]),
    )


@officer_required
@require_http_methods(["GET", "POST"])
def officer_question(request, question_id):
    """Answer and publish, or reject with a reason: officers of the procedure's agency only."""
    question = get_object_or_404(
        Question.objects.select_related("procedure", "asker"), pk=question_id
    )
    if not questions.can_moderate(request.user, question):
        raise PermissionDenied
    form = AnswerForm(
        request.POST or None,
        initial={"answer": question.answer, "reason": question.reason},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "answer":
                    questions.answer_question(
                        question=question, officer=request.user, answer=data["answer"]
                    )
                    messages.success(request, _("Đã trả lời và công khai câu hỏi."))
                else:
                    questions.reject_question(
                        question=question, officer=request.user, reason=data["reason"]
                    )
                    messages.success(request, _("Đã không công khai câu hỏi."))
            except questions.QuestionRefused as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("feedback:officer_questions")
        status = 400
    return render(
        request,
        "feedback/questions/officer_answer.html",
        workspace(
            request,
            question=question,
            form=form,
            error_list=form.error_links() if form.errors else [],
        ),
        status=status,
    )
