"""The applicant's proactive services page: what falls due, reminders, prepared dossiers,
and the switch to refuse them (issue 17, Decree 224/2026 art. 17(3))."""

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.dossiers.views import applicant_required
from motcua.proactive import choices
from motcua.proactive.models import DueItem, Reminder, ReminderRule
from motcua.workdays.services import working_days_after

SHOWN = 100
# Items past their date are listed for this long (never renewed: a lapsed badge stays active).
EXPIRED_DAYS = 90


def _horizons(today) -> dict[tuple[str, str], date]:
    """(procedure, due) → the last due date its active rules remind of by `today` (their
    largest offset, in working days, after it)."""
    largest: dict[tuple[str, str], int] = {}
    for code, due, offsets in ReminderRule.objects.filter(is_active=True).values_list(
        "procedure_code", "due", "offsets"
    ):
        days = max((o for o in offsets or [] if isinstance(o, int) and o > 0), default=0)
        if days:
            largest[(code, due)] = max(largest.get((code, due), 0), days)
    return {key: working_days_after(today, days) for key, days in largest.items()}


def _items(user) -> dict:
    """The person's items: those still to fall due, soonest first (at most SHOWN), each
    marked `soon` within the reminder horizon of an active rule; then those past their date
    in the last EXPIRED_DAYS, latest first (at most SHOWN), never renewed: an operator's
    lapsed badges never hide what falls due next. `more_upcoming` and `more_expired` count
    what is not shown."""
    today = timezone.localdate()
    horizons = _horizons(today)
    mine = DueItem.objects.active().filter(holder=user)
    upcoming = mine.filter(due_on__gte=today).order_by("due_on", "pk")
    expired = mine.filter(due_on__lt=today, due_on__gte=today - timedelta(days=EXPIRED_DAYS))
    expired = expired.order_by("-due_on", "pk")
    shown = list(upcoming[: SHOWN + 1])
    lapsed = list(expired[: SHOWN + 1])
    for item in shown:
        item.expired = False
        horizon = horizons.get((item.procedure_code, item.due))
        item.soon = horizon is not None and item.due_on <= horizon
    for item in lapsed:
        item.expired, item.soon = True, False
    return {
        "items": shown[:SHOWN],
        "more_upcoming": upcoming.count() - SHOWN if len(shown) > SHOWN else 0,
        "expired_items": lapsed[:SHOWN],
        "more_expired": (
            len(lapsed) > SHOWN
            or mine.filter(due_on__lt=today - timedelta(days=EXPIRED_DAYS)).exists()
        ),
        "expired_days": EXPIRED_DAYS,
    }


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
            **_items(user),
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
