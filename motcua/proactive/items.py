"""What falls due, kept from the results (issue 17, decision 0084).

When a result is issued its due items are written once (DueItem): for a badge, one per badge
and per date that ends it (the badge's valid-until date, the vehicle's service life, the
lease or cooperation contract); for another result, its valid-until date when its face has
one, and the dates the procedure's FORM_DATE rules read in the form. The daily job then reads
one index instead of every result and its form.

The same issue marks what the new result replaces as renewed (a new badge for the same plate,
a later licence of the same procedure, the result a prepared dossier was made from), and a
revocation marks every item of the revoked result: neither is reminded again.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.core.audit import record_audit
from motcua.documents.context import parse_moment
from motcua.dossiers.models import Dossier, Status, untouched_prepared
from motcua.dossiers.services import delete_draft
from motcua.proactive.models import Due, DueItem, Reminder, ReminderRule
from motcua.results.models import ResultDocument
from motcua.results.reuse import valid_until
from motcua.signing.models import Revocation


def _day(value) -> date | None:
    """A date from a face (dd/mm/yyyy) or a form (ISO)."""
    if value in (None, ""):
        return None
    try:
        return datetime.strptime(str(value), "%d/%m/%Y").date()
    except ValueError:
        pass
    moment = parse_moment(value)
    if moment is None:
        return None
    return moment if type(moment) is date else moment.date()


def _vehicles_by_plate(form_data: dict) -> dict[str, dict]:
    vehicles = (form_data or {}).get("vehicles") or []
    return {str(v.get("plate")): v for v in vehicles if isinstance(v, dict) and v.get("plate")}


def _badge_items(result: ResultDocument, form_data: dict) -> list[dict]:
    vehicles = _vehicles_by_plate(form_data)
    items = []
    for badge in result.data.get("badges") or []:
        plate = str(badge.get("plate") or "")
        label = f"Phù hiệu số {badge.get('number', '')}, xe {plate}"
        vehicle = vehicles.get(plate, {})
        dates = {Due.VALID_UNTIL: _day(badge.get("valid_until"))}
        life = vehicle.get("service_life_year")
        if isinstance(life, int) and not isinstance(life, bool) and 1900 < life < 3000:
            dates[Due.SERVICE_LIFE] = date(life, 12, 31)
        if vehicle.get("ownership") in ("leased", "cooperation"):
            dates[Due.LEASE_END] = _day(vehicle.get("contract_to"))
        for due, due_on in dates.items():
            if due_on is not None:
                items.append({"due": due, "subject": plate, "label": label, "due_on": due_on})
    return items


def _values_at(data, path: list[str], where: str = ""):
    """(subject, value) for each value at `path` in the form; "*" walks every element of a
    list. The subject names the element: its plate when it has one, else "#n"."""
    if not path:
        yield where, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for index, element in enumerate(data if isinstance(data, list) else [], start=1):
            plate = element.get("plate") if isinstance(element, dict) else None
            yield from _values_at(element, rest, str(plate) if plate else f"#{index}")
    elif isinstance(data, dict):
        yield from _values_at(data.get(head), rest, where)


def form_date_rules(codes) -> dict[str, list[ReminderRule]]:
    """The active FORM_DATE rules of the procedures `codes`, by procedure code."""
    rules: dict[str, list[ReminderRule]] = {code: [] for code in codes}
    for rule in ReminderRule.objects.filter(
        procedure_code__in=list(rules), due=Due.FORM_DATE, is_active=True
    ).order_by("pk"):
        rules[rule.procedure_code].append(rule)
    return rules


def _form_date_items(rules: list[ReminderRule], form_data: dict) -> list[dict]:
    items = []
    for rule in rules:
        for subject, value in _values_at(form_data or {}, rule.date_field.split(".")):
            due_on = _day(value)
            if due_on is None:
                continue
            label = rule.name + (f", xe {subject}" if subject and subject[0] != "#" else "")
            items.append(
                {
                    "due": Due.FORM_DATE,
                    "date_field": rule.date_field,
                    "subject": subject,
                    "label": label[:300],
                    "due_on": due_on,
                }
            )
    return items


def items_of(
    result: ResultDocument, rules: dict[str, list[ReminderRule]] | None = None
) -> list[dict]:
    """The due items `result` gives, as field dicts (nothing written). `rules`: the
    form-date rules by procedure (form_date_rules), read once for a batch; None reads them."""
    dossier = result.dossier
    form_data = dossier.form_data or {}
    if result.data.get("badges"):
        items = _badge_items(result, form_data)
    else:
        items = []
        until = valid_until(result)
        if until is not None:
            label = f"{result.title} số {result.number}"
            items.append({"due": Due.VALID_UNTIL, "subject": "", "label": label, "due_on": until})
    code = dossier.procedure.code
    if rules is None or code not in rules:
        rules = form_date_rules([code])
    return items + _form_date_items(rules[code], form_data)


# The fields naming what an item is about (same_thing) and where it stands (replaced_by).
THING = ("holder_id", "due", "date_field", "subject", "procedure_code", "due_on", "result_id")


def same_thing(*, holder_id, due, date_field, subject, procedure_code, **_rest) -> Q:
    """Items of the holder about the same thing: the same plate (whatever procedure issued
    it), or, for a form element without a plate or a form date outside a list, the same
    procedure. Each value may be an expression (OuterRef: the job's send-time check). (A
    whole result: see _whole_kin.)"""
    return Q(holder_id=holder_id, due=due, date_field=date_field, subject=subject) & (
        Q(procedure_code=procedure_code) | ~(Q(subject="") | Q(subject__startswith="#"))
    )


def replaced_by(due_on, result_id) -> Q:
    """Items that replace one due on `due_on` of result `result_id`: a later date, or the
    same date from a newer result (a re-issue keeping the date: service life, an unchanged
    lease end, a capped validity). Values or expressions (OuterRef)."""
    return Q(due_on__gt=due_on) | Q(due_on=due_on, result_id__gt=result_id)


def replacements(**thing):
    """The unrevoked items of other results replacing an item (`thing`: the THING fields, as
    values or as OuterRef). Not for a whole result: its renewal is _renew_whole's."""
    return (
        DueItem.objects.filter(
            same_thing(**thing), replaced_by(thing["due_on"], thing["result_id"])
        )
        .exclude(result_id=thing["result_id"])
        .exclude(state=DueItem.State.REVOKED)
    )


