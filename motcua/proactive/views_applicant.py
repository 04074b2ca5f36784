"""The applicant's proactive services page: what falls due, reminders, prepared dossiers,
and the switch to refuse them (issue 17, Decree 224/2026 art. 17(3))."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.proactive import choices
from motcua.proactive.models import DueItem, Reminder, ReminderRule
from motcua.workdays.services import working_days_before

SHOWN = 100


def applicant_required(view):
    """Logged-in citizens and organisations only; officers have no proactive page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_applicant:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _horizons() -> dict[tuple[str, str], int]:
    """(procedure, due) → the largest offset of its active rules, in working days."""
    horizons: dict[tuple[str, str], int] = {}
    for code, due, offsets in ReminderRule.objects.filter(is_active=True).values_list(
        "procedure_code", "due", "offsets"
    ):
        largest = max((o for o in offsets or [] if isinstance(o, int)), default=0)
        horizons[(code, due)] = max(horizons.get((code, due), 0), largest)
    return horizons


def _items(user) -> list[DueItem]:
    """The person's items that fall due, soonest first, each marked `expired` (past) or
    `soon` (within the reminder horizon of an active rule)."""
    today = timezone.localdate()
    horizons = _horizons()
    items = list(
        DueItem.objects.active()
        .filter(holder=user)
        .select_related("result")
        .order_by("due_on", "pk")[:SHOWN]
    )
    for item in items:
        item.expired = item.due_on < today
        horizon = horizons.get((item.procedure_code, item.due), 0)
        item.soon = (
            not item.expired and horizon > 0 and working_days_before(item.due_on, horizon) <= today
        )
    return items


@applicant_required
def overview(request):
    user = request.user
    reminders = list(
        Reminder.objects.filter(holder=user, ready_at__isnull=False)
        .select_related("rule", "dossier")
        .prefetch_related("items__item")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "proactive/overview.html",
        {
            "items": _items(user),
            "reminders": reminders,
            "refused_since": choices.refused_since(user),
        },
    )


@require_POST
@applicant_required
def choice(request):
    answer = request.POST.get("choice", "")
    if answer == "refuse":
        choices.refuse(user=request.user, request=request)
        messages.success(
            request,
            _(
                "Quý vị đã từ chối dịch vụ công chủ động: từ nay cơ quan không gửi lời nhắc "
                "và không chuẩn bị sẵn hồ sơ cho Quý vị."
            ),
        )
    elif answer == "accept":
        choices.accept(user=request.user, request=request)
        messages.success(
            request,
            _("Quý vị đã đồng ý nhận dịch vụ công chủ động: cơ quan sẽ nhắc khi đến hạn."),
        )
    else:
        messages.error(request, _("Vui lòng chọn đồng ý hoặc từ chối dịch vụ chủ động."))
    return redirect("proactive:overview")
