"""The daily job: find what falls due and remind each holder once per rule and occasion
(issue 17, Decree 224/2026 art. 17(1), decision 0084).

For each active rule and each of its offsets (working days before the due date), the items
whose reminder day has come are those due between today and the last date whose reminder
day is today or earlier: one range of the partial index due_item_window per rule. An item
gets the smallest offset whose day has come, so a job that missed days (or an item indexed
late) reminds once, never the older, larger offsets too. An occasion (rule, item, date,
offset) is a unique row (ReminderItem), and an occasion with a smaller offset counts as
reminded: the same badge and date is never reminded twice for one offset.

A holder's items under one rule on one day become one Reminder (an operator with three
badges expiring gets one message listing three), written with its ProactiveReminderDue event
in one transaction; two runs at once collide on the unique occasion and remind once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from motcua.core.events import ProactiveReminderDue
from motcua.core.outbox import publish
from motcua.dossiers.models import Dossier
from motcua.proactive.items import THING, replacements
from motcua.proactive.models import Due, DueItem, OptOut, Reminder, ReminderItem, ReminderRule
from motcua.signing.models import Revocation
from motcua.workdays.services import working_days_after

log = logging.getLogger("motcua.proactive")


def windows(rule: ReminderRule, today: date) -> list[tuple[int, date]]:
    """(offset, last due date) per offset of the rule, smallest offset first: the last date
    whose reminder day (`offset` working days before it) is `today` or earlier."""
    return [(offset, working_days_after(today, offset)) for offset in sorted(set(rule.offsets))]


def due_items(rule: ReminderRule, today: date):
    """The rule's active items whose reminder day has come and that were not reminded for
    that offset or a smaller one: annotated with `offset`, `opted_out`, `revoked`,
    `renewed`. Read through due_item_window or, by holder, due_item_holder
    (the planner chooses; bench/proactive_due.py)."""
    spans = windows(rule, today)
    items = DueItem.objects.filter(
        state=DueItem.State.ACTIVE,
        holder__is_active=True,  # a closed account is neither prepared for nor told
        procedure_code=rule.procedure_code,
        due=rule.due,
        due_on__gte=today,
        due_on__lte=spans[-1][1],
    )
    if rule.due == Due.FORM_DATE:
        items = items.filter(date_field=rule.date_field)
    reminded = ReminderItem.objects.filter(
        rule=rule, item=OuterRef("pk"), due_on=OuterRef("due_on"), offset__lte=OuterRef("offset")
    )
    # Replaced by a later date, or the same date of a newer result, of the same plate, form
    # element or form date (items.replacements, as the index reads it). A whole result's
    # renewal is the index's alone (items.index_result): whether it renews one of several
    # parallel results is not a matter of dates.
    later = replacements(**{name: OuterRef(name) for name in THING}).exclude(
        Q(subject="") & ~Q(due=Due.FORM_DATE)
    )
    return (
        items.annotate(
            offset=Case(
                *[When(due_on__lte=last, then=Value(offset)) for offset, last in spans],
                output_field=IntegerField(),
            )
        )
        .filter(~Exists(reminded))
        .annotate(
            opted_out=Exists(OptOut.objects.filter(user_id=OuterRef("holder_id"))),
            revoked=Exists(Revocation.objects.filter(document__result_id=OuterRef("result_id"))),
            renewed=Exists(later),
        )
        .order_by("holder_id", "due_on", "pk")
    )


def _remind(rule: ReminderRule, holder_id: int, today: date, rows: list[dict]) -> Reminder | None:
    """One Reminder with its occasions and its event, in one transaction; None when another
    run reminded all of them first."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    rule=rule,
                    holder_id=holder_id,
                    day=today,
                    due_on=min(r["due_on"] for r in rows),
                )
                ReminderItem.objects.bulk_create(
                    [
                        ReminderItem(
                            reminder=reminder,
                            rule=rule,
                            item_id=r["pk"],
                            due_on=r["due_on"],
                            offset=r["offset"],
                        )
                        for r in rows
                    ]
                )
                publish(
                    ProactiveReminderDue(
                        reminder_id=reminder.pk, holder_id=holder_id, rule_id=rule.pk
                    )
                )
            return reminder
        except IntegrityError:
            # Another run took some of these occasions: remind the rest, if any.
            taken = set(
                ReminderItem.objects.filter(
                    rule=rule,
                    item_id__in=[r["pk"] for r in rows],
                ).values_list("item_id", "due_on", "offset")
            )
            rows = [
                r
                for r in rows
                if not any(
                    (r["pk"], r["due_on"], offset) in taken for offset in range(r["offset"] + 1)
                )
            ]
            if not rows:
                return None
    log.warning("proactive: could not remind holder %s under rule %s", holder_id, rule.pk)
    return None


