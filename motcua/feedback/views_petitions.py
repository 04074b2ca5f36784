"""Pages of feedback and petitions (phản ánh, kiến nghị): filing, verifying the contact,
tracking, the agency's list and actions, and the public answers."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from motcua.accounts.decorators import officer_required
from motcua.catalogue.selectors import procedure_in_force
from motcua.core import ratelimit
from motcua.core.client import client_ip
from motcua.core.text import mask_contact
from motcua.feedback import contact_codes, petitions
from motcua.feedback.forms_petitions import (
    CodeForm,
    ContactForm,
    InfoForm,
    NoteForm,
    PetitionForm,
    PublishForm,
    TrackForm,
)
from motcua.feedback.models import Petition
from motcua.workdays.services import deadlines

DRAFT_KEY = "petition_draft"
SEEN_KEY = "petitions_seen"
PURPOSE = "petition"
FILINGS_PER_USER_PER_HOUR = 10


def _refuse_officers(request):
    if request.user.is_authenticated and not request.user.is_applicant:
        raise PermissionDenied


def _grant(request, petition: Petition) -> None:
    """This browser proved it may follow the petition (it filed it, or gave the contact)."""
    seen = [c for c in request.session.get(SEEN_KEY, []) if c != petition.code]
    request.session[SEEN_KEY] = [petition.code, *seen][:20]


def _limited_page(request, template, context, seconds):
    context["limited"] = ratelimit.wait_text(seconds)
    return render(request, template, context, status=429)


# ---------------------------------------------------------------------------------------
# Filing


def petition_new(request):
    """The filing form; account holders file at once, others prove a contact first."""
    _refuse_officers(request)
    user = request.user if request.user.is_authenticated else None
    initial = {"kind": Petition.Kind.FEEDBACK}
    if (procedure := procedure_in_force(request.GET.get("procedure", "")[:40])) is not None:
        initial.update(about=Petition.About.PROCEDURE, procedure=procedure.code)
    if dossier_code := request.GET.get("dossier", "")[:48]:
        initial.update(about=Petition.About.DOSSIER, dossier_code=dossier_code)
    draft = request.session.get(DRAFT_KEY)
    if draft and request.method == "GET" and "procedure" not in request.GET:
        initial.update(draft["petition"])  # back from the code page: nothing is lost
    form = PetitionForm(request.POST or None, initial=initial, user=user)
    contact = None
    if user is None:
        contact = ContactForm(
            request.POST or None, prefix="contact", initial=(draft or {}).get("contact")
        )
    if request.method == "POST":
        valid = form.is_valid()
        valid = (contact is None or contact.is_valid()) and valid
        if valid and user is not None:
            try:
                ratelimit.limit(
                    "petition-user", str(user.pk), limit=FILINGS_PER_USER_PER_HOUR, window=3600
                )
            except ratelimit.Limited as limited:
                return _limited_page(
                    request,
                    "feedback/petitions/new.html",
                    _new_context(form, contact),
                    limited.seconds,
                )
            petition = petitions.file_petition(
                kind=form.cleaned_data["kind"],
                subject=form.subject,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                user=user,
                language=get_language() or "vi",
            )
            return _filed(request, petition)
        if valid:
            try:
                code = contact_codes.issue_code(
                    purpose=PURPOSE,
                    channel=contact.cleaned_data["channel"],
                    address=contact.address,
                    language=get_language() or "vi",
                    client_ip=client_ip(request) or "",
                )
            except ratelimit.Limited as limited:
                return _limited_page(
                    request,
                    "feedback/petitions/new.html",
                    _new_context(form, contact),
                    limited.seconds,
                )
            request.session[DRAFT_KEY] = {
                "petition": {
                    k: v
                    for k, v in form.cleaned_data.items()
                    if k
                    in ("kind", "about", "procedure", "agency", "dossier_code", "title", "content")
                },
                "contact": {
                    "name": contact.cleaned_data["name"],
                    "channel": contact.cleaned_data["channel"],
                    "email": contact.cleaned_data.get("email") or "",
                    "phone": contact.cleaned_data.get("phone") or "",
                },
                "address": contact.address,
                "code_id": code.pk,
            }
            return redirect("feedback:petition_verify")
        return render(
            request, "feedback/petitions/new.html", _new_context(form, contact), status=400
        )
    return render(request, "feedback/petitions/new.html", _new_context(form, contact))


def _new_context(form, contact):
    errors = form.error_links() + (contact.error_links() if contact is not None else [])
    return {"form": form, "contact": contact, "error_list": errors}


def petition_verify(request):
    """The code sent to the contact; only a right one files the petition kept in the session."""
    _refuse_officers(request)
    draft = request.session.get(DRAFT_KEY)
    if not draft:
        return redirect("feedback:petition_new")
    form = CodeForm(request.POST or None)
    context = {"form": form, "masked": mask_contact(draft["address"]), "error_list": []}
    if request.method != "POST":
        return render(request, "feedback/petitions/verify.html", context)
    if "resend" in request.POST:
        try:
            code = contact_codes.issue_code(
                purpose=PURPOSE,
                channel=draft["contact"]["channel"],
                address=draft["address"],
                language=get_language() or "vi",
                client_ip=client_ip(request) or "",
            )
        except ratelimit.Limited as limited:
            return _limited_page(
                request, "feedback/petitions/verify.html", context, limited.seconds
            )
        draft["code_id"] = code.pk
        request.session[DRAFT_KEY] = draft
        messages.success(request, _("Đã gửi mã xác thực mới."))
        return redirect("feedback:petition_verify")
    if form.is_valid():
        checked = contact_codes.check_code(
            code_id=draft["code_id"], purpose=PURPOSE, code=form.cleaned_data["code"]
        )
        if checked.ok:
            rebuilt = PetitionForm(draft["petition"], user=None)
            if not rebuilt.is_valid():  # the procedure or agency went away meanwhile
                messages.error(request, _("Thông tin phản ánh cần được kiểm tra lại."))
                return redirect("feedback:petition_new")
            contact = draft["contact"]
            petition = petitions.file_petition(
                kind=rebuilt.cleaned_data["kind"],
                subject=rebuilt.subject,
                title=rebuilt.cleaned_data["title"],
                content=rebuilt.cleaned_data["content"],
                name=contact["name"],
                channel=contact["channel"],
                email=draft["address"] if contact["channel"] == "email" else "",
                phone=draft["address"] if contact["channel"] == "sms" else "",
                language=get_language() or "vi",
            )
            del request.session[DRAFT_KEY]
            return _filed(request, petition)
        form.add_error("code", checked.error)
    context["error_list"] = form.error_links()
    return render(request, "feedback/petitions/verify.html", context, status=400)


def _filed(request, petition: Petition):
    _grant(request, petition)
    messages.success(
        request,
        _("Đã gửi phản ánh, kiến nghị. Mã của quý vị: %(code)s. Hãy ghi lại mã để tra cứu.")
        % {"code": petition.code},
    )
    return redirect("feedback:petition_track_detail", petition.code)


# ---------------------------------------------------------------------------------------
# Tracking


def petition_track(request):
    """Find a petition by its code and the filer's e-mail or phone: an unknown code and a
    wrong contact give the same answer; failures are counted as on dossier tracking."""
    form = TrackForm(request.POST or None, initial={"code": request.GET.get("code", "")[:64]})
    context = {"form": form, "not_found": False, "error_list": []}
    if request.method != "POST":
        return render(request, "feedback/petitions/track.html", context)
    if not form.is_valid():
        context["error_list"] = form.error_links()
        return render(request, "feedback/petitions/track.html", context, status=400)
    code = form.cleaned_data["code"].strip().upper()
    ip = client_ip(request) or ""
    limit, window = settings.TRACKING_MAX_FAILURES, settings.TRACKING_WINDOW_SECONDS
    cap, pair = settings.TRACKING_DELAY_MAX_SECONDS, f"{code}|{ip}"
    try:
        ratelimit.limit("petition-track-pair", pair, limit=limit, window=window)
        ratelimit.throttle("petition-track-ip", ip, free=limit, window=window, cap=cap)
        ratelimit.throttle("petition-track-code", code, free=limit, window=window, cap=cap)
    except ratelimit.Limited as limited:
        return _limited_page(request, "feedback/petitions/track.html", context, limited.seconds)
    petition = Petition.objects.filter(code=code).first()
    if petition is None or not petitions.contact_matches(petition, form.cleaned_data["contact"]):
        context["not_found"] = True
        return render(request, "feedback/petitions/track.html", context, status=404)
    ratelimit.reset("petition-track-pair", pair)
    ratelimit.reset("petition-track-code", code)
    ratelimit.forgive("petition-track-ip", ip, window=window)
    _grant(request, petition)
    return redirect("feedback:petition_track_detail", petition.code)


def _followed(request, code: str) -> Petition | None:
    petition = Petition.objects.select_related("agency", "procedure").filter(code=code).first()
    if petition is None:
        return None
    user = request.user
    if user.is_authenticated and petition.user_id == user.pk:
        return petition
    if code in request.session.get(SEEN_KEY, []):
        return petition
    return None


def petition_track_detail(request, code):
    """The petition as its filer follows it: status, deadlines, history, answer; and the
    form to give the information the agency asked for."""
    petition = _followed(request, code)
    if petition is None:
        # Unknown, or not proved yet: the tracking form, with the code filled in.
        return redirect(reverse("feedback:petition_track") + "?" + urlencode({"code": code[:64]}))
    form = InfoForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if petition.status != Petition.Status.INFO_REQUESTED:
            messages.error(request, _("Phản ánh, kiến nghị này không chờ bổ sung thông tin."))
            return redirect("feedback:petition_track_detail", petition.code)
        if form.is_valid():
            try:
                petitions.give_info(
                    petition=petition,
                    info=form.cleaned_data["info"],
                    user=request.user if request.user.is_authenticated else None,
                )
            except petitions.PetitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Đã gửi thông tin bổ sung."))
            return redirect("feedback:petition_track_detail", petition.code)
        status = 400
    history = petition.events.filter(is_public=True)
    context = {
        "petition": petition,
        "history": history,
        "form": form,
        "error_list": form.error_links() if status == 400 else [],
        "stage": petitions.next_deadline(petition),
    }
    return render(request, "feedback/petitions/detail.html", context, status=status)


def petition_mine(request):
    """Phản ánh của tôi: the signed-in applicant's petitions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _refuse_officers(request)
    page = Paginator(
        Petition.objects.filter(user=request.user).select_related("agency"), 20
    ).get_page(request.GET.get("page"))
    return render(request, "feedback/petitions/mine.html", {"page": page})


