"""The indicators computed from the facts equal a plain recount from the dossiers and their
timelines, on random histories (hypothesis) driven through the real state machine (issue 14).

Each example runs in a savepoint rolled back at its end, so examples never see each other's
dossiers; the derandomised search makes a CI run reproducible.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# A dossier's history: when it is submitted (hours after 27/10/2025 08:00), by which channel,
# and up to twelve steps, each some hours after the last and a pick among the actions the
# machine offers in the dossier's status then (refused ones, by the wrong actor or too late,
# are skipped).
STEP = st.tuples(st.integers(1, 12), st.integers(0, 10**6))
DOSSIER = st.tuples(
    st.integers(0, 22 * 24),
    st.sampled_from(["online", "counter"]),
    st.lists(STEP, min_size=1, max_size=12),
)
HISTORY = st.lists(DOSSIER, min_size=1, max_size=4)


def play(history, *, org, procedure, citizen, clock) -> int:
    """Submit and move the dossiers of `history`; returns how many were submitted."""
    for n, (offset, channel, steps) in enumerate(history):
        clock.current = timezone.make_aware(datetime(2025, 10, 27, 8, 0)) + timedelta(hours=offset)
        dossier = make_submitted_dossier(
            procedure, citizen, plate=f"75A-{n:03d}.00", channel=channel
        )
        for hours, pick in steps:
            clock.current += timedelta(hours=hours)
            status = Dossier.objects.get(pk=dossier.pk).status
            possible = [a for a in ACTIONS if status in MACHINE[a].from_statuses]
            if not possible:
                break
            weighted = [a for a in possible for _ in range(WEIGHTS.get(a, 1))]
            attempt(dossier, weighted[pick % len(weighted)], org)
    return len(history)


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


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=HISTORY)
def test_indicators_from_facts_equal_a_recount_from_the_timelines(
    history, clock, org, procedure, citizen, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        check_one_history(
            history, clock, org, procedure, citizen, django_capture_on_commit_callbacks
        )
        transaction.set_rollback(True)


def check_one_history(history, clock, org, procedure, citizen, capture_on_commit):
    with capture_on_commit(execute=True):
        count = play(history, org=org, procedure=procedure, citizen=citizen, clock=clock)
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
