"""The proactive level each procedure is offered at (issue 17, decision 0086): what the
statistics count for "the share of procedures offered at each proactive level"
(reports.proactive makes the shares).

A procedure is offered proactively when an active ReminderRule offers it (its offer_code):
level 1 when the rule only reminds, 2 when it also prepares the dossier, 3 when it also
recommends among procedures with the same result, which it can only do when the
recommendation has something to compare: at least two procedures in force taking online
dossiers in the offered one's result_group (recommend.ways_to_result). The best rule wins
when several offer the same procedure. Two queries (the procedure codes, the active rules);
when a rule both prepares and recommends, one more, plus one per such procedure with a
result group (there are few).
"""

from motcua.catalogue.models import Procedure
from motcua.proactive.models import ReminderRule
from motcua.proactive.recommend import ways_to_result

LEVELS = (0, 1, 2, 3)


def _alternatives(codes: set[str]) -> dict[str, bool]:
    """{offered code: whether recommend would compare it with another way to its result}:
    recommend.ways_to_result itself (in force, published, taking online dossiers), from the
    newest version in force of each code (as catalogue.selectors.procedure_in_force gives
    it), so the statistics never claim level 3 where the recommendation has nothing to
    compare. One query, plus one per offered code with a result group."""
    found = dict.fromkeys(codes, False)
    if not codes:
        return found
    offered = (
        Procedure.objects.in_force().filter(code__in=codes).order_by("code", "-effective_from")
    )
    seen = set()
    for procedure in offered:
        if procedure.code in seen:
            continue
        seen.add(procedure.code)
        if procedure.result_group:
            found[procedure.code] = len(ways_to_result(procedure)) >= 2
    return found


def procedure_levels(
    *,
    agency_id: int | None = None,
    sector_id: int | None = None,
    procedure_code: str = "",
    procedure_id: int | None = None,
) -> dict[str, int]:
    """{procedure code: level 0–3} for every procedure code in force and published today;
    with `agency_id`, the procedures that agency handles (as
    reports.indicators.online_services counts them), their alternatives still looked for in
    the whole catalogue; with `sector_id`, `procedure_code` or `procedure_id` (the report's
    filter), those procedures only."""
    procedures = Procedure.objects.in_force()
    if agency_id is not None:
        procedures = procedures.filter(agency_id=agency_id)
    if sector_id is not None:
        procedures = procedures.filter(sector_id=sector_id)
    if procedure_code:
        procedures = procedures.filter(code=procedure_code)
    if procedure_id is not None:
        procedures = procedures.filter(pk=procedure_id)
    codes = procedures.order_by("code").values_list("code", flat=True).distinct()
    levels = dict.fromkeys(codes, 0)
    # The active rules are few: read them all rather than send the codes back.
    rules = [
        (offer, prepare, recommend)
        for offer, prepare, recommend in ReminderRule.objects.filter(is_active=True).values_list(
            "offer_code", "prepare", "recommend"
        )
        if offer in levels
    ]
    compared = _alternatives(
        {offer for offer, prepare, recommend in rules if prepare and recommend}
    )
    for offer, prepare, recommend in rules:
        level = 1
        if prepare:
            level = 2
            if recommend and compared[offer]:
                level = 3
        levels[offer] = max(levels[offer], level)
    return levels