# ---------------------------------------------------------------------------------------
# The agency's side


def _rows(petition_list, now):
    rows = []
    stages = [petitions.next_deadline(p, now) for p in petition_list]
    states = deadlines([due for _s, due in stages if due], now)
    states_iter = iter(states)
    for petition, (stage, due) in zip(petition_list, stages, strict=True):
        state = next(states_iter) if due else None
        rows.append(
            {
                "petition": petition,
                "stage": petitions.STAGE_LABELS.get(stage, ""),
                "due": due,
                "state": state,
                "late": petitions.late_stages(petition, now),
            }
        )
    return rows


OPEN_STATUSES = (
    Petition.Status.RECEIVED,
    Petition.Status.INFO_REQUESTED,
    Petition.Status.INFO_GIVEN,
    Petition.Status.ANSWERED,
)


@officer_required
def officer_petitions(request):
    """The agency's petitions: open ones first by due date, late ones flagged."""
    if not petitions.handled_agency_ids(request.user):
        raise PermissionDenied
    show = request.GET.get("show", "open")
    found = petitions.petitions_for_officer(request.user)
    if show == "done":
        found = found.exclude(status__in=OPEN_STATUSES)
    else:
        show = "open"
        found = petitions.by_first_deadline(found.filter(status__in=OPEN_STATUSES))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "feedback/petitions/officer_list.html",
        {"page": page, "rows": _rows(list(page.object_list), now), "show": show},
    )


