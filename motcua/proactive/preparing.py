"""Level 2: the dossier prepared by the agency from the earlier dossier and result, refreshed
from the registers (issue 17, decision 0085).

For a reminder: the earlier result of its items and that result's dossier give the answers;
they are kept where the offered procedure's form has the field, the lists narrowed to the
things that fall due (the vehicles whose badges do), the request marked a re-issue for expiry
where the form has such answers. The draft is made for the applicant of record (started by
no one: the agency) through dossiers.services.dossier_prepare, then refreshed from the
registers (once_only.fill_from_registers: each refreshed value keeps its source) and given
the components the agency holds: the earlier result (results.reuse) and those a register
gives (once_only.obtain_components). A register that cannot be reached leaves the earlier
answers and says so. Nothing here submits anything: the person confirms and submits.
"""

from __future__ import annotations

import copy
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts import representation
from motcua.catalogue.models import Procedure
from motcua.catalogue.selectors import procedure_in_force
from motcua.core import ratelimit
from motcua.core.audit import record_audit
from motcua.dossiers import once_only
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, Status
from motcua.proactive import recommend
from motcua.proactive.models import DueItem, Reminder, ReminderItem
from motcua.results.models import ResultDocument
from motcua.results.reuse import ReuseRefused, reuse_result
from motcua.signing.models import Revocation

logger = logging.getLogger(__name__)

# The prepared draft's uuid is derived from the reminder's: a second run finds it.
NAMESPACE = uuid.UUID("5f0c1f9e-3a52-4d0e-9b7a-6d1c2e7f8a90")
# A draft started from a reminder's link has a uuid derived from the reminder's: a double
# click or a second visit finds the same draft.
FOLLOW_NAMESPACE = uuid.UUID("0b7d3c1a-8e44-4f6b-a2d9-3c5e1f7a9b20")

# The key a list's items are matched on against a due item's subject (a badge's plate).
SUBJECT_KEY = "plate"


@dataclass
class Earlier:
    """What the agency already holds for one reminder."""

    result: ResultDocument
    dossier: Dossier
    subjects: list[str]  # what falls due within it ("" items: the whole result)
    other_dossiers: list[Dossier]  # further results of the same reminder


def prepared_token(reminder: Reminder) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, str(reminder.uuid))


def followed_token(reminder: Reminder) -> uuid.UUID:
    return uuid.uuid5(FOLLOW_NAMESPACE, str(reminder.uuid))


def _finished(dossier: Dossier) -> bool:
    return dossier.prepared_at is not None and "fields_prefilled" in (dossier.proactive or {})


def prepared_for(reminder: Reminder) -> Dossier | None:
    """The draft prepared for `reminder`, finished, if there is one (any status): the one the
    reminder points at (prepared again under the procedure the person chose), else the one
    of its derived uuid. Looked up by primary key and uuid (both indexed)."""
    if reminder.dossier_id is not None:
        pointed = Dossier.objects.filter(pk=reminder.dossier_id).first()
        if pointed is not None and _finished(pointed):
            return pointed
    own = Dossier.objects.filter(uuid=prepared_token(reminder)).first()
    return own if own is not None and _finished(own) else None


def _covering_before(reminder: Reminder) -> list[Reminder]:
    """The holder's earlier reminders whose items include every item of `reminder` (the
    30-day one, when this is the 10-day one of the same things), the latest first. An
    earlier reminder of only some of them does not cover it: its draft lacks the others."""
    mine = set(ReminderItem.objects.filter(reminder=reminder).values_list("item_id", flat=True))
    if not mine:
        return []
    earlier = list(
        Reminder.objects.filter(
            holder_id=reminder.holder_id, pk__lt=reminder.pk, items__item_id__in=mine
        )
        .distinct()
        .order_by("-pk")
    )
    theirs: dict[int, set[int]] = {}
    for reminder_id, item_id in ReminderItem.objects.filter(
        reminder_id__in=[r.pk for r in earlier]
    ).values_list("reminder_id", "item_id"):
        theirs.setdefault(reminder_id, set()).add(item_id)
    return [r for r in earlier if mine <= theirs.get(r.pk, set())]


