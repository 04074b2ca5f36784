"""Level 3 (issue 17, decision 0085): where the catalogue has several ways to the same result
(procedures sharing a result_group: a re-issue and a new issue), compare them from the
catalogue's own data and recommend one; the person keeps the choice.

For each way: the fee for this form (the procedure's fee schedule, catalogue.fees), the time
limit (processing_time and its unit), and how many documents the person would still have to
give: the components required for this form minus those the agency holds for them (a
component that takes the earlier result, one obtained from a register for keys the form
holds). The rule: the cheapest, then the fastest, then the fewest documents; on a tie, the
procedure the rule offers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motcua.catalogue.models import Component, Procedure
from motcua.core.money import format_vnd
from motcua.dossiers import once_only
from motcua.dossiers.services import required_components
from motcua.payments.charges import quote_for_dossier

# Calendar days counted as working days when two ways' time limits are in different units.
WORKING_DAYS_PER_WEEK = 5


@dataclass
class Way:
    """One procedure leading to the result, as it would go for this person and this form."""

    procedure: Procedure
    fee_vnd: int | None  # None: not published, or not computable from the form
    days: int | None
    unit: str
    documents: int  # what the person still has to give
    required: int  # what the procedure asks for this form, held or not
    offered: bool = False
    criterion: str = ""  # what decided, for the recommended one (CRITERIA)

    @property
    def working_days(self) -> float:
        if self.days is None:
            return math.inf
        if self.unit == Procedure.TimeUnit.DAYS:
            return self.days * WORKING_DAYS_PER_WEEK / 7
        return float(self.days)

    def sort_key(self) -> tuple:
        fee = math.inf if self.fee_vnd is None else self.fee_vnd
        return (fee, self.working_days, self.documents, not self.offered, self.procedure.code)

    def as_dict(self) -> dict:
        return {
            "code": self.procedure.code,
            "name": self.procedure.name,
            "fee_vnd": self.fee_vnd,
            "days": self.days,
            "unit": self.unit,
            "documents": self.documents,
            "required": self.required,
        }


@dataclass
class Recommendation:
    recommended: Way
    ways: list[Way] = field(default_factory=list)  # all of them, the recommended first

    def as_dict(self) -> dict:
        return {
            "recommended": self.recommended.procedure.code,
            "criterion": self.recommended.criterion,
            "alternatives": [w.as_dict() for w in self.ways],
        }


def ways_to_result(offered: Procedure) -> list[Procedure]:
    """The offered procedure and the others in force, published and taking online dossiers
    with the same non-empty result group (each code once, its version in force)."""
    found = [offered]
    if not offered.result_group:
        return found
    others = (
        Procedure.objects.in_force()
        .filter(result_group=offered.result_group)
        .exclude(code=offered.code)
        .select_related("receiving_agency")
        .order_by("code", "-effective_from")
    )
    seen = {offered.code}
    for procedure in others:
        if procedure.code in seen or not procedure.accepts_online:
            continue
        seen.add(procedure.code)
        found.append(procedure)
    return found


def held_by_agency(component: Component, draft, result_code: str | None) -> bool:
    """Whether the agency holds this component for the person (`draft`: the procedure and the
    form's answers): it takes the earlier result, or a switched-on register gives it for the
    keys the form holds (as once_only obtains it)."""
    if result_code and component.accepts_result_of(result_code):
        return True
    return bool(once_only.obtainable([component]) and once_only.keys_in(draft, component))


def way(procedure: Procedure, data: dict, *, result_code: str | None, offered: bool) -> Way:
    draft = SimpleNamespace(procedure=procedure, form_data=data)
    required = required_components(draft, list(procedure.components.all()))
    to_give = [c for c in required if not held_by_agency(c, draft, result_code)]
    quote = quote_for_dossier(draft)
    return Way(
        procedure=procedure,
        fee_vnd=quote.amount if quote.complete else None,
        days=procedure.processing_time,
        unit=procedure.processing_time_unit,
        documents=len(to_give),
        required=len(required),
        offered=offered,
    )


def reasons_text(way: dict) -> str:
    """ "Không mất phí, 2 ngày làm việc, 1 giấy tờ phải nộp (thay vì 3)", in the language of
    the page, from the figures stored with the draft (Way.as_dict)."""
    fee_vnd, days, unit = way.get("fee_vnd"), way.get("days"), way.get("unit")
    documents, required = way.get("documents") or 0, way.get("required") or 0
    if fee_vnd is None:
        fee = _("chưa tính được phí, lệ phí")
    elif fee_vnd == 0:
        fee = _("Không mất phí")
    else:
        fee = _("Phí, lệ phí %(amount)s đồng") % {"amount": format_vnd(fee_vnd)}
    if days is None:
        time = _("chưa công bố thời hạn giải quyết")
    else:
        label = dict(Procedure.TimeUnit.choices).get(unit) if unit else None
        time = f"{days} {label or _('ngày làm việc')}"
    if documents == 0:
        given = _("không phải nộp giấy tờ nào")
    else:
        given = ngettext("%(n)s giấy tờ phải nộp", "%(n)s giấy tờ phải nộp", documents) % {
            "n": documents
        }
    if required > documents:
        given += " " + _("(thay vì %(n)s)") % {"n": required}
    return f"{fee}, {time}, {given}"


# What decided the recommendation, in the order of the rule (stored as the key).
CRITERIA = {
    "fee": gettext_lazy("Chi phí thấp nhất."),
    "time": gettext_lazy("Chi phí thấp nhất, thời gian giải quyết ngắn nhất."),
    "documents": gettext_lazy("Chi phí và thời gian như nhau, ít giấy tờ phải nộp nhất."),
    "tie": gettext_lazy(
        "Các phương án tương đương; đây là thủ tục được đề nghị cho trường hợp này."
    ),
}


def why_text(proactive: dict) -> str:
    """Why the recommended procedure was recommended, in the language of the page."""
    criterion = proactive.get("criterion")
    return str(CRITERIA[criterion]) if criterion in CRITERIA else ""


def _criterion(best: Way, others: list[Way]) -> str:
    """Which criterion decided, in the order of the rule."""
    if not others:
        return ""
    fee = best.sort_key()[0]
    tied = [o for o in others if o.sort_key()[0] == fee]
    if not tied:
        return "fee"
    if all(best.working_days < o.working_days for o in tied):
        return "time"
    tied = [o for o in tied if o.working_days == best.working_days]
    if all(best.documents < o.documents for o in tied):
        return "documents"
    return "tie"


def recommend(*, offered: Procedure, data_for, result_code: str | None) -> Recommendation | None:
    """Compare the ways to the offered procedure's result; None when there is only one.
    `data_for(procedure)` gives the form's answers as that procedure's form would hold them."""
    procedures = ways_to_result(offered)
    if len(procedures) < 2:
        return None
    ways = [
        way(p, data_for(p), result_code=result_code, offered=p.pk == offered.pk) for p in procedures
    ]
    ways.sort(key=Way.sort_key)
    best = ways[0]
    best.criterion = _criterion(best, ways[1:])
    return Recommendation(recommended=best, ways=ways)