# In the order the page offers them: the usual outcome first.
ACTIONS = {
    "answer": (petitions.answer_petition, "answer", gettext_lazy("Nội dung trả lời")),
    "request_info": (
        petitions.request_info,
        "question",
        gettext_lazy("Thông tin cần người gửi bổ sung"),
    ),
    "reject": (petitions.reject_petition, "reason", gettext_lazy("Lý do không tiếp nhận")),
    "close": (petitions.close_petition, "reason", gettext_lazy("Lý do không công khai")),
}
ALLOWED = {
    Petition.Status.RECEIVED: ("reject", "request_info", "answer"),
    Petition.Status.INFO_GIVEN: ("answer",),
    Petition.Status.ANSWERED: ("publish", "close"),
}


@officer_required
def officer_petition(request, code):
    """One petition for the agency: its text, history, and the actions allowed now."""
    petition = petitions.petition_for_officer(request.user, code)
    if petition is None:
        raise Http404
    allowed = ALLOWED.get(petition.status, ())
    forms = {
        name: NoteForm(prefix=name, label=label)
        for name, (_f, _k, label) in ACTIONS.items()
        if name in allowed
    }
    publish_form = None
    if "publish" in allowed:
        publish_form = PublishForm(prefix="publish", initial=petitions.redacted_draft(petition))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in allowed:
            messages.error(request, _("Thao tác này không còn được phép ở bước hiện tại."))
            return redirect("feedback:officer_petition", petition.code)
        if action == "publish":
            publish_form = PublishForm(request.POST, prefix="publish")
            bound = publish_form
        else:
            function, keyword, label = ACTIONS[action]
            bound = forms[action] = NoteForm(request.POST, prefix=action, label=label)
        if bound.is_valid():
            try:
                if action == "publish":
                    petitions.publish_petition(
                        petition=petition, officer=request.user, **bound.cleaned_data
                    )
                else:
                    function(
                        petition=petition,
                        officer=request.user,
                        **{keyword: bound.cleaned_data["text"]},
                    )
            except petitions.PetitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Đã cập nhật phản ánh, kiến nghị."))
            return redirect("feedback:officer_petition", petition.code)
        status = 400
    now = timezone.now()
    context = {
        "petition": petition,
        "history": petition.events.select_related("actor"),
        "forms": forms,
        "publish_form": publish_form,
        "row": _rows([petition], now)[0],
        "stages": [
            (petitions.STAGE_LABELS[stage], getattr(petition, f"{stage}_due_at"))
            for stage in petitions.STAGES
            if getattr(petition, f"{stage}_due_at")
        ],
        "error_list": [
            link
            for form in [*forms.values(), publish_form]
            if form is not None and form.is_bound
            for link in form.error_links()
        ],
    }
    return render(request, "feedback/petitions/officer_detail.html", context, status=status)


# ---------------------------------------------------------------------------------------
# The public page


def answers(request):
    """Published answers, newest first; search is accent-insensitive."""
    query = request.GET.get("q", "")[:100]
    page = Paginator(petitions.published_petitions(query), 20).get_page(request.GET.get("page"))
    return render(request, "feedback/petitions/answers.html", {"page": page, "q": query})