def _dossiers_of(reminders: list[Reminder]):
    """The dossiers of `reminders`: the ones they point at, their prepared drafts and the
    drafts started from their links (by primary key and uuid, both indexed)."""
    ids = [r.dossier_id for r in reminders if r.dossier_id]
    tokens = [t for r in reminders for t in (prepared_token(r), followed_token(r))]
    return Dossier.objects.filter(Q(pk__in=ids) | Q(uuid__in=tokens)).order_by("-pk")


def open_draft_before(reminder: Reminder) -> Dossier | None:
    """A draft still open from an earlier reminder of the same things (the 30-day one, when
    this is the 10-day one): prepared by the agency or started from that reminder's link.
    One renewal, one draft: the later reminder links to it. Only a reminder covering all of
    this one's items counts: a draft made for fewer things would let the others lapse."""
    covering = _covering_before(reminder)
    if not covering:
        return None
    drafts = _dossiers_of(covering).filter(applicant_id=reminder.holder_id, status=Status.DRAFT)
    for draft in drafts:
        if draft.prepared_at is None or _finished(draft):
            return draft
    return None


def submitted_before(reminder: Reminder) -> Dossier | None:
    """The renewal the person already submitted from an earlier reminder of the same things
    and still being handled: a later reminder prepares and tells nothing (a second
    application would duplicate it)."""
    covering = _covering_before(reminder)
    if not covering:
        return None
    for dossier in _dossiers_of(covering).filter(applicant_id=reminder.holder_id):
        if dossier.is_open:
            return dossier
    return None


def prepare(reminder: Reminder) -> Dossier | None:
    """The draft prepared for `reminder` (made once: a second call returns the same one), or
    None when the rule prepares nothing or the offered procedure takes no online dossier. A
    draft still open from an earlier reminder of the same things is that one (kept at least
    as long as a new one would be)."""
    found = prepared_for(reminder)
    if found is not None:
        return found
    if reminder.ready_at is not None:  # told already: whatever was made (or discarded) stands
        return reminder.dossier
    still_open = open_draft_before(reminder)
    if still_open is not None:
        if still_open.prepared_at is not None:
            dossier_services.dossier_prepared_keep(
                dossier=still_open,
                until=timezone.now() + timedelta(days=settings.PROACTIVE_DRAFT_DAYS),
            )
        return still_open
    earlier = earlier_of(reminder)
    if earlier is None:
        return None
    offered = procedure_in_force(reminder.rule.offer_code)
    if offered is None or not offered.accepts_online:
        return None
    base = base_answers(earlier)
    choice = None
    if reminder.rule.recommend:
        choice = recommend.recommend(
            offered=offered,
            data_for=lambda p: answers_for(p, base),
            result_code=earlier.dossier.procedure.code,
        )
    procedure = choice.recommended.procedure if choice else offered
    return build(
        reminder=reminder,
        earlier=earlier,
        procedure=procedure,
        base=base,
        choice=choice,
        token=prepared_token(reminder),
    )


def drop_unfinished(reminder: Reminder) -> None:
    """Delete the reminder's own prepared draft if its preparation broke off half-way (it
    has no `fields_prefilled`): the person is then reminded without one."""
    draft = Dossier.objects.filter(uuid=prepared_token(reminder), status=Status.DRAFT).first()
    if draft is not None and not _finished(draft):
        dossier_services.delete_draft(draft)


@dataclass
class Switched:
    """The draft prepared again under the procedure the person chose, and what of theirs did
    not go with it."""

    dossier: Dossier
    files_dropped: int = 0  # files they had uploaded
    answers_dropped: int = 0  # answers the chosen procedure's form has no field for


