"""Fee schedules (biểu phí, lệ phí) as data, and the amount they give for a form.

A procedure's `fee_schedule` is a JSON object with a `kind`:

- `zero`: no fee (`{"kind": "zero"}`);
- `fixed`: one amount (`{"kind": "fixed", "amount": 190000, "label": "..."}`);
- `per_item`: an amount per element of a repeating form group
  (`{"kind": "per_item", "items": "vehicles", "amount": 50000, "item_label": "xe"}`);
- `table`: bands on a numeric form field, each with a `rate` per unit or a flat `amount`
  and an optional `minimum` (`{"kind": "table", "field": "ship.gross_tonnage", "unit": "GT",
  "bands": [{"below": 500, "rate": 3000, "minimum": 300000}, {"from": 500, "rate": 2500}]}`).
  A band covers `from` (inclusive, 0 when absent) up to `below` (exclusive, open when absent).

Any kind may add `exemptions` (a form condition: `{"field": "owner.type", "in": [...],
"label": "..."}` or `"equals"`) and time-limited `waivers` (`{"from": "2026-04-07",
"to": "2026-06-30", "legal_basis": "Thông tư 40/2026/TT-BTC"}`, both days included), a
`legal_basis` and a `minimum` for the whole fee. Amounts are whole đồng.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator

from motcua.catalogue.forms_schema import _walk_schema
from motcua.core.money import format_vnd

KINDS = ("zero", "fixed", "per_item", "table")

_MONEY = {"type": "integer", "minimum": 0}
_NUMBER = {"type": "number", "minimum": 0}
_CONDITION = {
    "type": "object",
    "required": ["field"],
    "additionalProperties": False,
    "properties": {
        "field": {"type": "string", "minLength": 1},
        "equals": {},
        "in": {"type": "array", "minItems": 1},
        "label": {"type": "string"},
    },
}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_COMMON = {
    "kind": {"enum": list(KINDS)},
    "label": {"type": "string"},
    "legal_basis": {"type": "string"},
    "note": {"type": "string"},
    "minimum": _MONEY,
    "exemptions": {"type": "array", "items": _CONDITION},
    "waivers": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["from", "to", "legal_basis"],
            "additionalProperties": False,
            "properties": {
                "from": _DATE,
                "to": _DATE,
                "legal_basis": {"type": "string", "minLength": 1},
                "label": {"type": "string"},
            },
        },
    },
}
SCHEMAS = {
    "zero": {"properties": {}, "required": []},
    "fixed": {"properties": {"amount": _MONEY}, "required": ["amount"]},
    "per_item": {
        "properties": {
            "items": {"type": "string", "minLength": 1},
            "amount": _MONEY,
            "item_label": {"type": "string"},
        },
        "required": ["items", "amount"],
    },
    "table": {
        "properties": {
            "field": {"type": "string", "minLength": 1},
            "unit": {"type": "string"},
            "bands": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "from": _NUMBER,
                        "below": _NUMBER,
                        "rate": _MONEY,
                        "amount": _MONEY,
                        "minimum": _MONEY,
                    },
                    "oneOf": [{"required": ["rate"]}, {"required": ["amount"]}],
                },
            },
        },
        "required": ["field", "bands"],
    },
}

_MESSAGES = {
    "required": gettext_lazy("thiếu khóa bắt buộc"),
    "type": gettext_lazy("sai kiểu dữ liệu (cần {expected})"),
    "minimum": gettext_lazy("không được âm"),
    "minLength": gettext_lazy("không được để trống"),
    "minItems": gettext_lazy("phải có ít nhất một mục"),
    "enum": gettext_lazy("phải là một trong: {expected}"),
    "pattern": gettext_lazy("phải là ngày dạng YYYY-MM-DD"),
    "additionalProperties": gettext_lazy("có khóa không dùng được"),
    "oneOf": gettext_lazy(
        "mỗi bậc phải có đúng một trong hai khóa “rate” (đơn giá) hoặc “amount” (mức cố định)"
    ),
}


def _full_schema(kind: str) -> dict:
    spec = SCHEMAS[kind]
    return {
        "type": "object",
        "required": ["kind", *spec["required"]],
        "additionalProperties": False,
        "properties": {**_COMMON, **spec["properties"]},
    }


def _error_text(error) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or _("gốc")
    template = _MESSAGES.get(error.validator, error.message)
    expected = error.validator_value
    if error.validator == "enum":
        expected = ", ".join(str(v) for v in expected)
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in (error.instance or {})]
        return _("Biểu phí: thiếu “%(key)s” tại %(where)s.") % {
            "key": ", ".join(missing),
            "where": where,
        }
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("Biểu phí: khóa lạ “%(keys)s” tại %(where)s.") % {
            "keys": ", ".join(extra),
            "where": where,
        }
    return _("Biểu phí: giá trị tại %(where)s %(problem)s.") % {
        "where": where,
        "problem": str(template).format(expected=expected),
    }


def _schema_paths(form_schema: dict) -> dict[str, dict]:
    return dict(_walk_schema(form_schema or {}))


def schedule_problems(schedule, form_schema: dict | None = None) -> list[str]:
    """Why this fee schedule cannot be used, in Vietnamese; empty when it is fine.

    With the procedure's `form_schema`, also checks that the form fields it reads exist.
    """
    if schedule in (None, {}):
        return []
    if not isinstance(schedule, dict):
        return [_('Biểu phí phải là một đối tượng JSON, ví dụ {"kind": "fixed", ...}.')]
    kind = schedule.get("kind")
    if kind not in KINDS:
        return [_("Biểu phí: “kind” phải là một trong %(kinds)s.") % {"kinds": ", ".join(KINDS)}]
    validator = Draft202012Validator(_full_schema(kind))
    problems = [
        _error_text(e) for e in sorted(validator.iter_errors(schedule), key=lambda e: e.path)
    ]
    if problems:
        return problems
    for waiver in schedule.get("waivers", []):
        try:
            start, end = date.fromisoformat(waiver["from"]), date.fromisoformat(waiver["to"])
        except ValueError:
            problems.append(_("Biểu phí: ngày miễn, giảm không có thật: %s.") % waiver)
            continue
        if end < start:
            problems.append(
                _(
                    "Biểu phí: thời gian miễn từ %(start)s đến %(end)s có ngày kết thúc trước ngày bắt đầu."
                )
                % {"start": waiver["from"], "end": waiver["to"]}
            )
    if kind == "table":
        previous_end = None
        for index, band in enumerate(schedule["bands"], start=1):
            start = band.get("from", 0)
            end = band.get("below")
            if end is not None and end <= start:
                problems.append(
                    _("Biểu phí: bậc %(n)s có “below” không lớn hơn “from”.") % {"n": index}
                )
            if previous_end is not None and start != previous_end:
                problems.append(
                    _(
                        "Biểu phí: bậc %(n)s phải bắt đầu đúng nơi bậc trước kết thúc "
                        "(%(end)s), các bậc không được chồng hoặc hở."
                    )
                    % {"n": index, "end": previous_end}
                )
            if end is None and index != len(schedule["bands"]):
                problems.append(_("Biểu phí: chỉ bậc cuối được để trống “below”."))
            previous_end = end
    if form_schema:
        paths = _schema_paths(form_schema)
        wanted = [c["field"] for c in schedule.get("exemptions", [])]
        if kind == "table":
            wanted.append(schedule["field"])
            sub = paths.get(schedule["field"])
            if sub is not None and sub.get("type") not in ("number", "integer"):
                problems.append(
                    _("Biểu phí: trường “%(path)s” của tờ khai phải là số.")
                    % {"path": schedule["field"]}
                )
        if kind == "per_item":
            wanted.append(schedule["items"])
            sub = paths.get(schedule["items"])
            if sub is not None and sub.get("type") != "array":
                problems.append(
                    _("Biểu phí: trường “%(path)s” của tờ khai phải là danh sách lặp lại.")
                    % {"path": schedule["items"]}
                )
        for path in wanted:
            if path not in paths:
                problems.append(
                    _("Biểu phí nói đến trường không có trong tờ khai: “%(path)s”.")
                    % {"path": path}
                )
    return problems


# --- Computing a quote ---------------------------------------------------------------------


@dataclass
class FeeQuote:
    """What the applicant owes for a form (đồng), line by line, with a note for people."""

    amount: int
    lines: list[dict] = field(default_factory=list)
    note: str = ""
    # False when the form does not yet say enough to compute the fee (a missing field).
    complete: bool = True
    waived: bool = False


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return text.replace(".", ",")


def _lookup(data, path: str):
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _matches(condition: dict, data: dict) -> bool:
    value = _lookup(data, condition["field"])
    if "in" in condition:
        return value in condition["in"]
    if "equals" in condition:
        return value == condition["equals"]
    return bool(value)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _line(label: str, quantity, unit_amount: int, amount: int) -> dict:
    return {"label": label, "quantity": quantity, "unit_amount": unit_amount, "amount": amount}


def _band_for(bands: list[dict], value: Decimal) -> dict | None:
    for band in bands:
        start = Decimal(str(band.get("from", 0)))
        end = band.get("below")
        if value >= start and (end is None or value < Decimal(str(end))):
            return band
    return None


def _base(schedule: dict, data: dict) -> FeeQuote:
    kind = schedule["kind"]
    label = schedule.get("label") or _("Phí, lệ phí")
    if kind == "zero":
        return FeeQuote(0, [], schedule.get("note") or _("Không thu phí, lệ phí."))
    if kind == "fixed":
        amount = schedule["amount"]
        return FeeQuote(amount, [_line(label, 1, amount, amount)])
    if kind == "per_item":
        items = _lookup(data, schedule["items"])
        count = len(items) if isinstance(items, list) else 0
        amount = schedule["amount"] * count
        item = schedule.get("item_label") or _("mục")
        line = _line(f"{label} ({count} {item})", count, schedule["amount"], amount)
        if count == 0:
            return FeeQuote(0, [], _("Tờ khai chưa có %(item)s nào.") % {"item": item}, False)
        return FeeQuote(amount, [line])
    # table
    raw = _lookup(data, schedule["field"])
    try:
        value = Decimal(str(raw)) if raw not in (None, "") and not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None:
        return FeeQuote(0, [], _("Chưa tính được: tờ khai chưa có số liệu để tính phí."), False)
    band = _band_for(schedule["bands"], value)
    if band is None:
        return FeeQuote(0, [], _("Chưa tính được: số liệu ngoài biểu phí."), False)
    unit = schedule.get("unit", "")
    if "amount" in band:
        amount = band["amount"]
        lines = [_line(label, 1, amount, amount)]
    else:
        amount = _round(value * band["rate"])
        quantity = f"{_number(value)} {unit}".strip()
        lines = [_line(label, quantity, band["rate"], amount)]
    minimum = band.get("minimum", 0)
    note = ""
    if amount < minimum:
        note = _("Áp dụng mức tối thiểu %(min)s đồng.") % {"min": format_vnd(minimum)}
        lines = [_line(f"{label} ({_('mức tối thiểu')})", 1, minimum, minimum)]
        amount = minimum
    return FeeQuote(amount, lines, note)


def compute(schedule: dict, data: dict, *, on: date | None = None) -> FeeQuote:
    """The fee `schedule` gives for form `data` on day `on` (today, Vietnam time, by default)."""
    if not schedule:
        return FeeQuote(0, [], _("Không thu phí, lệ phí."))
    on = on or timezone.localdate()
    data = data or {}
    for exemption in schedule.get("exemptions", []):
        if _matches(exemption, data):
            return FeeQuote(0, [], exemption.get("label") or _("Thuộc đối tượng được miễn."))
    quote = _base(schedule, data)
    overall = schedule.get("minimum", 0)
    if quote.complete and 0 < quote.amount < overall:
        quote = FeeQuote(
            overall,
            [_line(_("Mức thu tối thiểu"), 1, overall, overall)],
            _("Áp dụng mức tối thiểu %(min)s đồng.") % {"min": format_vnd(overall)},
        )
    for waiver in schedule.get("waivers", []):
        start, end = date.fromisoformat(waiver["from"]), date.fromisoformat(waiver["to"])
        if start <= on <= end and quote.amount:
            note = waiver.get("label") or _("Miễn từ %(start)s đến %(end)s theo %(basis)s.") % {
                "start": start.strftime("%d/%m/%Y"),
                "end": end.strftime("%d/%m/%Y"),
                "basis": waiver["legal_basis"],
            }
            waived = [
                {**line, "amount": 0, "waived_amount": line["amount"]} for line in quote.lines
            ]
            return FeeQuote(0, waived, note, True, waived=True)
    return quote


def describe(schedule: dict, *, on: date | None = None) -> list[str]:
    """The schedule in plain Vietnamese, one sentence a line (the public procedure page); a
    waiver that ended before `on` (today by default) says so."""
    if not schedule:
        return []
    on = on or timezone.localdate()
    kind = schedule["kind"]
    label = schedule.get("label") or _("Phí, lệ phí")
    lines = []
    if kind == "zero":
        lines.append(schedule.get("note") or _("Không thu phí, lệ phí."))
    elif kind == "fixed":
        lines.append(f"{label}: {format_vnd(schedule['amount'])} đồng.")
    elif kind == "per_item":
        item = schedule.get("item_label") or _("mục")
        lines.append(f"{label}: {format_vnd(schedule['amount'])} đồng/{item}.")
    else:
        unit = schedule.get("unit", "")
        for band in schedule["bands"]:
            start, end = band.get("from"), band.get("below")
            if start and end is not None:
                span = _("từ %(a)s đến dưới %(b)s %(u)s") % {
                    "a": _number(Decimal(str(start))),
                    "b": _number(Decimal(str(end))),
                    "u": unit,
                }
            elif end is not None:
                span = _("dưới %(b)s %(u)s") % {"b": _number(Decimal(str(end))), "u": unit}
            else:
                span = _("từ %(a)s %(u)s trở lên") % {
                    "a": _number(Decimal(str(start or 0))),
                    "u": unit,
                }
            if "amount" in band:
                price = f"{format_vnd(band['amount'])} đồng"
            else:
                price = f"{format_vnd(band['rate'])} đồng/{unit}"
            if band.get("minimum"):
                price += " " + _("(tối thiểu %(m)s đồng)") % {"m": format_vnd(band["minimum"])}
            lines.append(f"{label} {span.strip()}: {price}.")
    for exemption in schedule.get("exemptions", []):
        if exemption.get("label"):
            lines.append(exemption["label"])
    for waiver in schedule.get("waivers", []):
        end = date.fromisoformat(waiver["to"])
        line = waiver.get("label") or _("Miễn từ %(start)s đến %(end)s theo %(basis)s.") % {
            "start": date.fromisoformat(waiver["from"]).strftime("%d/%m/%Y"),
            "end": end.strftime("%d/%m/%Y"),
            "basis": waiver["legal_basis"],
        }
        if end < on:
            line += " " + _("(Đã hết hiệu lực từ %(day)s.)") % {
                "day": (end + timedelta(days=1)).strftime("%d/%m/%Y")
            }
        lines.append(line)
    if schedule.get("legal_basis"):
        lines.append(_("Căn cứ: %(basis)s.") % {"basis": schedule["legal_basis"]})
    return lines


def _lowest(schedule: dict) -> int:
    """The least a table can charge: each band at its lower edge, with its minimum."""
    amounts = []
    for band in schedule["bands"]:
        if "amount" in band:
            amounts.append(band["amount"])
        else:
            at_start = _round(Decimal(str(band["rate"])) * Decimal(str(band.get("from", 0))))
            amounts.append(max(at_start, band.get("minimum", 0)))
    return max(min(amounts), schedule.get("minimum", 0))


def fee_schedule_of(procedure) -> dict:
    """The procedure's schedule; a plain published amount (fee_vnd) counts as a fixed fee."""
    if procedure.fee_schedule:
        return procedure.fee_schedule
    if procedure.fee_vnd:
        return {"kind": "fixed", "amount": int(procedure.fee_vnd), "label": _("Phí, lệ phí")}
    if procedure.fee_vnd == 0:
        return {"kind": "zero"}
    return {}


def summary(schedule: dict, fee_vnd: int | None, *, on: date | None = None) -> str:
    """The fee in a few words for a procedure's card, from the same facts as its page: the
    schedule when there is one, else the published amount."""
    if not schedule:
        if fee_vnd is None:
            return _("Chưa công bố")
        return _("Miễn phí") if fee_vnd == 0 else f"{format_vnd(fee_vnd)} ₫"
    on = on or timezone.localdate()
    kind = schedule["kind"]
    if kind == "zero":
        return _("Miễn phí")
    for waiver in schedule.get("waivers", []):
        start, end = date.fromisoformat(waiver["from"]), date.fromisoformat(waiver["to"])
        if start <= on <= end:
            return _("Miễn phí đến %(day)s") % {"day": end.strftime("%d/%m/%Y")}
    if kind == "fixed":
        return f"{format_vnd(schedule['amount'])} ₫"
    if kind == "per_item":
        item = schedule.get("item_label") or _("mục")
        return f"{format_vnd(schedule['amount'])} ₫/{item}"
    lowest = _lowest(schedule)
    if lowest:
        return _("từ %(amount)s ₫") % {"amount": format_vnd(lowest)}
    return _("theo biểu phí")
