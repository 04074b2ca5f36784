"""Working-day arithmetic (ngày làm việc) for due dates and inbox countdowns.

A working day is Monday to Friday unless the calendar (CalendarDay) makes it a holiday or a
day off, or a Saturday or Sunday the calendar makes a working day (làm bù); years without
rows follow the plain week. Every working day has one office window, WORKDAY_START to
WORKDAY_END, lunch not subtracted. Counting starts at `clock_start`: a dossier received at
or after WORKDAY_CUTOFF, or on a day off, counts from the next window.

The calendar is held in process memory and is read once per change. Saving or deleting a
CalendarDay drops this process's copy at once and, after commit, bumps a version number in
Django's cache, which every process compares before using its copy: on every call with the
in-process LocMemCache (microseconds), at most every VERSION_CHECK_SECONDS with Redis.

Datetimes must be aware; results are in settings.TIME_ZONE (Asia/Ho_Chi_Minh, no daylight
saving, so wall-clock arithmetic is exact).
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from motcua.workdays.models import CalendarDay

VERSION_KEY = "workdays:calendar-version"
VERSION_CHECK_SECONDS = 5.0
SEARCH_LIMIT_DAYS = 60
HOUR = 3600

_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


class CalendarError(RuntimeError):
    """No working day was found where one must be: the calendar data is broken."""


# --- Office hours ------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    start: clock
    end: clock
    cutoff: clock

    @property
    def seconds(self) -> int:
        """Length of one working day (the window), in seconds."""
        return (self.end.hour - self.start.hour) * HOUR + (self.end.minute - self.start.minute) * 60


def office_hours() -> OfficeHours:
    """The window of every working day, from WORKDAY_START, WORKDAY_END and WORKDAY_CUTOFF."""
    return _parse_hours(settings.WORKDAY_START, settings.WORKDAY_END, settings.WORKDAY_CUTOFF)


@lru_cache(maxsize=8)
def _parse_hours(start: str, end: str, cutoff: str) -> OfficeHours:
    hours = OfficeHours(
        _parse_clock("WORKDAY_START", start),
        _parse_clock("WORKDAY_END", end),
        _parse_clock("WORKDAY_CUTOFF", cutoff),
    )
    if hours.start >= hours.end:
        raise ImproperlyConfigured(f"WORKDAY_START ({start}) must be before WORKDAY_END ({end}).")
    if not hours.start < hours.cutoff <= hours.end:
        raise ImproperlyConfigured(
            f"WORKDAY_CUTOFF ({cutoff}) must be after WORKDAY_START and not after WORKDAY_END."
        )
    return hours


def _parse_clock(name: str, value: str) -> clock:
    match = _HH_MM.fullmatch(str(value))
    if match is None:
        raise ImproperlyConfigured(f"{name} must be a time of day as HH:MM (24 h), not {value!r}.")
    return clock(int(match[1]), int(match[2]))


# --- The calendar held in memory -----------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    version: int | None
    days_off: frozenset[date]
    working_days: frozenset[date]
    # The overrides that change a count, sorted for bisection: weekdays off and worked
    # weekend days (a holiday on a Sunday changes nothing).
    weekdays_off: tuple[date, ...] = field(init=False, repr=False)
    weekends_worked: tuple[date, ...] = field(init=False, repr=False)

    def __post_init__(self):
        off = tuple(sorted(d for d in self.days_off if d.weekday() < 5))
        worked = tuple(sorted(d for d in self.working_days if d.weekday() >= 5))
        object.__setattr__(self, "weekdays_off", off)
        object.__setattr__(self, "weekends_worked", worked)

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        return day.weekday() < 5

    def count_working_days(self, first: date, last: date) -> int:
        """Working days in [first, last): weekdays by arithmetic, then the few overrides.

        Inboxes ask this for dossiers years overdue, where walking day by day was slow.
        """
        if last <= first:
            return 0
        span = (last - first).days
        weeks, rest = divmod(span, 7)
        weekdays = weeks * 5 + sum(
            1 for i in range(rest) if (first + timedelta(days=weeks * 7 + i)).weekday() < 5
        )
        off = bisect_left(self.weekdays_off, last) - bisect_left(self.weekdays_off, first)
        worked = bisect_left(self.weekends_worked, last) - bisect_left(self.weekends_worked, first)
        return weekdays - off + worked

    def next_working_day(self, day: date) -> date:
        for step in range(1, SEARCH_LIMIT_DAYS + 1):
            candidate = day + timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(
            f"No working day in the {SEARCH_LIMIT_DAYS} days after {day.isoformat()}: "
            "check the working-day calendar (CalendarDay)."
        )


_loaded: _Calendar | None = None
_checked_at = 0.0


def _calendar() -> _Calendar:
    global _loaded, _checked_at
    current = _loaded
    now = time.monotonic()
    if current is not None and now - _checked_at < _check_interval():
        return current
    version = _shared_version()
    if current is None or current.version != version:
        current = _load(version)
        _loaded = current
    _checked_at = now
    return current


def _check_interval() -> float:
    return 0.0 if isinstance(caches["default"], LocMemCache) else VERSION_CHECK_SECONDS


def _shared_version() -> int | None:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Not an incrementing 1, 2, ...: after a cache flush a restarted count could repeat
        # the version a process already holds.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _load(version: int | None) -> _Calendar:
    days_off: set[date] = set()
    working_days: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (working_days if kind == CalendarDay.Kind.WORKING_DAY else days_off).add(day)
    return _Calendar(version, frozenset(days_off), frozenset(working_days))


def forget_calendar() -> None:
    """Drop this process's copy of the calendar; the next call reads the table again."""
    global _loaded
    _loaded = None