def prepare_instead(*, dossier: Dossier, code: str, person) -> Switched:
    """The person chose another way to the result (level 3): the draft prepared again under
    procedure `code` from the same reminder and the answers the draft holds now, the old
    draft deleted. The same choice twice (a double click) gives the same draft. Raises
    ValidationError when that cannot be done."""
    proactive = dossier.proactive or {}
    codes = [a.get("code") for a in proactive.get("alternatives", [])]
    if not dossier.is_draft or code not in codes or code == dossier.procedure.code:
        raise ValidationError(_("Không chuyển được sang thủ tục đã chọn."))
    if (
        person.pk != dossier.applicant_id
        and representation.standing(person, dossier.applicant_id, procedure_code=code, act=True)
        is None
    ):
        raise ValidationError(
            _("Quý vị không được thay mặt người nộp hồ sơ thực hiện thủ tục đã chọn.")
        )
    reminder = Reminder.objects.select_related("rule", "holder").get(uuid=proactive.get("reminder"))
    earlier = earlier_of(reminder)
    procedure = procedure_in_force(code)
    if earlier is None or procedure is None or not procedure.accepts_online:
        raise ValidationError(_("Thủ tục đã chọn hiện không nhận hồ sơ trực tuyến."))
    offered = procedure_in_force(reminder.rule.offer_code) or dossier.procedure
    base = copy.deepcopy(dossier.form_data or {})
    choice = recommend.recommend(
        offered=offered,
        data_for=lambda p: answers_for(p, base),
        result_code=earlier.dossier.procedure.code,
    )
    files = dossier.attachments.exclude(reused_result_id=earlier.result.pk).count()
    answers = count_answers(base) - count_answers(fit(base, procedure.form_schema or {}) or {})
    new = build(
        reminder=reminder,
        earlier=earlier,
        procedure=procedure,
        base=base,
        choice=choice,
        token=uuid.uuid5(NAMESPACE, f"{dossier.uuid}:{code}"),
        previous=dossier,
    )
    if new is None:
        raise ValidationError(_("Không chuẩn bị được hồ sơ theo thủ tục đã chọn."))
    with transaction.atomic():
        old = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        if old is None:
            # A parallel click made the same switch, or the old draft expired meanwhile:
            # the reminder, unlinked by the deletion, links to the new draft.
            Reminder.objects.filter(pk=reminder.pk, dossier__isnull=True).update(dossier=new)
            return Switched(new, files, max(answers, 0))
        submitted = not old.is_draft
        if not submitted:
            # Every reminder linking to the old draft (a later one of the same things too)
            # now links to the new one: before the deletion, which would unlink them.
            Reminder.objects.filter(Q(pk=reminder.pk) | Q(dossier_id=dossier.pk)).update(
                dossier=new
            )
            dossier_services.dossier_discard(dossier=dossier, applicant=person)
            record_audit(
                action="proactive.switch",
                actor=person,
                target=f"dossier:{new.pk}",
                reminder=str(reminder.uuid),
                from_code=dossier.procedure.code,
                to_code=code,
            )
    if submitted:  # submitted in the meantime: the new draft is not wanted
        stray = Dossier.objects.filter(pk=new.pk, status=Status.DRAFT).first()
        if stray is not None:
            dossier_services.delete_draft(stray)
        raise ValidationError(_("Hồ sơ đã nộp, không sửa được nữa."))
    return Switched(new, files, max(answers, 0))


# --- What the agency holds ------------------------------------------------------------------


def earlier_of(reminder: Reminder) -> Earlier | None:
    """The earlier result and dossier of the reminder's items still falling due (not revoked,
    not renewed): the earliest due first; None when nothing is left."""
    rows = list(
        ReminderItem.objects.filter(reminder=reminder, item__state=DueItem.State.ACTIVE)
        .select_related("item__result__dossier__procedure", "item__result__agency")
        .order_by("due_on", "id")
    )
    # Revoked results too, should the due item not have heard of it yet.
    revoked = set(
        Revocation.objects.filter(
            document__result_id__in={row.item.result_id for row in rows}
        ).values_list("document__result_id", flat=True)
    )
    rows = [row for row in rows if row.item.result_id not in revoked]
    if not rows:
        return None
    first = rows[0].item.result
    others = []
    for row in rows[1:]:
        dossier = row.item.result.dossier
        if row.item.result_id != first.pk and dossier not in others:
            others.append(dossier)
    subjects = []
    for row in rows:
        if row.item.subject and row.item.subject not in subjects:
            subjects.append(row.item.subject)
    return Earlier(result=first, dossier=first.dossier, subjects=subjects, other_dossiers=others)


def base_answers(earlier: Earlier) -> dict:
    """The earlier dossier's answers, its lists narrowed to the items that fall due (the
    vehicles whose badges do), those of the reminder's other results added."""
    data = copy.deepcopy(earlier.dossier.form_data or {})
    if not earlier.subjects:
        return data
    wanted = set(earlier.subjects)
    for key, value in list(data.items()):
        if not _keyed_list(value):
            continue
        rows = [row for row in value if row.get(SUBJECT_KEY) in wanted]
        seen = {row.get(SUBJECT_KEY) for row in rows}
        for other in earlier.other_dossiers:
            for row in (other.form_data or {}).get(key) or []:
                if isinstance(row, dict) and row.get(SUBJECT_KEY) in wanted - seen:
                    rows.append(copy.deepcopy(row))
                    seen.add(row.get(SUBJECT_KEY))
        if rows:
            data[key] = rows
    return data


