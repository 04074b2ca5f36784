"""Datetimes read with SQL and written for people, without the template filters' machinery
(the hot pages format dozens per request)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

TIME_DATE = "%H:%M %d/%m/%Y"  # a timeline line: 14:05 02/03/2026
DATE_TIME = "%d/%m/%Y %H:%M"  # a list column: 02/03/2026 14:05


def aware(value):
    """A datetime from a raw SQL row: SQLite gives naive UTC, PostgreSQL gives it aware."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def local_text(moment, pattern: str = TIME_DATE, tz=None) -> str:
    """`moment` in local time as `pattern` (dd/mm/yyyy, 24-hour clock); "" for None.

    `tz`: the current time zone, when the caller formats many (looking it up is most of the
    cost of one call).
    """
    if not moment:
        return ""
    return moment.astimezone(tz or timezone.get_current_timezone()).strftime(pattern)


def local_iso(moment, tz=None) -> str:
    """ISO 8601 in local time, with its offset, for <time datetime>; `tz` as local_text's."""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat()


# Documents, receipts and their numbering years are in Vietnam's time, whatever the
# settings' time zone.
DOCUMENT_TIME_ZONE = "Asia/Ho_Chi_Minh"
VIETNAM = ZoneInfo(DOCUMENT_TIME_ZONE)


def in_vietnam(value):
    """An aware datetime in Vietnam's time; a naive one or a date as it is."""
    if isinstance(value, datetime) and value.tzinfo:
        return value.astimezone(VIETNAM)
    return value


# The compact time the state's platforms exchange (VNPay's vnp_*Date, the payment platform's
# timestamps, the national portal's ThoiGian* fields): yyyyMMddHHmmss in Vietnam's time.
COMPACT_TIME = "%Y%m%d%H%M%S"


def compact_time(moment: datetime) -> str:
    """An aware `moment` as yyyyMMddHHmmss in Vietnam's time."""
    return moment.astimezone(VIETNAM).strftime(COMPACT_TIME)


def parse_compact_time(value) -> datetime | None:
    """yyyyMMddHHmmss read in Vietnam's time; None for anything else."""
    try:
        return datetime.strptime(str(value), COMPACT_TIME).replace(tzinfo=VIETNAM)
    except (TypeError, ValueError):
        return None


def vietnam_year(moment: datetime) -> int:
    """The year of an aware `moment` in Vietnam (documents are numbered per year)."""
    return moment.astimezone(VIETNAM).year
