"""A reminder's link and the prepared dossier's own actions (issue 17, decision 0085)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from motcua.accounts import representation
from motcua.catalogue.selectors import procedure_in_force
from motcua.dossiers import selectors
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.proactive import preparing
from motcua.proactive.models import Reminder


def _reminder_for(user, reminder_uuid) -> Reminder:
    """The reminder if `user` is its holder or may act for the holder on the offered
    procedure (accounts.representation, as dossiers.acting asks); else 404."""
    reminder = (
        Reminder.objects.select_related("rule", "holder", "dossier")
        .filter(uuid=reminder_uuid)
        .first()
    )
    if reminder is None:
        raise Http404
    if reminder.holder_id == user.pk:
        return reminder
    if not user.is_applicant or (
        representation.standing(
            user, reminder.holder_id, procedure_code=reminder.rule.offer_code, act=True
        )
        is None
    ):
        raise Http404
    return reminder


def _dossier_of(reminder: Reminder) -> Dossier | None:
    """The draft prepared for the reminder, or the one the person started from its link."""
    if reminder.dossier is not None:
        return reminder.dossier
    # By their uuids, derived from the reminder's (indexed).
    tokens = [preparing.followed_token(reminder), preparing.prepared_token(reminder)]
    return Dossier.objects.filter(uuid__in=tokens).order_by("-id").first()


@login_required
def follow(request, reminder):
    """Every reminder's link: the prepared draft (or the dossier it became), else a new
    draft of the offered procedure started for the person, marked as started proactively."""
    reminder = _reminder_for(request.user, reminder)
    Reminder.objects.filter(pk=reminder.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    dossier = _dossier_of(reminder)
    if dossier is not None:
        return redirect("dossiers:detail", dossier.uuid)
    procedure = procedure_in_force(reminder.rule.offer_code)
    if procedure is None:
        messages.warning(request, _("Thủ tục được đề nghị hiện không còn áp dụng."))
        return redirect("proactive:overview")
    try:
        dossier = dossier_services.dossier_start(
            procedure=procedure,
            applicant=request.user,
            principal=reminder.holder,
            token=preparing.followed_token(reminder),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("catalogue:detail", procedure.code)
    dossier_services.dossier_mark_proactive(dossier=dossier, reminder=str(reminder.uuid))
    return redirect("dossiers:detail", dossier.uuid)


def _prepared_draft(request, dossier_uuid) -> Dossier:
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if dossier.prepared_at is None:
        raise Http404
    return dossier


@login_required
@require_POST
def discard(request, dossier):
    dossier = _prepared_draft(request, dossier)
    if not dossier.is_draft:
        return redirect("dossiers:detail", dossier.uuid)
    preparing.discard_prepared(dossier=dossier, person=request.user, request=request)
    messages.success(
        request,
        _(
            "Đã hủy hồ sơ do cơ quan chuẩn bị sẵn. Quý vị vẫn có thể tự nộp hồ sơ khi cần, "
            "từ trang thủ tục."
        ),
    )
    return redirect("proactive:overview")


@login_required
@require_POST
def switch(request, dossier):
    dossier = _prepared_draft(request, dossier)
    if not dossier.is_draft:
        return redirect("dossiers:detail", dossier.uuid)
    try:
        switched = preparing.prepare_instead(
            dossier=dossier, code=request.POST.get("code", ""), person=request.user
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("dossiers:detail", dossier.uuid)
    new = switched.dossier
    text = _("Hồ sơ đã được chuẩn bị lại theo thủ tục quý vị chọn: %(name)s.") % {
        "name": new.procedure.name
    }
    if switched.files_dropped:
        n = switched.files_dropped
        text += " " + ngettext(
            "%(n)s tệp quý vị đã tải lên không được chuyển sang; quý vị tải lên lại nếu cần.",
            "%(n)s tệp quý vị đã tải lên không được chuyển sang; quý vị tải lên lại nếu cần.",
            n,
        ) % {"n": n}
    if switched.answers_dropped:
        n = switched.answers_dropped
        text += " " + ngettext(
            "%(n)s câu trả lời không có trong tờ khai của thủ tục này nên không được giữ.",
            "%(n)s câu trả lời không có trong tờ khai của thủ tục này nên không được giữ.",
            n,
        ) % {"n": n}
    messages.success(request, text)
    return redirect("dossiers:detail", new.uuid)