def _thing(item: DueItem) -> dict:
    return {name: getattr(item, name) for name in THING}


def replacing(due_on: date, result_id: int) -> Q:
    """Items that one due on `due_on` of result `result_id` replaces (replaced_by reversed)."""
    return Q(due_on__lt=due_on) | Q(due_on=due_on, result_id__lt=result_id)


def _group_codes(code: str) -> list[str]:
    """The procedure codes leading to the same result as `code`: itself and those sharing a
    non-empty result group with any of its versions (a new issue and its re-issue)."""
    groups = set(
        Procedure.objects.filter(code=code)
        .exclude(result_group="")
        .values_list("result_group", flat=True)
    )
    codes = {code}
    if groups:
        codes |= set(
            Procedure.objects.filter(result_group__in=groups).values_list("code", flat=True)
        )
    return sorted(codes)


def _whole_kin(item: DueItem) -> Q:
    """The holder's whole-result items of the same kind as `item`: the same procedure or a
    procedure with the same result (decision 0084)."""
    return Q(
        holder_id=item.holder_id,
        due=item.due,
        date_field=item.date_field,
        subject="",
        procedure_code__in=_group_codes(item.procedure_code),
    )


# A licence issued while an earlier one of the same kind falls due within this time (or has
# fallen due) renews it; one issued earlier is another licence held alongside (decision 0084).
RENEWAL_WINDOW = timedelta(days=183)


def _earlier_results(kin: Q, result_id: int, due_on: date, issued_on: date) -> set[int]:
    """The earlier results whose active items of this kind a result (`result_id`, due on
    `due_on`, issued on `issued_on`) could renew: due by then, or within RENEWAL_WINDOW."""
    return set(
        DueItem.objects.active()
        .filter(kin, result_id__lt=result_id, due_on__lte=due_on)
        .filter(due_on__lte=issued_on + RENEWAL_WINDOW)
        .values_list("result_id", flat=True)
        .distinct()
    )


