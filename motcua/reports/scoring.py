"""Internal scoring per Circular 01/2018 (TT01 art.13–15): decision 0061.

Per resolved dossier (art.14(1)): 1 total time against the legal time, 2 each unit's own
time against its steps' deadlines, 3 contacts needed to complete the dossier, 4 bodies the
applicant had to contact, 6 publicity of the procedure, 7 attitude. Per agency (art.14(2)):
5 one-stop organisation, 8 petitions handled on time, 9 online services. Each is 0, 1 or 2,
or None when there is no information for it: such an indicator is left out of the means and
the totals (art.15(4)(b)).

`score_dossier(dossier_id=...)` recomputes one dossier's rows from its record and timeline
(idempotent; the outbox subscriber `reports.score_dossier` calls it on every change).
`officer_rows` and `unit_rows` aggregate a period in SQL: each indicator's mean over the
dossiers, rounded half up to one decimal (art.15(2)(a)), their total (art.15(2)(b)) and the
band (art.15(3)).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Unit, User
from motcua.catalogue.models import Agency, Procedure
from motcua.core.db import in_id_batches
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.reports import facts as fact_rules
from motcua.reports import indicators as ind
from motcua.reports.models import (
    DossierFact,
    DossierScore,
    OfficerScore,
    PetitionFact,
    UnitScore,
)
from motcua.workdays import services as workdays
from motcua.workflow.models import Task, Workflow

RESOLVED = ind.RESOLVED
# The statuses a resolved dossier can be in (processed, returned, stopped or withdrawn: the
# fact's `ending` tells which, and only processed, returned and stopped are scored).
ENDED = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED})
TIMELINESS_SCORE = {"early": 2, "on_time": 1, "late": 0}
ONE_DECIMAL = Decimal("0.1")

# ---------------------------------------------------------------------------------------
# The per-dossier rules (art.13)


def time_score(timeliness: str) -> int | None:
    """Indicators 1 and 2: shorter than allowed 2, equal 1, longer 0 (early / on time / late
    as the facts classify them); None when the time was not measured."""
    return TIMELINESS_SCORE.get(timeliness)


def contacts_score(supplement_requests: int) -> int:
    """Indicator 3: no contact needed to complete the dossier 2, one 1, more 0."""
    return 2 if supplement_requests == 0 else 1 if supplement_requests == 1 else 0


def bodies_score(bodies: set[int], desk_ids: set[int]) -> int:
    """Indicator 4: no body to contact 2, only the one-stop desk 1, more 0."""
    if not bodies:
        return 2
    return 1 if bodies <= desk_ids and len(bodies) == 1 else 0


def publicity_score(published: bool) -> int:
    """Indicator 6: published electronically in the catalogue 1 (2 needs the posting at the
    desk too, which MotCua does not record), else 0."""
    return 1 if published else 0


def attitude_score(timeliness: str, complained: bool) -> int | None:
    """Indicator 7: a petition about the dossier (not rejected) 0; else early 2, on time 1;
    late without a petition 0 (it meets neither 2 nor 1); None when not measured."""
    if complained:
        return 0
    return TIMELINESS_SCORE.get(timeliness)


# ---------------------------------------------------------------------------------------
# The stays of a dossier at its units (indicator 2) and who acted there


@dataclass
class Stay:
    unit_id: int | None
    start: datetime
    due: datetime | None
    days: Decimal = Decimal(0)  # the step's working days (a supplement restarts them)
    end: datetime | None = None
    officers: set[int] = field(default_factory=set)

    @property
    def score(self) -> int | None:
        if self.end is None or self.due is None or self.unit_id is None:
            return None
        return time_score(fact_rules.classify(ended_at=self.end, due_at=self.due, supplements=0))


def stays(dossier: Dossier, events: list[DossierEvent]) -> tuple[list[Stay], set[int]]:
    """Each step's stay at its unit, from the hand-overs of the timeline (the rows of the
    control sheet, form 05), and the units that asked for a supplement."""
    workflow = dossier.workflow
    if workflow is None or not workflow.steps:
        return [], set()
    units = dict(
        Unit.objects.filter(agency_id=dossier.receiving_agency_id).values_list("code", "pk")
    )
    officers = set(
        User.objects.filter(
            pk__in={e.actor_id for e in events if e.actor_id}, kind=User.Kind.OFFICER
        ).values_list("pk", flat=True)
    )

    def step_of(key):
        return workflow.step(key) if key else None

    first = workflow.steps[0]
    days = Decimal(str(first["days"]))
    start = dossier.submitted_at
    current = Stay(
        units.get(first["unit"]),
        start,
        workdays.add_working_days(start, days) if days > 0 else None,
        days,
    )
    result, askers = [current], set()
    for event in events:
        if current.end is not None:
            break
        if event.actor_id in officers:
            current.officers.add(event.actor_id)
        moved = event.from_status != event.to_status
        if moved and event.to_status == Status.SUPPLEMENT_REQUESTED:
            if current.unit_id is not None:
                askers.add(current.unit_id)
        elif moved and event.from_status == Status.SUPPLEMENT_REQUESTED and current.days > 0:
            # The completed dossier is back: the step's days count again (supplement.py).
            current.due = workdays.add_working_days(event.at, current.days)
        if event.to_unit_name:  # a hand-over: this stay ends, the next step's begins
            current.end = event.at
            step = step_of(event.step_key) or {}
            current = Stay(
                units.get(step.get("unit")),
                event.at,
                event.step_due_at,
                Decimal(str(step.get("days", 0))),
            )
            result.append(current)
        elif moved and event.to_status in (Status.RETURNED, Status.STOPPED):
            current.end = event.at
        elif event.action == "send_by_post":
            current.end = event.at  # the desk's part ends when the result leaves by post
    return result, askers


def task_stays(dossier_id: int) -> list[Stay]:
    """Consulted and joint-handling units (đơn vị phối hợp): their answer against the task's
    deadline; the officer who answered."""
    found = []
    for task in Task.objects.filter(dossier_id=dossier_id).exclude(state=Task.State.CLOSED):
        stay = Stay(task.unit_id, task.created_at, task.due_at, end=task.answered_at)
        if task.answered_by_id:
            stay.officers.add(task.answered_by_id)
        found.append(stay)
    return found


# ---------------------------------------------------------------------------------------
# Keeping the rows


def complained(dossier_id: int) -> bool:
    """A petition about the dossier that was not rejected (art.13(7)(c))."""
    return PetitionFact.objects.filter(dossier_id=dossier_id, rejected=False).exists()


def _forget(dossier_id: int) -> None:
    DossierScore.objects.filter(pk=dossier_id).delete()
    UnitScore.objects.filter(dossier_id=dossier_id).delete()
    OfficerScore.objects.filter(dossier_id=dossier_id).delete()


def score_dossier(*, dossier_id: int) -> DossierScore | None:
    """Recompute the scores of one dossier; a dossier not resolved (yet) has none."""
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_related("procedure", "workflow")
            .filter(pk=dossier_id, submitted_at__isnull=False)
            .exclude(status=Status.DRAFT)
            .first()
        )
        if dossier is None or dossier.status not in ENDED:
            _forget(dossier_id)  # most events: a dossier still open has no score yet
            return None
        events = list(DossierEvent.objects.filter(dossier_id=dossier_id).order_by("at", "id"))
        values = fact_rules.compute(dossier, events)
        if values["ending"] not in RESOLVED or values["ended_at"] is None:
            _forget(dossier_id)
            return None
        timeliness = values["timeliness"]
        is_complained = complained(dossier_id)
        own, askers = stays(dossier, events)
        all_stays = own + task_stays(dossier_id)
        desk_ids = set(
            Unit.objects.filter(
                agency_id=dossier.receiving_agency_id, kind=Unit.Kind.DESK
            ).values_list("pk", flat=True)
        )
        # The applicant hands the missing papers to the desk (or online to it) and deals
        # with each unit that asked for them (its officer is the contact on form 02).
        bodies = (askers | set(list(desk_ids)[:1])) if askers else set()
        common = {
            "i1": time_score(timeliness),
            "i3": contacts_score(values["supplement_requests"]),
            "i4": bodies_score(bodies, desk_ids),
            "i7": attitude_score(timeliness, is_complained),
        }
        where = {
            "sector_id": values["sector_id"],
            "ended_at": values["ended_at"],
        }
        score, _ = DossierScore.objects.update_or_create(
            dossier_id=dossier_id,
            defaults={
                **common,
                **where,
                "agency_id": values["agency_id"],
                "agency_path": values["agency_path"],
                "procedure_code": values["procedure_code"],
                "i6": publicity_score(dossier.procedure.is_published),
            },
        )
        UnitScore.objects.filter(dossier_id=dossier_id).delete()
        OfficerScore.objects.filter(dossier_id=dossier_id).delete()
        by_unit: dict[int, list[Stay]] = {}
        for stay in all_stays:
            if stay.unit_id is not None:
                by_unit.setdefault(stay.unit_id, []).append(stay)
        agency_of = dict(Unit.objects.filter(pk__in=by_unit).values_list("pk", "agency_id"))
        paths = {a: fact_rules.agency_path(a) for a in set(agency_of.values())}
        unit_rows, officer_rows = [], []
        for unit_id, unit_stays in by_unit.items():
            scored = [s.score for s in unit_stays if s.score is not None]
            i2 = min(scored) if scored else None  # the unit's worst step
            agency_id = agency_of[unit_id]
            place = {"agency_id": agency_id, "agency_path": paths[agency_id], **where}
            unit_rows.append(
                UnitScore(
                    dossier_id=dossier_id,
                    unit_id=unit_id,
                    i2=i2,
                    i6=score.i6,
                    **common,
                    **place,
                )
            )
            for officer_id in sorted(set().union(*(s.officers for s in unit_stays))):
                officer_rows.append(
                    OfficerScore(
                        dossier_id=dossier_id,
                        unit_id=unit_id,
                        officer_id=officer_id,
                        i2=i2,
                        **common,
                        **place,
                    )
                )
        UnitScore.objects.bulk_create(unit_rows)
        OfficerScore.objects.bulk_create(officer_rows)
        return score


def rebuild(*, batch_size: int = 1000, stdout=None) -> int:
    """Recompute the scores of every resolved dossier (by its fact); returns the count."""
    return in_id_batches(
        DossierFact.objects.filter(ending__in=RESOLVED),
        lambda pk: score_dossier(dossier_id=pk),
        batch_size=batch_size,
        stdout=stdout,
    )


# ---------------------------------------------------------------------------------------
# The agency's indicators (art.13(5), (8), (9))

# Art.13(5)(a): the share of the one-stop list the desk itself receives, reviews and
# approves for 2 points, by the agency's level.
DESK_SHARE = {
    Agency.Level.MINISTRY: 20,
    Agency.Level.ADMINISTRATION: 20,
    Agency.Level.PROVINCE: 20,
    Agency.Level.DISTRICT: 50,
    Agency.Level.COMMUNE: 100,
}


def one_stop_score(*, agency_id: int, on) -> int | None:
    """Indicator 5. 1 when every procedure the agency receives has a workflow (a workflow
    starts with reception and ends with the return at the desk, by its validation); 2 when,
    besides, the desk's own units handle every step of at least the level's share of them;
    0 when a procedure has no workflow; None when the agency receives no procedure."""
    procedures = list(
        Procedure.objects.in_force(on)
        .filter(receiving_agency_id=agency_id)
        .values_list("pk", flat=True)
    )
    if not procedures:
        return None
    latest: dict[int, Workflow] = {}
    for workflow in Workflow.objects.filter(procedure_id__in=procedures).order_by("-version"):
        latest.setdefault(workflow.procedure_id, workflow)
    if len(latest) < len(procedures):
        return 0
    desk_codes = set(
        Unit.objects.filter(agency_id=agency_id, kind=Unit.Kind.DESK).values_list("code", flat=True)
    )
    at_desk = sum(
        1 for w in latest.values() if w.steps and all(s["unit"] in desk_codes for s in w.steps)
    )
    level = Agency.objects.filter(pk=agency_id).values_list("level", flat=True).first()
    share = DESK_SHARE.get(level, 20)
    return 2 if at_desk * 100 >= share * len(procedures) else 1


def petition_counts(*, agency_id: int, period: ind.Period) -> dict:
    """The agency's petitions filed in the period and not rejected: those handled (answered,
    or past their answer deadline), on time, prolonged."""
    now = timezone.now()
    end = min(period.ends_at, now)
    qs = PetitionFact.objects.filter(
        agency_path__contains=f"/{agency_id}/",
        filed_at__gte=period.starts_at,
        filed_at__lt=period.ends_at,
        rejected=False,
    )
    overdue = Q(answered_at__isnull=True, resolve_due_at__lt=end)
    return qs.aggregate(
        handled=Count("pk", filter=Q(answered_at__isnull=False) | overdue | Q(late=True)),
        on_time=Count("pk", filter=Q(answered_at__isnull=False, late=False)),
        prolonged=Count("pk", filter=Q(prolonged=True) | overdue),
    )


def petitions_score(*, agency_id: int, period: ind.Period) -> int:
    """Indicator 8: none, or all handled on time and none prolonged 2; at least 90 % on time
    and none prolonged 1; else 0."""
    c = petition_counts(agency_id=agency_id, period=period)
    if not c["handled"]:
        return 2 if not c["prolonged"] else 0
    if c["prolonged"]:
        return 0
    if c["on_time"] == c["handled"]:
        return 2
    return 1 if c["on_time"] * 100 >= 90 * c["handled"] else 0


def online_score(*, agency_id: int, period: ind.Period) -> int | None:
    """Indicator 9: at least 20 % of the procedures online at level 3/4 (partial or full
    process), online dossiers at least 30 % and no online dossier late or unresolved past
    its deadline 2; some procedure online, online dossiers at least 15 % and none late 1;
    else 0. None without procedures or dossiers."""
    services = ind.online_services(on=period.end, agency_id=agency_id)
    scope = ind.Scope(agency_id=agency_id)
    dossiers = ind.online_dossiers(period=period, scope=scope)
    if not services.denominator or dossiers.rate is None:
        return None
    end = min(period.ends_at, timezone.now())
    online = ind.facts(scope=replace(scope, channel="online")).filter(
        received_at__gte=period.starts_at, received_at__lt=period.ends_at
    )
    bad = online.filter(
        Q(ending__in=RESOLVED, timeliness="late") | Q(ended_at__isnull=True, legal_due_at__lt=end)
    ).exists()
    if bad or not services.numerator or dossiers.rate < 15:
        return 0
    if services.rate >= 20 and dossiers.rate >= 30:
        return 2
    return 1


# ---------------------------------------------------------------------------------------
# Aggregation (art.15)

OFFICER_BANDS = (
    (Decimal(5), "full", _("Hoàn thành 100% nhiệm vụ")),
    (Decimal("3.5"), "most", _("Hoàn thành từ 70% đến dưới 100%")),
    (Decimal(0), "below", _("Hoàn thành dưới 70%")),
)
UNIT_BANDS = (
    (Decimal(15), "excellent", _("Xuất sắc")),
    (Decimal(12), "good", _("Tốt")),
    (Decimal(9), "fair", _("Khá")),
    (Decimal(6), "average", _("Trung bình")),
    (Decimal(0), "weak", _("Yếu")),
)
OFFICER_INDICATORS = ("i1", "i2", "i3", "i4", "i7")
UNIT_INDICATORS = ("i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9")
INDICATOR_LABELS = {
    "i1": _("Tổng thời gian giải quyết"),
    "i2": _("Thời gian của từng đơn vị"),
    "i3": _("Số lần liên hệ để hoàn thiện hồ sơ"),
    "i4": _("Số cơ quan, đơn vị phải liên hệ"),
    "i5": _("Tổ chức Bộ phận Một cửa"),
    "i6": _("Công khai thủ tục"),
    "i7": _("Thái độ của cán bộ"),
    "i8": _("Xử lý phản ánh, kiến nghị"),
    "i9": _("Dịch vụ công trực tuyến"),
}


def band(total: Decimal | None, bands) -> tuple[str, str]:
    """(key, label) of the band `total` falls in; ("", "") for no total."""
    if total is None:
        return "", ""
    for floor, key, label in bands:
        if total >= floor:
            return key, str(label)
    return bands[-1][1], str(bands[-1][2])


def mean(total, count) -> Decimal | None:
    """Sum / count rounded half up to one decimal; None when nothing was scored."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def add_up(values) -> Decimal | None:
    """The total of the indicators that have a value (art.15(4)(b))."""
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass
class ScoreRow:
    id: int
    label: str
    agency: str
    dossiers: int
    scores: dict
    total: Decimal | None
    band: str
    band_label: str
    figure: str

    def cells(self, names):
        return [self.scores.get(n) for n in names]