def _keyed_list(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, dict) for row in value)
        and any(SUBJECT_KEY in row for row in value)
    )


def fit(data, schema: dict):
    """`data` with only what `schema` has a field for (a property of an object; the items of
    an array); values of a field without a sub-schema are kept as they are."""
    kind = schema.get("type")
    if kind == "object" or (kind is None and "properties" in schema):
        if not isinstance(data, dict):
            return None
        properties = schema.get("properties")
        if properties is None:
            return copy.deepcopy(data)
        out = {}
        for name, sub in properties.items():
            if name in data:
                value = fit(data[name], sub)
                if value is not None:
                    out[name] = value
        return out
    if kind == "array":
        if not isinstance(data, list):
            return None
        items = schema.get("items") or {}
        fitted = [fit(row, items) for row in data]
        return [row for row in fitted if row is not None]
    if isinstance(data, (dict, list)):
        return None
    return data


def answers_for(procedure: Procedure, base: dict) -> dict:
    """The answers as `procedure`'s form holds them: fitted to its schema; where its form has
    the demo badge form's request answers, a re-issue for expiry of as many badges as there
    are vehicles (decision 0085)."""
    schema = procedure.form_schema or {}
    data = fit(base, schema) or {}
    request_schema = (schema.get("properties") or {}).get("request") or {}
    fields = request_schema.get("properties") or {}
    if not fields:
        return data
    request = data.setdefault("request", {})
    if "reissue" in (fields.get("kind") or {}).get("enum", []):
        request["kind"] = "reissue"
        if "expired" in (fields.get("reissue_reason") or {}).get("enum", []):
            request["reissue_reason"] = "expired"
    elif "new" in (fields.get("kind") or {}).get("enum", []):
        request["kind"] = "new"
        request.pop("reissue_reason", None)
    vehicles = data.get("vehicles")
    if "badges_requested" in fields and isinstance(vehicles, list) and vehicles:
        request["badges_requested"] = len(vehicles)
    return data


def count_answers(data) -> int:
    """Answers given (leaf values that are not empty): what the person did not have to type."""
    if isinstance(data, dict):
        return sum(count_answers(v) for v in data.values())
    if isinstance(data, list) and data and all(isinstance(v, (dict, list)) for v in data):
        return sum(count_answers(v) for v in data)
    return 0 if data in (None, "", [], {}) else 1


# --- Making the draft -----------------------------------------------------------------------


def build(
    *,
    reminder: Reminder,
    earlier: Earlier,
    procedure: Procedure,
    base: dict,
    choice: recommend.Recommendation | None,
    token: uuid.UUID,
    previous: Dossier | None = None,
) -> Dossier | None:
    """The draft made (or found again by `token`) and filled. `previous`: the prepared draft
    the person switched from (level 3): what MotCua recommended stays on record, their
    corrections of register values stay, and the new draft counts as changed by them. What
    is stored for the page is in Vietnamese whoever's request this is (register messages)."""
    with translation.override("vi"):
        return _build(
            reminder=reminder,
            earlier=earlier,
            procedure=procedure,
            base=base,
            choice=choice,
            token=token,
            previous=previous,
        )