def send_reminders(*, today: date | None = None) -> dict[str, int]:
    """Remind every holder of what falls due today under each active rule (what the command
    and the beat entry run daily). Returns counts: rules, items_due, reminders,
    skipped_opted_out, skipped_revoked, skipped_renewed, failed_rules (a rule that could not
    be run: logged, the others go on)."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(
        [
            "rules",
            "items_due",
            "reminders",
            "skipped_opted_out",
            "skipped_revoked",
            "skipped_renewed",
            "failed_rules",
        ],
        0,
    )
    forget_untold()
    for rule in ReminderRule.objects.filter(is_active=True).order_by("pk"):
        if not rule.offsets:
            continue
        try:
            _send_rule(rule, today, counts)
        except Exception:
            # One bad rule (offsets saved from the shell, say) must not stop the others.
            log.exception("proactive: rule %s could not be run", rule.pk)
            counts["failed_rules"] += 1
    return counts


def forget_untold(*, now=None) -> int:
    """Reminders never made ready a day after the job wrote them (the person refused before
    the chain ran, or it failed) told nobody: their occasions are freed, so they are reminded
    when their day comes again (after accepting again, say). A reminder for which a draft was
    prepared meanwhile is kept. Returns how many reminders were forgotten."""
    now = now or timezone.now()
    untold = list(
        Reminder.objects.filter(
            ready_at__isnull=True, dossier__isnull=True, created_at__lt=now - timedelta(days=1)
        )
        .order_by("pk")
        .values_list("pk", "uuid", "holder_id")[:1000]
    )
    if not untold:
        return 0
    # The holders' own dossiers only (an index), not every dossier's JSON.
    keep = dict(
        Dossier.objects.filter(
            applicant_id__in={holder for _pk, _key, holder in untold},
            proactive__reminder__in=[str(key) for _pk, key, _holder in untold],
        ).values_list("proactive__reminder", "pk")
    )
    for pk, key, _holder in untold:
        if str(key) in keep:  # linked, so that the next run does not read it again
            Reminder.objects.filter(pk=pk, dossier__isnull=True).update(dossier_id=keep[str(key)])
    forgotten = [pk for pk, key, _holder in untold if str(key) not in keep]
    Reminder.objects.filter(pk__in=forgotten, ready_at__isnull=True).delete()
    return len(forgotten)


def _send_rule(rule: ReminderRule, today: date, counts: dict[str, int]) -> None:
    """Remind what falls due today under one rule, counted into `counts`."""
    counts["rules"] += 1
    by_holder: dict[int, list[dict]] = defaultdict(list)
    revoked, renewed = [], []
    for row in due_items(rule, today).values(
        "pk", "holder_id", "due_on", "offset", "opted_out", "revoked", "renewed"
    ):
        if row["revoked"]:
            revoked.append(row["pk"])
        elif row["renewed"]:
            renewed.append(row["pk"])
        elif row["opted_out"]:
            counts["skipped_opted_out"] += 1
        else:
            by_holder[row["holder_id"]].append(row)
    # What the result subscribers had not marked yet: put the index right.
    DueItem.objects.filter(pk__in=revoked).update(state=DueItem.State.REVOKED)
    DueItem.objects.filter(pk__in=renewed).update(state=DueItem.State.RENEWED)
    counts["skipped_revoked"] += len(revoked)
    counts["skipped_renewed"] += len(renewed)
    for holder_id, rows in by_holder.items():
        counts["items_due"] += len(rows)
        if _remind(rule, holder_id, today, rows) is not None:
            counts["reminders"] += 1