def _in(qs, *, period: ind.Period, scope: ind.Scope):
    qs = qs.filter(ended_at__gte=period.starts_at, ended_at__lt=period.ends_at)
    if scope.agency_id is not None:
        qs = qs.filter(agency_path__contains=f"/{scope.agency_id}/")
    if scope.sector_id is not None:
        qs = qs.filter(sector_id=scope.sector_id)
    return qs


def _means(qs, group: str, names) -> list[dict]:
    sums = {}
    for n in names:
        sums[f"{n}_sum"] = Sum(n)
        sums[f"{n}_n"] = Count(n)
    rows = qs.values(group).annotate(dossiers=Count("dossier_id", distinct=True), **sums)
    return [
        {
            "id": r[group],
            "dossiers": r["dossiers"],
            "scores": {n: mean(r[f"{n}_sum"] or 0, r[f"{n}_n"]) for n in names},
        }
        for r in rows.order_by(group)
    ]


def officer_rows(*, period: ind.Period, scope: ind.Scope) -> list[ScoreRow]:
    """Per officer: the means of indicators 1, 2, 3, 4, 7 over the dossiers they acted on
    that were resolved in the period, the total and the band (art.15(1)(a), (3)(a))."""
    rows = _means(
        _in(OfficerScore.objects, period=period, scope=scope), "officer_id", OFFICER_INDICATORS
    )
    users = User.objects.in_bulk([r["id"] for r in rows])
    agencies = dict(
        _in(OfficerScore.objects, period=period, scope=scope)
        .values_list("officer_id", "agency_id")
        .distinct()
    )
    names = dict(Agency.objects.filter(pk__in=set(agencies.values())).values_list("pk", "name"))
    result = []
    for r in rows:
        total = add_up(r["scores"].values())
        key, label = band(total, OFFICER_BANDS)
        user = users.get(r["id"])
        result.append(
            ScoreRow(
                r["id"],
                user.full_name if user else f"#{r['id']}",
                names.get(agencies.get(r["id"]), ""),
                r["dossiers"],
                r["scores"],
                total,
                key,
                label,
                f"score_officer_{r['id']}",
            )
        )
    return sorted(result, key=lambda row: (row.agency, row.label))