def _build(*, reminder, earlier, procedure, base, choice, token, previous) -> Dossier | None:
    holder = reminder.holder
    data = answers_for(procedure, base)
    level = 3 if choice is not None else 2
    proactive = {
        "reminder": str(reminder.uuid),
        "rule_id": reminder.rule_id,
        "result_id": earlier.result.pk,
        "result_number": earlier.result.number,
        "earlier_code": earlier.dossier.code or "",
        "subjects": earlier.subjects,
    }
    if choice is not None:
        proactive.update(choice.as_dict())
    if previous is not None:
        before = previous.proactive or {}
        for key in ("recommended", "criterion"):  # what was recommended at first
            if key in before:
                proactive[key] = before[key]
        proactive["chosen_by_person"] = True
    try:
        dossier = dossier_services.dossier_prepare(
            procedure=procedure,
            applicant=holder,
            form_data=data,
            prepared_from=earlier.dossier,
            proactive=proactive,
            level=level,
            expires_at=timezone.now() + timedelta(days=settings.PROACTIVE_DRAFT_DAYS),
            token=token,
            prefill_sources=(previous.prefill_sources or {}) if previous is not None else None,
            replacing=previous,
        )
    except ValidationError as exc:  # past the account's quotas; the form takes no dossier
        logger.info("Reminder %s: no prepared draft (%s)", reminder.pk, exc.messages[0])
        return None
    if not dossier.is_draft or _finished(dossier):
        return dossier  # found again (a rerun, a double click): left alone
    # Made now, or found again after a run that broke off part-way (a crash): finished now.
    # The agency's own changes keep it untouched (dossier_preparing), so a draft changed
    # since was changed by the person: their answers are not refreshed over, and it is theirs.
    theirs = not dossier.is_untouched_prepared
    problems: list[str] = []
    refreshed: list[str] = []
    if not theirs:
        try:
            outcome = once_only.fill_from_registers(dossier=dossier, user=holder)
        except (ValidationError, ratelimit.Unavailable):
            problems.append(_("Chưa cập nhật được thông tin từ cơ sở dữ liệu."))
        else:
            refreshed, problems = list(outcome.filled), list(outcome.problems)
        dossier_services.dossier_preparing(dossier=dossier)
    held = _attach_result(dossier, earlier.result, holder, problems)
    if not theirs:
        dossier_services.dossier_preparing(dossier=dossier)
    held |= _obtain(dossier, holder, problems)
    dossier.refresh_from_db()
    dossier_services.dossier_prepared(
        dossier=dossier,
        proactive={
            "fields_prefilled": count_answers(dossier.form_data),
            "components_held": len(held),
            "held": sorted(held),
            "refreshed": refreshed,
            "refresh_problems": problems,
        },
        changed=previous is not None or theirs,
    )
    record_audit(
        action="proactive.prepare",
        target=f"dossier:{dossier.pk}",
        reminder=str(reminder.uuid),
        rule_id=reminder.rule_id,
        result_id=earlier.result.pk,
        procedure=procedure.code,
    )
    return dossier


def _attach_result(dossier: Dossier, result: ResultDocument, holder, problems) -> set[str]:
    """The earlier result attached where a component takes it: the agency holds it."""
    held = set()
    code = result.dossier.procedure.code
    for component in dossier.procedure.components.all():
        if not component.accepts_result_of(code):
            continue
        if dossier.attachments.filter(component=component, reused_result_id=result.pk).exists():
            held.add(component.name)  # a rerun: attached the first time
            continue
        try:
            reuse_result(
                dossier=dossier, component=component, result_id=result.pk, applicant=holder
            )
        except (ReuseRefused, ResultDocument.DoesNotExist) as exc:
            problems.append(getattr(exc, "message", "") or _("Chưa đính kèm được kết quả cũ."))
        else:
            held.add(component.name)
    return held


def _obtain(dossier: Dossier, holder, problems) -> set[str]:
    """The components a register gives for the keys the answers hold."""
    components = list(dossier.procedure.components.all())
    try:
        states = once_only.obtain_components(
            dossier=dossier, user=holder, components=components, by_agency=True
        )
    except ratelimit.Unavailable:
        return set()
    held = set()
    for state in states.values():
        if state.obtained:
            held.add(state.component.name)
        elif state.problem and state.problem not in problems:
            problems.append(state.problem)
    return held


def discard_prepared(*, dossier: Dossier, person, request=None) -> None:
    """The person does not want the prepared draft: deleted in one step."""
    if not dossier.is_draft or dossier.prepared_at is None:
        raise ValidationError(_("Chỉ hủy được hồ sơ do cơ quan chuẩn bị sẵn, chưa nộp."))
    with transaction.atomic():
        pk, reminder = dossier.pk, (dossier.proactive or {}).get("reminder", "")
        dossier_services.dossier_discard(dossier=dossier, applicant=person)
        record_audit(
            action="proactive.discard",
            actor=person,
            target=f"dossier:{pk}",
            request=request,
            reminder=reminder,
        )
