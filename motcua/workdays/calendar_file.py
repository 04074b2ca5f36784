"""The shipped calendar data (data/holidays.json), read by the data migration and
`manage.py load_calendar` alike.

Functions take the model class as an argument so that the migration can pass its
historical model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"
KINDS = ("holiday", "day_off", "working_day")


@dataclass(frozen=True)
class CalendarRow:
    date: date
    kind: str
    name: str
    legal_basis: str
    is_verified: bool


def read_calendar_file(path: Path = DATA_FILE) -> list[CalendarRow]:
    """Parse and check the data file; a malformed row raises ValueError naming it."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    days = spec.get("days") if isinstance(spec, dict) else None
    if not isinstance(days, list):
        raise ValueError(f"{path}: expected an object with a list of days.")
    rows: list[CalendarRow] = []
    seen: set[date] = set()
    for number, item in enumerate(days, start=1):
        try:
            row = CalendarRow(
                date=date.fromisoformat(item["date"]),
                kind=item["kind"],
                name=item["name"].strip(),
                legal_basis=item.get("legal_basis", "").strip(),
                is_verified=item["is_verified"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: day {number} is malformed ({exc}).") from exc
        problem = _problem(row, seen)
        if problem:
            raise ValueError(f"{path}: {row.date.isoformat()}: {problem}.")
        seen.add(row.date)
        rows.append(row)
    return rows


def _problem(row: CalendarRow, seen: set[date]) -> str:
    weekend = row.date.weekday() >= 5
    if row.kind not in KINDS:
        return "kind must be one of " + ", ".join(KINDS)
    if row.kind == "working_day" and not weekend:
        return "a working_day must be a Saturday or Sunday"
    if row.kind == "day_off" and weekend:
        return "a day_off must be a weekday"
    if not isinstance(row.is_verified, bool):
        return "is_verified must be true or false"
    if not row.name:
        return "the name is empty"
    if row.date in seen:
        return "the date is listed twice"
    return ""


def upsert_calendar_days(model: Any, rows: list[CalendarRow]) -> tuple[int, int]:
    """Create or update one CalendarDay per row, by date; return (created, updated)."""
    created = updated = 0
    for row in rows:
        values = asdict(row)
        day = values.pop("date")
        _obj, was_created = model.objects.update_or_create(date=day, defaults=values)
        if was_created:
            created += 1
        else:
            updated += 1
    return created, updated