def invalidate_calendar() -> None:
    """Re-read the calendar here now, and in every process once the transaction commits."""
    forget_calendar()
    transaction.on_commit(_publish_change)


def _publish_change() -> None:
    forget_calendar()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def on_calendar_changed(sender: type, **kwargs: object) -> None:
    """post_save / post_delete receiver for CalendarDay."""
    invalidate_calendar()


# --- Time ----------------------------------------------------------------------------------


def _zone() -> tzinfo:
    return timezone.get_default_timezone()


def _wall(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """The local wall-clock time of an aware datetime, without tzinfo."""
    if timezone.is_naive(moment):
        raise ValueError(f"Working-day arithmetic needs an aware datetime, not {moment!r}.")
    return moment.astimezone(zone or _zone()).replace(tzinfo=None)


def _aware(wall: datetime) -> datetime:
    return timezone.make_aware(wall, _zone())


def _clock_start(cal: _Calendar, hours: OfficeHours, wall: datetime) -> datetime:
    day = wall.date()
    if cal.is_working_day(day):
        opens = datetime.combine(day, hours.start)
        if wall < opens:
            return opens
        if wall < datetime.combine(day, hours.cutoff):
            return wall
    return datetime.combine(cal.next_working_day(day), hours.start)


def _seconds_in_day(cal: _Calendar, hours: OfficeHours, day: date, first, last) -> float:
    if not cal.is_working_day(day):
        return 0.0
    begin = max(first, datetime.combine(day, hours.start))
    end = min(last, datetime.combine(day, hours.end))
    return max((end - begin).total_seconds(), 0.0)


def _seconds_between(cal: _Calendar, hours: OfficeHours, first: datetime, last: datetime) -> int:
    if last <= first:
        return 0
    first_day, last_day = first.date(), last.date()
    if first_day == last_day:
        return int(_seconds_in_day(cal, hours, first_day, first, last))
    # Partial first and last days, and whole working days in between.
    whole = cal.count_working_days(first_day + timedelta(days=1), last_day)
    total = (
        _seconds_in_day(cal, hours, first_day, first, last)
        + whole * hours.seconds
        + _seconds_in_day(cal, hours, last_day, first, last)
    )
    return int(total)


def _working_time(days: Decimal | int | float, hours: OfficeHours) -> timedelta:
    amount = Decimal(str(days)) if isinstance(days, float) else Decimal(days)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"A number of working days must be zero or more, not {days!r}.")
    return timedelta(seconds=int((amount * hours.seconds).to_integral_value(ROUND_HALF_UP)))


# --- Public functions ----------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    """Monday to Friday unless a holiday or day off; Saturday, Sunday only if worked (làm bù)."""
    return _calendar().is_working_day(day)


def clock_start(moment: datetime) -> datetime:
    """When counting starts for something received at `moment` (thời điểm bắt đầu tính).

    `moment` itself on a working day between the opening and the cut-off; that day's opening
    if earlier; otherwise the opening of the next working day.
    """
    return _aware(_clock_start(_calendar(), office_hours(), _wall(moment)))


def add_working_days(start: datetime, days: Decimal | int | float) -> datetime:
    """The moment `days` working days after `clock_start(start)` (hạn giải quyết).

    One working day is one window; fractions are allowed. Whole days keep the clock time
    (Monday 10:00 + 2 = Wednesday 10:00); a result at a window's end stays there.
    """
    hours = office_hours()
    remaining = _working_time(days, hours)
    cal = _calendar()
    cursor = _clock_start(cal, hours, _wall(start))
    while True:
        available = datetime.combine(cursor.date(), hours.end) - cursor
        if remaining <= available:
            return _aware(cursor + remaining)
        remaining -= available
        cursor = datetime.combine(cal.next_working_day(cursor.date()), hours.start)


def working_days_before(day: date, days: int) -> date:
    """The date `days` working days before `day`: a reminder "10 working days before the
    badge expires on `day`" is sent on that date (issue 17). `day` itself does not count;
    0 gives `day`."""
    cal = _calendar()
    cursor, counted = day, 0
    while counted < days:
        cursor -= timedelta(days=1)
        if cal.is_working_day(cursor):
            counted += 1
    return cursor


