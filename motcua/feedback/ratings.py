"""Ratings of ended dossiers by their applicants (đánh giá việc giải quyết TTHC, D61 art.31(1)),
and the aggregates officers may see. Decision 0045."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role, Unit
from motcua.catalogue.models import Agency, Procedure
from motcua.core.events import DossierRated
from motcua.core.outbox import publish
from motcua.dossiers import access, acting
from motcua.dossiers.models import ENDED_STATUSES, Dossier, DossierAccess
from motcua.feedback.models import Rating

# A dossier is rated once it has ended: result returned, not accepted, or stopped.


@dataclass(frozen=True)
class Criterion:
    field: str
    question: object
    answers: tuple  # labels of 2, 1, 0 (TT01's points), best first
    may_not_apply: bool = False


# D61 art.31(1) a..i, each answered on TT01's 0/1/2 scale with words fit for the question.
CRITERIA = (
    Criterion(
        "time",
        _("Thời gian trả kết quả so với ngày hẹn"),
        (_("Sớm hơn ngày hẹn"), _("Đúng ngày hẹn"), _("Muộn hơn ngày hẹn")),
    ),
    Criterion(
        "agencies",
        _("Số cơ quan, đơn vị quý vị phải liên hệ để hoàn thiện hồ sơ"),
        (_("Không phải liên hệ nơi nào khác"), _("Một nơi"), _("Từ hai nơi trở lên")),
    ),
    Criterion(
        "contacts",
        _("Số lần quý vị phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ"),
        (_("Không lần nào"), _("Một lần"), _("Từ hai lần trở lên")),
    ),
    Criterion(
        "information",
        _("Thông tin về thủ tục được công khai (thành phần, thời hạn, phí) có chính xác, đầy đủ"),
        (_("Chính xác, đầy đủ"), _("Có chỗ chưa đầy đủ"), _("Không chính xác")),
    ),
    Criterion(
        "attitude",
        _("Thái độ của cán bộ hướng dẫn, tiếp nhận, giải quyết hồ sơ"),
        (_("Tận tình, chu đáo"), _("Bình thường"), _("Chưa đúng mực, gây phiền hà")),
    ),
    Criterion(
        "lawfulness",
        _("Kết quả và chi phí đúng quy định, không phát sinh chi phí ngoài quy định"),
        (
            _("Đúng quy định"),
            _("Có điểm chưa rõ"),
            _("Không đúng quy định hoặc phải trả thêm chi phí"),
        ),
    ),
    Criterion(
        "complaints",
        _("Cơ quan trả lời phản ánh, kiến nghị của quý vị (nếu có)"),
        (_("Kịp thời, thỏa đáng"), _("Chậm hoặc chưa thỏa đáng"), _("Không được trả lời")),
        may_not_apply=True,
    ),
    Criterion(
        "online",
        _("Dịch vụ công trực tuyến (nộp, theo dõi hồ sơ trên mạng)"),
        (_("Thuận tiện"), _("Tạm được"), _("Khó sử dụng")),
        may_not_apply=True,
    ),
    Criterion(
        "other",
        _("Đánh giá chung của quý vị"),
        (_("Hài lòng"), _("Bình thường"), _("Không hài lòng")),
        may_not_apply=True,
    ),
)
FIELDS = tuple(c.field for c in CRITERIA)
COMMENT_MAX = 2000


class RatingRefused(Exception):
    """The rating cannot be given or changed; `message` says why, for the applicant."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def can_rate(dossier: Dossier) -> bool:
    return dossier.status in ENDED_STATUSES


