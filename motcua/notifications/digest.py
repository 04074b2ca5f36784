"""The officers' daily digest (bản tin hằng ngày): per unit, its open dossiers due within
OFFICER_DIGEST_DUE_DAYS working days and those overdue, mailed to the unit's officers once a
day (decision 0043). The dossiers are read by the inbox's own queue definitions, so the
digest and the inbox's "due soon" and "overdue" counts agree on what an open dossier is.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Unit, User
from motcua.dossiers.models import Dossier
from motcua.notifications.models import OfficerDigest
from motcua.notifications.subscribers import send_templated_mail
from motcua.workdays import services as workdays
from motcua.workflow.queues import QUEUES

logger = logging.getLogger(__name__)

# At most this many dossiers are listed by name in each part; the rest are counted.
LISTED = 30


def _statuses(queue: str) -> list[int]:
    spec = QUEUES[queue]
    return sorted({int(s) for h in spec.holdings for s in h.statuses} - set(spec.excluded))


@dataclass
class UnitDeadlines:
    unit: Unit
    due_soon: list[Dossier]
    overdue: list[Dossier]
    due_soon_total: int
    overdue_total: int


def unit_deadlines(unit: Unit, *, now: datetime, soon_until: datetime) -> UnitDeadlines:
    """The dossiers `unit` holds now that are overdue, and those due by `soon_until`."""
    held = Dossier.objects.filter(current_unit=unit).select_related("procedure")
    held = held.only("uuid", "code", "due_at", "procedure__name").order_by("due_at", "id")
    soon = held.filter(status__in=_statuses("due_soon"), due_at__gte=now, due_at__lte=soon_until)
    late = held.filter(status__in=_statuses("overdue"), due_at__lt=now)
    due_soon, overdue = list(soon[: LISTED + 1]), list(late[: LISTED + 1])
    return UnitDeadlines(
        unit=unit,
        due_soon=due_soon[:LISTED],
        overdue=overdue[:LISTED],
        due_soon_total=len(due_soon) if len(due_soon) <= LISTED else soon.count(),
        overdue_total=len(overdue) if len(overdue) <= LISTED else late.count(),
    )


def _recipients(unit: Unit) -> list[str]:
    officers = User.objects.filter(memberships__unit=unit, is_active=True, email__isnull=False)
    return sorted({email for email in officers.values_list("email", flat=True) if email})


def _units_with_deadlines(*, now: datetime, soon_until: datetime) -> list[int]:
    open_statuses = set(_statuses("due_soon")) | set(_statuses("overdue"))
    return list(
        Dossier.objects.filter(
            current_unit__isnull=False,
            current_unit__is_active=True,
            status__in=open_statuses,
            due_at__lte=soon_until,
        )
        .values_list("current_unit", flat=True)
        .distinct()
        .order_by("current_unit")
    )


def _claim(unit: Unit, day: date, deadlines: UnitDeadlines, recipients: int) -> bool:
    try:
        with transaction.atomic():
            OfficerDigest.objects.create(
                unit=unit,
                day=day,
                due_soon=deadlines.due_soon_total,
                overdue=deadlines.overdue_total,
                recipients=recipients,
            )
    except IntegrityError:  # sent already today (or being sent by another run)
        return False
    return True


def send_officer_digests(*, now: datetime | None = None) -> int:
    """Mail each unit's digest for today, once; returns how many units were mailed.

    Nothing on a day off, nothing to a unit with neither list, nothing twice a day: the
    (unit, day) row is claimed before the mail goes, and given back if the mail fails so
    that a rerun tries again.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not workdays.is_working_day(day):
        return 0
    soon_until = workdays.add_working_days(now, settings.OFFICER_DIGEST_DUE_DAYS)
    sent = 0
    for unit_id in _units_with_deadlines(now=now, soon_until=soon_until):
        unit = Unit.objects.select_related("agency").get(pk=unit_id)
        deadlines = unit_deadlines(unit, now=now, soon_until=soon_until)
        recipients = _recipients(unit)
        if not (deadlines.due_soon or deadlines.overdue) or not recipients:
            continue
        if not _claim(unit, day, deadlines, len(recipients)):
            continue
        try:
            send_templated_mail(
                to=recipients,
                template="officer_digest",
                context={
                    "deadlines": deadlines,
                    "day": day,
                    "due_days": settings.OFFICER_DIGEST_DUE_DAYS,
                    "inbox_path": reverse("workflow:inbox"),
                },
            )
        except Exception:
            OfficerDigest.objects.filter(unit=unit, day=day).delete()
            logger.exception("The digest of unit %s could not be sent", unit.pk)
            continue
        sent += 1
    return sent