def unit_rows(*, period: ind.Period, scope: ind.Scope) -> list[ScoreRow]:
    """Per unit: the means of indicators 1, 2, 3, 4, 6, 7 over the dossiers it handled that
    were resolved in the period, with its agency's 5, 8, 9; the total and the band
    (art.15(1)(b), (3)(b))."""
    rows = _means(
        _in(UnitScore.objects, period=period, scope=scope),
        "unit_id",
        ("i1", "i2", "i3", "i4", "i6", "i7"),
    )
    units = Unit.objects.select_related("agency").in_bulk([r["id"] for r in rows])
    per_agency: dict[int, dict] = {}
    result = []
    for r in rows:
        unit = units.get(r["id"])
        if unit is None:
            continue
        if unit.agency_id not in per_agency:
            per_agency[unit.agency_id] = {
                "i5": one_stop_score(agency_id=unit.agency_id, on=period.end),
                "i8": petitions_score(agency_id=unit.agency_id, period=period),
                "i9": online_score(agency_id=unit.agency_id, period=period),
            }
        scores = {**r["scores"], **{k: _dec(v) for k, v in per_agency[unit.agency_id].items()}}
        scores = {n: scores.get(n) for n in UNIT_INDICATORS}
        total = add_up(scores.values())
        key, label = band(total, UNIT_BANDS)
        result.append(
            ScoreRow(
                unit.pk,
                unit.name,
                unit.agency.name,
                r["dossiers"],
                scores,
                total,
                key,
                label,
                f"score_unit_{unit.pk}",
            )
        )
    return sorted(result, key=lambda row: (row.agency, row.label))


def _dec(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL)


def figure_dossier_ids(figure: str, *, period: ind.Period, scope: ind.Scope):
    """The ids of the dossiers behind a scoring figure (`score_officer_<id>`,
    `score_unit_<id>`) for the drill-down page; None for a name that is not one of ours.
    The page still narrows them to the dossiers its reader may see."""
    for prefix, model, column in (
        ("score_officer_", OfficerScore, "officer_id"),
        ("score_unit_", UnitScore, "unit_id"),
    ):
        if figure.startswith(prefix) and figure[len(prefix) :].isdigit():
            qs = _in(model.objects, period=period, scope=scope)
            return qs.filter(**{column: int(figure[len(prefix) :])}).values_list(
                "dossier_id", flat=True
            )
    return None
