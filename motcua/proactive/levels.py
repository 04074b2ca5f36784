"""The proactive level each procedure is offered at (issue 17, decision 0086): what the
statistics report as "the share of procedures offered at each proactive level".

A procedure is offered proactively when an active ReminderRule offers it (its offer_code):
level 1 when the rule only reminds, 2 when it also prepares the dossier, 3 when it also
recommends among procedures with the same result, which it can only do when the catalogue
has at least two procedures in force in the offered one's result_group. The best rule wins
when several offer the same procedure. Two queries, whatever the size of the catalogue.
"""

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.proactive.models import ReminderRule

LEVELS = (0, 1, 2, 3)


def procedure_levels(*, on: date | None = None, agency_id: int | None = None) -> dict[str, int]:
    """{procedure code: level 0–3} for every procedure code in force and published on `on`
    (today by default); with `agency_id`, the procedures that agency handles (as
    reports.indicators.online_services counts them), their alternatives still looked for in
    the whole catalogue."""
    day = on or timezone.localdate()
    groups: dict[str, str] = {}
    own: set[str] = set()
    rows = Procedure.objects.in_force(on=day).values_list("code", "result_group", "agency_id")
    for code, group, agency in rows:
        # Several versions in force on one day is unusual; any version's group counts.
        groups[code] = groups.get(code) or group
        if agency_id is None or agency == agency_id:
            own.add(code)
    members = Counter(group for group in groups.values() if group)
    levels = dict.fromkeys(sorted(own), 0)
    rules = ReminderRule.objects.filter(is_active=True, offer_code__in=list(levels))
    for offer, prepare, recommend in rules.values_list("offer_code", "prepare", "recommend"):
        level = 1
        if prepare:
            level = 2
            if recommend and members[groups[offer]] >= 2:
                level = 3
        levels[offer] = max(levels[offer], level)
    return levels


def level_shares(
    *, on: date | None = None, agency_id: int | None = None, levels: dict[str, int] | None = None
) -> list[dict]:
    """[{"level", "procedures", "share"}] for levels 0 to 3: how many procedures in force are
    offered at each level, and their share (%, one decimal; None when there are none)."""
    if levels is None:
        levels = procedure_levels(on=on, agency_id=agency_id)
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