def _issued_on(moment) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _renew_whole(item: DueItem, result: ResultDocument) -> None:
    """A whole result renews the holder's earlier result of the same kind (the same
    procedure, or one with the same result) when that one falls due within RENEWAL_WINDOW of
    the new one's issue, and only when there is exactly one: with several (parallel
    licences), which one was renewed is not known, and a reminder too many is better than a
    licence lapsing unreminded. A renewal started from the reminder's link is exact
    (_reminder_items). Order-independent: the item is born renewed when a newer result
    already renewed it."""
    kin = _whole_kin(item)
    earlier = _earlier_results(kin, result.pk, item.due_on, _issued_on(result.issued_at))
    if len(earlier) == 1:
        DueItem.objects.active().filter(kin, result_id__in=earlier, due_on__lte=item.due_on).update(
            state=DueItem.State.RENEWED, renewed_by=result
        )
    newer = (
        DueItem.objects.filter(kin, result_id__gt=result.pk, due_on__gte=item.due_on)
        .exclude(state=DueItem.State.REVOKED)
        .order_by("result_id")
        .values_list("result_id", "due_on", "result__issued_at")
        .first()
    )
    if newer is not None:
        newer_id, newer_due, newer_issued = newer
        if _earlier_results(kin, newer_id, newer_due, _issued_on(newer_issued)) == {result.pk}:
            DueItem.objects.filter(pk=item.pk, state=DueItem.State.ACTIVE).update(
                state=DueItem.State.RENEWED, renewed_by_id=newer_id
            )


def _reminder_items(result: ResultDocument, holder_id: int) -> list[int] | None:
    """The due items of the reminder whose link the result's dossier was started from (a
    prepared draft or a dossier begun from the link: proactive["reminder"]), or None."""
    value = (result.dossier.proactive or {}).get("reminder")
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return None
    reminder = Reminder.objects.filter(uuid=key, holder_id=holder_id).first()
    if reminder is None:
        return None
    return list(reminder.items.values_list("item_id", flat=True))


def _prepared_from_results(result: ResultDocument) -> list[int]:
    """The earlier results a prepared dossier was made from (level 2): renewed by this one."""
    dossier = result.dossier
    ids = set()
    earlier = (dossier.proactive or {}).get("result_id")
    if isinstance(earlier, int):
        ids.add(earlier)
    if dossier.prepared_from_id:
        ids |= set(
            ResultDocument.objects.filter(dossier_id=dossier.prepared_from_id).values_list(
                "pk", flat=True
            )
        )
    ids.discard(result.pk)
    return sorted(ids)


@transaction.atomic
def index_result(
    result: ResultDocument, rules: dict[str, list[ReminderRule]] | None = None
) -> list[DueItem]:
    """Write the due items of `result` (once: a second call finds them) and mark what it
    renews. Items of a revoked result are written revoked. Returns the result's items.
    `rules`: as items_of."""
    holder_id = result.dossier.applicant_id
    procedure_code = result.dossier.procedure.code
    revoked = Revocation.objects.filter(document__result=result).exists()
    rows = [
        DueItem(
            result=result,
            holder_id=holder_id,
            procedure_code=procedure_code,
            state=DueItem.State.REVOKED if revoked else DueItem.State.ACTIVE,
            **fields,
        )
        for fields in items_of(result, rules)
    ]
    DueItem.objects.bulk_create(rows, ignore_conflicts=True)
    items = list(DueItem.objects.filter(result=result).order_by("due_on", "pk"))
    if revoked:
        return items
    subjects = {item.subject for item in items}
    linked = _reminder_items(result, holder_id)
    for item in items:
        if item.state != DueItem.State.ACTIVE:
            continue
        if item.subject == "" and item.due != Due.FORM_DATE:
            if linked is None:
                _renew_whole(item, result)
            continue
        # A plate, a list element, or a form date outside a list (same procedure, same field):
        # What this one replaces: earlier dates of the same thing, from other results.
        DueItem.objects.active().filter(
            same_thing(**_thing(item)), replacing(item.due_on, result.pk)
        ).exclude(result=result).update(state=DueItem.State.RENEWED, renewed_by=result)
        # Indexed out of order (the command): a later result already replaced this one.
        later = (
            replacements(**_thing(item)).order_by("due_on").values_list("result_id", flat=True)
        ).first()
        if later is not None:
            DueItem.objects.filter(pk=item.pk, state=DueItem.State.ACTIVE).update(
                state=DueItem.State.RENEWED, renewed_by_id=later
            )
    renews = Q(subject="") | Q(subject__in=subjects)
    if linked:
        # Started from a reminder's link: exactly what that reminder was about (a vehicle
        # dropped from the renewal keeps its reminder).
        DueItem.objects.active().filter(renews, pk__in=linked).exclude(result=result).update(
            state=DueItem.State.RENEWED, renewed_by=result
        )
    earlier = _prepared_from_results(result)
    if earlier:
        # The prepared renewal replaces what it renewed, whatever the new dates are; a badge
        # of the earlier result for a vehicle not in the renewal stays reminded.
        DueItem.objects.active().filter(result_id__in=earlier).filter(renews).update(
            state=DueItem.State.RENEWED, renewed_by=result
        )
    discard_stale_prepared(DueItem.objects.filter(renewed_by=result).values_list("pk", flat=True))
    return list(DueItem.objects.filter(result=result).order_by("due_on", "pk"))


