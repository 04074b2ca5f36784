"""The indicators computed from the facts equal a plain recount from the dossiers and their
timelines, on random histories driven through the real state machine (issue 14).

hypothesis is not installed in this environment (.venv has no such package), so the
histories come from a seeded random generator: each seed is one reproducible example.
"""

import random
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.factories import make_submitted_dossier
from motcua.reports import indicators as ind
from motcua.workdays import services as workdays
from motcua.workflow.machine import (
    ACTIONS as MACHINE,
)
from motcua.workflow.machine import (
    ExtendInput,
    NoteInput,
    ReasonInput,
    RequestSupplementInput,
    SupplementItem,
    TransitionRefused,
    perform,
)

pytestmark = pytest.mark.django_db

ACTIONS = (
    "accept",
    "refuse",
    "request_supplement",
    "submit_supplement",
    "forward",
    "approve",
    "return_result",
    "extend",
    "stop",
    "request_withdrawal",
    "confirm_withdrawal",
)
PERIOD = ind.Period(date(2025, 11, 6), date(2025, 11, 19))


WEIGHTS = {"accept": 5, "forward": 5, "approve": 3, "return_result": 3, "submit_supplement": 3}


def play(seed: int, *, org, procedure, citizen, clock) -> int:
    """One to four dossiers submitted between 27/10 and 18/11/2025, each moved by up to twelve
    steps hours apart, each step an action the machine offers in the dossier's status
    (refused ones, by the wrong actor or too late, are skipped). Returns the dossier count."""
    rng = random.Random(seed)
    count = rng.randint(1, 4)
    for n in range(count):
        clock.current = timezone.make_aware(datetime(2025, 10, 27, 8, 0)) + timedelta(
            hours=rng.randint(0, 22 * 24)
        )
        channel = rng.choice(["online", "counter"])
        dossier = make_submitted_dossier(
            procedure, citizen, plate=f"75A-{n:03d}.00", channel=channel
        )
        for _ in range(rng.randint(1, 12)):
            clock.current += timedelta(hours=rng.randint(1, 12))
            status = Dossier.objects.get(pk=dossier.pk).status
            possible = [a for a in ACTIONS if status in MACHINE[a].from_statuses]
            if not possible:
                break
            weights = [WEIGHTS.get(a, 1) for a in possible]
            attempt(dossier, rng.choices(possible, weights)[0], org)
    return count


def data_for(action, dossier):
    if action in ("refuse", "stop", "request_withdrawal"):
        return ReasonInput(reason="Lý do")
    if action == "request_supplement":
        items = (SupplementItem(component="Giấy tờ", reason="Thiếu"),)
        return RequestSupplementInput(items=items)
    if action == "extend":
        if dossier.due_at is None:
            return None
        new = workdays.add_working_days(dossier.due_at, 2)
        return ExtendInput(reason="Chờ xác minh", new_due_date=timezone.localdate(new))
    return NoteInput(note="Ghi chú")


def attempt(dossier, action, org):
    dossier = Dossier.objects.get(pk=dossier.pk)
    data = data_for(action, dossier)
    if action == "extend" and data is None:
        return
    for actor in (org.desk_officer, org.specialist, org.head, org.leader, dossier.applicant):
        try:
            perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)
            return
        except TransitionRefused:
            continue


def recount(agency_id):
    """Form II.06a and the on-time ratio, counted plainly from each dossier's timeline."""
    start, end = PERIOD.starts_at, PERIOD.ends_at
    counts = dict.fromkeys(ind.COLUMNS, 0)
    for dossier in Dossier.objects.filter(receiving_agency_id=agency_id).exclude(status=0):
        events = list(dossier.events.order_by("at", "id"))
        accepted = [e.at for e in events if e.action == "accept"]
        if not accepted:
            continue
        received = accepted[0]
        ends = [e for e in events if e.to_status in (8, 9, 10) and e.from_status != e.to_status]
        ended = ends[0].at if ends else None
        withdrawn = bool(ends) and "withdraw" in ends[0].action
        supplements = sum(1 for e in events if e.to_status == 5 and e.from_status != 5)
        extensions = [e for e in events if e.action == "extend"]
        due = (
            datetime.fromisoformat(extensions[0].data["old_due_at"])
            if extensions
            else dossier.due_at
        )
        if received >= end:
            continue
        if start <= received:
            counts["received_online" if dossier.channel == "online" else "received_counter"] += 1
        elif ended is None or ended >= start:
            counts["carried_over"] += 1
        if ended is not None and start <= ended < end and not withdrawn:
            if supplements > 1 or ended > due:
                counts["resolved_late"] += 1
            elif timezone.localdate(ended) < timezone.localdate(due):
                counts["resolved_early"] += 1
            else:
                counts["resolved_on_time"] += 1
        if ended is None or ended >= end:
            overdue = due is not None and due < end
            counts["in_progress_overdue" if overdue else "in_progress_within"] += 1
    return counts


@pytest.mark.parametrize("seed", range(15))
def test_indicators_from_facts_equal_a_recount_from_the_timelines(
    seed, clock, org, procedure, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = play(seed, org=org, procedure=procedure, citizen=citizen, clock=clock)
    clock.current = timezone.make_aware(datetime(2026, 1, 5, 8, 0))

    expected = recount(procedure.receiving_agency_id)
    scope = ind.Scope(agency_id=procedure.receiving_agency_id)
    totals = ind.period_totals(period=PERIOD, scope=scope)
    assert {k: totals[k] for k in ind.COLUMNS} == expected
    on_time = ind.on_time(period=PERIOD, scope=scope)
    good = (
        expected["resolved_early"] + expected["resolved_on_time"] + expected["in_progress_within"]
    )
    all_ = good + expected["resolved_late"] + expected["in_progress_overdue"]
    assert (on_time.numerator, on_time.denominator) == (good, all_)
    online = ind.online_dossiers(period=PERIOD, scope=scope)
    assert (online.numerator, online.denominator) == (
        expected["received_online"],
        expected["received_online"] + expected["received_counter"],
    )
    assert Dossier.objects.filter(status__gt=Status.DRAFT).count() == count
