"""What a result says, read from the dossier's form (DOMAIN.md sections 8 and 11).

Plain dicts for the templates in templates/results/pdf/. Labels come from the procedure's
form schema (titles and enumNames), so the result speaks the words the applicant saw.
"""

import calendar
from datetime import date, timedelta

from motcua.documents.context import parse_moment

# Decree 10/2020/NĐ-CP art. 22: a badge is valid for at most 7 years, never beyond the
# vehicle's service life nor, for a leased or cooperation vehicle, beyond the contract.
BADGE_MAX_YEARS = 7


class BadgeRefused(Exception):
    """A vehicle cannot get a badge (service life or contract already over)."""


def _enum_label(prop: dict, value):
    values = prop.get("enum") or []
    labels = prop.get("enumNames") or prop.get("x-enumNames") or []
    if value in values and len(labels) == len(values):
        return labels[values.index(value)]
    return value


def display_value(prop: dict, value) -> str:
    """A form value as the result prints it (enum labels, dates as dd/mm/yyyy, lists joined)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        items = prop.get("items") or {}
        return ", ".join(display_value(items, item) for item in value)
    value = _enum_label(prop, value)
    if prop.get("format") == "date" or (isinstance(value, str) and len(value) == 10):
        moment = parse_moment(value) if isinstance(value, str) else None
        if isinstance(moment, date):
            return moment.strftime("%d/%m/%Y")
    return str(value)


def sections(schema: dict, data: dict) -> list[dict]:
    """The form as titled sections of (label, value) rows, skipping what is empty.

    An array of objects becomes a table: {"title", "columns", "rows"}."""
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        value = (data or {}).get(key)
        title = prop.get("title") or key
        if prop.get("type") == "object" and isinstance(value, dict):
            rows = [
                (sub.get("title") or name, display_value(sub, value.get(name)))
                for name, sub in (prop.get("properties") or {}).items()
                if sub.get("type") != "object"
            ]
            rows = [row for row in rows if row[1]]
            if rows:
                out.append({"title": title, "rows": rows})
        elif prop.get("type") == "array" and isinstance(value, list) and value:
            item_schema = prop.get("items") or {}
            if item_schema.get("type") == "object":
                columns = [
                    (name, sub)
                    for name, sub in (item_schema.get("properties") or {}).items()
                    if any(
                        isinstance(item, dict) and item.get(name) not in (None, "")
                        for item in value
                    )
                ]
                out.append(
                    {
                        "title": title,
                        "columns": [sub.get("title") or name for name, sub in columns],
                        "table": [
                            [display_value(sub, (item or {}).get(name)) for name, sub in columns]
                            for item in value
                            if isinstance(item, dict)
                        ],
                    }
                )
            else:
                out.append({"title": title, "rows": [(title, display_value(prop, value))]})
        elif value not in (None, ""):
            out.append({"title": "", "rows": [(title, display_value(prop, value))]})
    return out


def labelled(schema: dict, data: dict, key: str) -> dict:
    """`data[key]` with every value replaced by its printed form (object sections only)."""
    prop = (schema.get("properties") or {}).get(key) or {}
    value = (data or {}).get(key) or {}
    if not isinstance(value, dict):
        return {}
    return {
        name: display_value(sub, value.get(name))
        for name, sub in (prop.get("properties") or {}).items()
    }


def _years_later(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def badge_valid_until(vehicle: dict, issued_on: date) -> date:
    """The last day a badge is valid (rule in docs/results.md); raises BadgeRefused."""
    until = _years_later(issued_on, BADGE_MAX_YEARS) - timedelta(days=1)
    service_life = vehicle.get("service_life_year")
    if isinstance(service_life, int) and service_life > 0:
        until = min(until, date(service_life, 12, 31))
    if vehicle.get("ownership") in ("leased", "cooperation"):
        contract_to = parse_moment(vehicle.get("contract_to"))
        if contract_to is not None:
            contract_day = contract_to if type(contract_to) is date else contract_to.date()
            until = min(until, contract_day)
    if until < issued_on:
        raise BadgeRefused(vehicle.get("plate") or "?")
    return until


def badge_rows(schema: dict, data: dict) -> tuple[str, str, list[dict]]:
    """(badge type label, operator name, vehicles with printed values) of a badge dossier."""
    props = schema.get("properties") or {}
    request = (data or {}).get("request") or {}
    request_props = (props.get("request") or {}).get("properties") or {}
    badge_type = display_value(request_props.get("badge_type") or {}, request.get("badge_type"))
    operator = ((data or {}).get("operator") or {}).get("name", "")
    vehicle_props = ((props.get("vehicles") or {}).get("items") or {}).get("properties") or {}
    vehicles = []
    for vehicle in (data or {}).get("vehicles") or []:
        if not isinstance(vehicle, dict):
            continue
        vehicles.append(
            {
                "raw": vehicle,
                "plate": str(vehicle.get("plate", "")),
                "brand": display_value(vehicle_props.get("brand") or {}, vehicle.get("brand")),
                "seats": vehicle.get("seats") or "",
                "payload_kg": vehicle.get("payload_kg") or "",
                "vehicle_class": str(vehicle.get("vehicle_class") or ""),
            }
        )
    return badge_type, operator, vehicles
