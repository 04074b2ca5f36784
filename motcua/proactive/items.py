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

from datetime import date, datetime

from django.db import transaction
from django.db.models import Q

from motcua.documents.context import parse_moment
from motcua.proactive.models import Due, DueItem, ReminderRule
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


def _form_date_items(result: ResultDocument, procedure_code: str, form_data: dict) -> list[dict]:
    items = []
    rules = ReminderRule.objects.filter(
        procedure_code=procedure_code, due=Due.FORM_DATE, is_active=True
    )
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


def items_of(result: ResultDocument) -> list[dict]:
    """The due items `result` gives, as field dicts (nothing written)."""
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
    return items + _form_date_items(result, dossier.procedure.code, form_data)


def _same_thing(item: DueItem) -> Q:
    """Items of the holder about the same thing: the same plate (whatever procedure issued
    it), or, for a whole result or a form element without a plate, the same procedure."""
    same = Q(holder_id=item.holder_id, due=item.due, date_field=item.date_field)
    same &= Q(subject=item.subject)
    if item.subject == "" or item.subject.startswith("#"):
        same &= Q(procedure_code=item.procedure_code)
    return same


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
def index_result(result: ResultDocument) -> list[DueItem]:
    """Write the due items of `result` (once: a second call finds them) and mark what it
    renews. Items of a revoked result are written revoked. Returns the result's items."""
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
        for fields in items_of(result)
    ]
    DueItem.objects.bulk_create(rows, ignore_conflicts=True)
    items = list(DueItem.objects.filter(result=result).order_by("due_on", "pk"))
    if revoked:
        return items
    subjects = {item.subject for item in items}
    for item in items:
        if item.state != DueItem.State.ACTIVE:
            continue
        # What this one replaces: earlier dates of the same thing, from other results.
        DueItem.objects.active().filter(_same_thing(item), due_on__lt=item.due_on).exclude(
            result=result
        ).update(state=DueItem.State.RENEWED, renewed_by=result)
        # Indexed out of order (the command): a later result already replaced this one.
        later = (
            DueItem.objects.filter(_same_thing(item), due_on__gt=item.due_on)
            .exclude(result=result)
            .exclude(state=DueItem.State.REVOKED)
            .order_by("due_on")
            .values_list("result_id", flat=True)
            .first()
        )
        if later is not None:
            DueItem.objects.filter(pk=item.pk, state=DueItem.State.ACTIVE).update(
                state=DueItem.State.RENEWED, renewed_by_id=later
            )
    earlier = _prepared_from_results(result)
    if earlier:
        # The prepared renewal replaces what it renewed, whatever the new dates are; a badge
        # of the earlier result for a vehicle not in the renewal stays reminded.
        DueItem.objects.active().filter(result_id__in=earlier).filter(
            Q(subject="") | Q(subject__in=subjects)
        ).update(state=DueItem.State.RENEWED, renewed_by=result)
    return list(DueItem.objects.filter(result=result).order_by("due_on", "pk"))


def revoke_items(result_id: int) -> int:
    """Every item of a revoked result is revoked: never reminded. Returns how many changed."""
    return (
        DueItem.objects.filter(result_id=result_id)
        .exclude(state=DueItem.State.REVOKED)
        .update(state=DueItem.State.REVOKED)
    )