def working_days_after(day: date, days: int) -> date:
    """The date `days` working days after `day` (`day` itself does not count; 0 gives `day`).

    working_days_before reversed for reminders: the dates whose reminder `days` working days
    before them falls on `day` or earlier are those up to this one (issue 17)."""
    cal = _calendar()
    for _counted in range(days):
        day = cal.next_working_day(day)
    return day


def working_seconds_between(a: datetime, b: datetime) -> int:
    """Seconds of working windows between `a` and `b`; 0 if `b` is not after `a`."""
    first, last = _wall(a), _wall(b)
    if last <= first:
        return 0
    return _seconds_between(_calendar(), office_hours(), first, last)


def working_days_between(a: datetime, b: datetime) -> Decimal:
    """Working days (windows) between `a` and `b`, rounded to two places."""
    return days_from_seconds(working_seconds_between(a, b))


def remaining_working_days(due: datetime, now: datetime) -> Decimal:
    """Working days left until `due`; negative (working days elapsed since `due`) if overdue."""
    if now <= due:
        return working_days_between(now, due)
    return -working_days_between(due, now)


def is_due_soon(due: datetime, now: datetime) -> bool:
    """Not overdue, and due within one working day from `now`."""
    return deadlines([due], now)[0].due_soon


def describe_remaining(due: datetime, now: datetime) -> str:
    """The inbox phrase for a deadline: "Còn 2 ngày làm việc", "Quá hạn 3 giờ làm việc"...
    (the rules are deadlines')."""
    return deadlines([due], now)[0].remaining


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as an inbox row shows it."""

    remaining: str  # describe_remaining's phrase
    overdue: bool  # due < now
    due_soon: bool  # is_due_soon


def deadlines(dues: list[datetime], now: datetime) -> list[Deadline]:
    """How each deadline stands at `now`, for a page of rows (one for describe_remaining
    and is_due_soon): the calendar, office hours and phrases are looked up once.

    Overdue first; then "Đến hạn hôm nay" when due later today; otherwise the time left, in
    working days (one decimal) from one window up, else in whole working hours. Due soon:
    not overdue and at most one working day away.
    """
    if not dues:
        return []
    cal, hours = _calendar(), office_hours()
    zone = _zone()
    wall_now = _wall(now)
    phrasing = _page_phrasing()
    today = None
    result = []
    for due in dues:
        wall_due = _wall(due, zone)
        if wall_now > wall_due:
            seconds = _seconds_between(cal, hours, wall_due, wall_now)
            result.append(Deadline(_phrase(seconds, hours, overdue=True, **phrasing), True, False))
            continue
        seconds = _seconds_between(cal, hours, wall_now, wall_due)
        if wall_due.date() == wall_now.date():
            today = today or gettext("Đến hạn hôm nay")
            text = today
        else:
            text = _phrase(seconds, hours, overdue=False, **phrasing)
        result.append(Deadline(text, False, seconds <= hours.seconds))
    return result


def days_from_seconds(seconds: int, hours: OfficeHours | None = None) -> Decimal:
    """Working seconds as working days, to the hundredth (half up)."""
    hours = hours or office_hours()
    return (Decimal(seconds) / hours.seconds).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _phrase(
    seconds: int,
    hours: OfficeHours,
    *,
    overdue: bool,
    number=formats.number_format,
    translate=ngettext,
) -> str:
    if seconds >= hours.seconds:
        days = (Decimal(seconds) / hours.seconds).quantize(Decimal("0.1"), ROUND_HALF_UP)
        whole = days == days.to_integral_value()
        values = {"days": number(int(days) if whole else days)}
        count = 1 if days == 1 else 2
        if overdue:
            return (
                translate("Quá hạn %(days)s ngày làm việc", "Quá hạn %(days)s ngày làm việc", count)
                % values
            )
        return translate("Còn %(days)s ngày làm việc", "Còn %(days)s ngày làm việc", count) % values
    if seconds >= HOUR:
        count = seconds // HOUR
        values = {"hours": count}
        if overdue:
            return (
                translate("Quá hạn %(hours)s giờ làm việc", "Quá hạn %(hours)s giờ làm việc", count)
                % values
            )
        return translate("Còn %(hours)s giờ làm việc", "Còn %(hours)s giờ làm việc", count) % values
    if overdue:
        return gettext("Quá hạn dưới 1 giờ làm việc")
    return gettext("Còn dưới 1 giờ làm việc")


def _page_phrasing() -> dict:
    """_phrase's helpers for a page of deadlines: each message translated once, and numbers
    written with the language's decimal separator without Django's lookups on every call
    (the same text as number_format while thousands are not grouped)."""
    messages: dict[tuple, str] = {}

    def translate(singular, plural, count):
        key = (singular, plural, count)
        if key not in messages:
            messages[key] = ngettext(singular, plural, count)
        return messages[key]

    if settings.USE_THOUSAND_SEPARATOR:
        return {"translate": translate}
    separator = formats.get_format("DECIMAL_SEPARATOR")

    def number(value) -> str:
        return (f"{value:f}" if isinstance(value, Decimal) else str(value)).replace(".", separator)

    return {"translate": translate, "number": number}