def rating_of(dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


def changeable_until(rating: Rating) -> datetime:
    return rating.created_at + timedelta(days=settings.RATING_CHANGE_DAYS)


def is_changeable(rating: Rating) -> bool:
    return timezone.now() < changeable_until(rating)


def _on_time(dossier: Dossier) -> bool | None:
    ended = dossier.finished_at or dossier.returned_at
    if dossier.due_at is None or ended is None:
        return None
    return ended <= dossier.due_at


@transaction.atomic
def rate_dossier(*, dossier: Dossier, applicant, scores: dict, comment: str = "") -> Rating:
    """Give or change the applicant's rating of their ended dossier; publishes DossierRated.

    `scores` maps each field of FIELDS to 0, 1, 2 or None (not applicable, where allowed).
    """
    # The dossier's row lock makes two submissions of the first rating one rating.
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if acting.applicant_may(applicant, dossier, act=True) is None:
        raise RatingRefused(_("Chỉ người nộp hồ sơ được đánh giá hồ sơ này."))
    if not can_rate(dossier):
        raise RatingRefused(_("Hồ sơ chưa giải quyết xong nên chưa thể đánh giá."))
    values = {field: scores.get(field) for field in FIELDS}
    for criterion in CRITERIA:
        value = values[criterion.field]
        if value is None and not criterion.may_not_apply or value not in (None, 0, 1, 2):
            raise RatingRefused(_("Chọn một câu trả lời cho mỗi tiêu chí."))
    comment = comment.strip()[:COMMENT_MAX]
    rating = Rating.objects.filter(dossier=dossier).first()
    if rating is None:
        rating = Rating.objects.create(
            dossier=dossier,
            applicant=applicant,
            comment=comment,
            procedure_id=dossier.procedure_id,
            procedure_code=dossier.procedure.code,
            receiving_agency_id=dossier.receiving_agency_id,
            on_time=_on_time(dossier),
            ended_status=dossier.status,
            channel=dossier.channel,
            finished_at=dossier.finished_at or dossier.returned_at,
            **values,
        )
        handled = DossierAccess.objects.filter(dossier=dossier, through_task=False)
        rating.units.set(handled.values_list("unit_id", flat=True))
    else:
        if not is_changeable(rating):
            raise RatingRefused(_("Đã hết thời hạn thay đổi đánh giá."))
        for field, value in values.items():
            setattr(rating, field, value)
        rating.comment = comment
        rating.save(update_fields=[*FIELDS, "comment", "updated_at"])
    publish(
        DossierRated.about(
            dossier,
            action="rated",
            actor=applicant,
            rating_id=rating.pk,
            negative=any(value == 0 for value in values.values()),
        )
    )
    return rating


# ---------------------------------------------------------------------------------------
# What officers see: aggregates of groups large enough that no one's rating shows through.


@dataclass(frozen=True)
class Period:
    key: str  # "2026" or "2026-Q3"
    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        if "-Q" in self.key:
            year, quarter = self.key.split("-Q")
            return _("Quý %(q)s/%(y)s") % {"q": quarter, "y": year}
        return _("Năm %(y)s") % {"y": self.key}


def period_of(key: str, *, today: date | None = None) -> Period:
    """A quarter ("2026-Q3") or a year ("2026"), the periods of TT01 art.15; anything else is
    the current quarter. Fixed periods only, so that two overlapping ranges cannot be
    subtracted to single out one rating."""
    today = today or timezone.localdate()
    try:
        if "-Q" in key:
            year, quarter = (int(part) for part in key.split("-Q"))
            if not 1 <= quarter <= 4:
                raise ValueError
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        else:
            year = int(key)
            start, end = date(year, 1, 1), date(year + 1, 1, 1)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        quarter = (today.month - 1) // 3 + 1
        return period_of(f"{today.year}-Q{quarter}")
    return Period(key, start, end)


def recent_periods(*, today: date | None = None, quarters: int = 8) -> list[Period]:
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _i in range(quarters):
        found.append(period_of(f"{year}-Q{quarter}"))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    years = sorted({p.start.year for p in found}, reverse=True)
    return found + [period_of(str(y)) for y in years]


@dataclass(frozen=True)
class Group:
    label: str
    count: int
    means: tuple  # (criterion, mean or None when too few answered), in CRITERIA's order
    shown: bool  # False: fewer than RATING_MIN_GROUP ratings, nothing but the fact is shown


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _groups(queryset, key: str, labels: dict, minimum: int) -> list[Group]:
    aggregates = {"n": Count("id", distinct=True)}
    for field in FIELDS:
        aggregates[f"{field}_avg"] = Avg(field)
        aggregates[f"{field}_n"] = Count(field)
    rows = queryset.values(key).annotate(**aggregates).order_by(key)
    groups = []
    for row in rows:
        if row[key] not in labels:
            continue
        shown = row["n"] >= minimum
        means = tuple(
            (
                criterion,
                round(row[f"{criterion.field}_avg"], 1)
                if shown and row[f"{criterion.field}_n"] >= minimum
                else None,
            )
            for criterion in CRITERIA
        )
        groups.append(Group(labels[row[key]], row["n"] if shown else 0, means, shown))
    return groups


def officer_scope(user) -> tuple[list[Unit], set[int]]:
    """The units whose ratings the officer sees, and the agencies whose ratings they see
    whole: those they administer or lead (a leader, người ký), through dossiers.access."""
    mine = access.memberships(user)
    units = list({m.unit.pk: m.unit for m in mine}.values())
    led = {m.unit.agency_id for m in mine if m.role == Role.LEADER}
    return units, access.administered_agency_ids(user) | led


def aggregates(user, *, period: Period, by: str) -> list[Group]:
    """The officer's groups of ratings given in `period`, `by` "unit" (each of their units),
    "procedure" (within their units' and agencies' ratings) or "agency" (agencies they
    administer or lead): count and mean per criterion, only for groups of RATING_MIN_GROUP or more."""
    units, agencies = officer_scope(user)
    unit_ids = [u.pk for u in units]
    minimum = settings.RATING_MIN_GROUP
    ratings = Rating.objects.filter(
        created_at__gte=_aware(period.start), created_at__lt=_aware(period.end)
    )
    if by == "unit":
        labels = {u.pk: u.name for u in units}
        return _groups(ratings.filter(units__in=unit_ids), "units", labels, minimum)
    visible = ratings.filter(Q(units__in=unit_ids) | Q(receiving_agency_id__in=agencies))
    if by == "agency":
        labels = dict(Agency.objects.filter(pk__in=agencies).values_list("pk", "name"))
        own = ratings.filter(receiving_agency_id__in=agencies)
        return _groups(own, "receiving_agency", labels, minimum)
    ids = visible.values("id")
    codes = Rating.objects.filter(id__in=ids).values_list("procedure_code", flat=True)
    labels = {}
    for code, name in Procedure.objects.filter(code__in=codes).values_list("code", "name"):
        labels[code] = f"{code} — {name}"
    return _groups(Rating.objects.filter(id__in=ids), "procedure_code", labels, minimum)
