"""The proactive level each procedure is offered at (issue 17, decision 0086): what the
statistics report as "the share of procedures offered at each proactive level".

A procedure is offered proactively when an active ReminderRule offers it (its offer_code):
level 1 when the rule only reminds, 2 when it also prepares the dossier, 3 when it also
recommends among procedures with the same result, which it can only do when the
recommendation has something to compare: at least two procedures in force taking online
dossiers in the offered one's result_group (recommend.ways_to_result). The best rule wins
when several offer the same procedure. Two queries, plus two per procedure offered at level
3 (there are few).
"""

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.proactive.models import ReminderRule
from motcua.proactive.recommend import ways_to_result

LEVELS = (0, 1, 2, 3)


def _alternatives(codes: set[str]) -> dict[str, bool]:
    """{offered code: whether recommend would compare it with another way to its result}:
    recommend.ways_to_result itself (in force, published, taking online dossiers), so the
    statistics never claim level 3 where the recommendation has nothing to compare. One
    query, plus one per offered code with a result group."""
    found = dict.fromkeys(codes, False)
    if not codes:
        return found
    offered = (
        Procedure.objects.in_force().filter(code__in=codes).order_by("code", "-effective_from")
    )
    for procedure in offered:
        if not found[procedure.code] and procedure.result_group:
            found[procedure.code] = len(ways_to_result(procedure)) >= 2
    return found


def procedure_levels(
    *,
    on: date | None = None,
    agency_id: int | None = None,
    sector_id: int | None = None,
    procedure_code: str = "",
    procedure_id: int | None = None,
) -> dict[str, int]:
    """{procedure code: level 0–3} for every procedure code in force and published on `on`
    (today by default); with `agency_id`, the procedures that agency handles (as
    reports.indicators.online_services counts them), their alternatives still looked for in
    the whole catalogue; with `sector_id`, `procedure_code` or `procedure_id` (the report's
    filter), those procedures only."""
    day = on or timezone.localdate()
    own: set[str] = set()
    rows = Procedure.objects.in_force(on=day).values_list("pk", "code", "agency_id", "sector_id")
    for pk, code, agency, sector in rows:
        if (
            (agency_id is None or agency == agency_id)
            and (sector_id is None or sector == sector_id)
            and (not procedure_code or code == procedure_code)
            and (procedure_id is None or pk == procedure_id)
        ):
            own.add(code)
    levels = dict.fromkeys(sorted(own), 0)
    rules = list(
        ReminderRule.objects.filter(is_active=True, offer_code__in=list(levels)).values_list(
            "offer_code", "prepare", "recommend"
        )
    )
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


def level_shares(
    *, on: date | None = None, levels: dict[str, int] | None = None, **scope
) -> list[dict]:
    """[{"level", "procedures", "share"}] for levels 0 to 3: how many procedures in force are
    offered at each level, and their share (%, one decimal; None when there are none).
    `scope`: procedure_levels' agency_id, sector_id, procedure_code, procedure_id."""
    if levels is None:
        levels = procedure_levels(on=on, **scope)
    counts = Counter(levels.values())
    total = len(levels)
    return [
        {
            "level": level,
            "procedures": counts[level],
            "share": (
                (Decimal(100) * counts[level] / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if total
                else None
            ),
        }
        for level in LEVELS
    ]