def _surely_done(item: DueItem) -> bool:
    """`item` is revoked, or renewed for sure: by a result naming the same plate, or one whose
    dossier came from a reminder of it (its link, or a draft prepared from its result). A
    renewal guessed among whole results or form dates (_renew_whole, the same procedure) may
    be another licence held alongside: its draft is kept (it expires by itself)."""
    if item.state == DueItem.State.REVOKED:
        return True
    if item.state != DueItem.State.RENEWED or item.renewed_by_id is None:
        return False
    if item.subject and not item.subject.startswith("#"):
        return True
    renewer = ResultDocument.objects.select_related("dossier").get(pk=item.renewed_by_id)
    if item.result_id in _prepared_from_results(renewer):
        return True
    return item.pk in (_reminder_items(renewer, item.holder_id) or [])


def discard_stale_prepared(item_ids) -> int:
    """Drafts the agency prepared for reminders whose items are all revoked or surely renewed
    now (_surely_done), untouched by the person, are deleted (audited): nobody should confirm the re-issue of a
    badge that was revoked or already renewed. A draft the person changed stays theirs.
    Returns how many were deleted."""
    reminders = Reminder.objects.filter(items__item_id__in=list(item_ids)).distinct()
    stale = [
        reminder
        for reminder in reminders.exclude(items__item__state=DueItem.State.ACTIVE)
        if all(_surely_done(row.item) for row in reminder.items.select_related("item"))
    ]
    if not stale:
        return 0
    drafts = Dossier.objects.filter(
        untouched_prepared(),
        applicant_id__in={r.holder_id for r in stale},  # their own drafts (an index)
        status=Status.DRAFT,
        proactive__reminder__in=[str(r.uuid) for r in stale],
    )
    deleted = 0
    for dossier in drafts.select_for_update():
        pk, reminder = dossier.pk, (dossier.proactive or {}).get("reminder", "")
        delete_draft(dossier)
        record_audit(
            action="proactive.discard_stale",
            target=f"dossier:{pk}",
            reminder=reminder,
            reason="revoked_or_renewed",
        )
        deleted += 1
    return deleted


@transaction.atomic
def revoke_items(result_id: int) -> int:
    """Every item of a revoked result is revoked: never reminded; untouched drafts prepared
    for it are discarded. Returns how many items changed."""
    changed = (
        DueItem.objects.filter(result_id=result_id)
        .exclude(state=DueItem.State.REVOKED)
        .update(state=DueItem.State.REVOKED)
    )
    discard_stale_prepared(DueItem.objects.filter(result_id=result_id).values_list("pk", flat=True))
    return changed


BATCH = 500


def index_results(results) -> tuple[int, int]:
    """Index every result of the queryset `results` again (in batches by pk, idempotent; the
    form-date rules read once a batch). Returns how many results were read and how many due
    items they have."""
    results = results.select_related("dossier__procedure")
    done = written = after = 0
    while batch := list(results.filter(pk__gt=after).order_by("pk")[:BATCH]):
        rules = form_date_rules({result.dossier.procedure.code for result in batch})
        for result in batch:
            written += len(index_result(result, rules))
        done += len(batch)
        after = batch[-1].pk
    return done, written


def index_procedure(code: str) -> int:
    """Index every result of procedure `code` again: what a form-date rule added or switched
    on reads in the forms of results issued before it. Returns how many results were read."""
    return index_results(ResultDocument.objects.filter(dossier__procedure__code=code))[0]
