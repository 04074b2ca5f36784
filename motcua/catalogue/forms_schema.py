"""Application forms as data: JSON Schema (draft 2020-12) plus UI hints.

The schema says what is valid (checked on the server with `jsonschema`); the hints say how to
show it: labels and help come from `title` and `description`, and `form_ui["fields"]` adds,
per field path (`operator.name`, `vehicles.*.plate`), a widget, a placeholder, a prefill
source (a profile attribute, or a register's field looked up by another field of the form), a
condition (`show_if`) and plain-Vietnamese error messages. Each top-level
property of the schema is one section of the applicant's task list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError

WIDGETS = {
    "text",
    "textarea",
    "select",
    "radio",
    "date",
    "number",
    "email",
    "tel",
    "checkbox",
    "checkboxes",
}
PREFILL_SOURCES = {
    "full_name",
    "citizen_id",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "organisation_name",
    "tax_code",
    "representative",
}
_UI_KEYS = {
    "widget",
    "placeholder",
    "prefill",
    "show_if",
    "errors",
    "help",
    "add_label",
    "item_label",
    "autocomplete",
    "inputmode",
    "rows",
    "normalise",
}
# How a hint may normalise a typed code before it is checked ("normalise": "upper").
NORMALISERS = {"upper"}


# --- Schema checks (admin) --------------------------------------------------------------------


def _walk_schema(schema: dict, path: str = ""):
    """Yield (path, subschema) for every property, with `*` for array items."""
    for name, sub in (schema.get("properties") or {}).items():
        sub_path = f"{path}.{name}" if path else name
        yield sub_path, sub
        if sub.get("type") == "object":
            yield from _walk_schema(sub, sub_path)
        elif sub.get("type") == "array" and (sub.get("items") or {}).get("type") == "object":
            yield from _walk_schema(sub["items"], f"{sub_path}.*")


def _posted_fields(sub: dict) -> int:
    """The most form fields a POST of this part of the form can carry."""
    kind = sub.get("type")
    if kind == "object":
        return sum(_posted_fields(child) for child in (sub.get("properties") or {}).values())
    if _is_group(sub):
        return max_items(sub) * max(1, _posted_fields(sub["items"]))
    if kind == "array":
        return max_items(sub)
    return 1


def schema_problems(schema: dict, ui: dict) -> list[str]:
    """Why this form cannot be used, in Vietnamese; an empty list means it is fine."""
    problems: list[str] = []
    if not isinstance(schema, dict) or not schema:
        return [_("Lược đồ tờ khai phải là một đối tượng JSON Schema.")]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "gốc"
        return [
            _("Lược đồ tờ khai không hợp lệ tại %(where)s: %(msg)s")
            % {"where": where, "msg": exc.message}
        ]
    if schema.get("type") != "object" or not schema.get("properties"):
        problems.append(_("Lược đồ tờ khai phải là kiểu object và có ít nhất một mục."))
        return problems
    for name, sub in schema["properties"].items():
        if sub.get("type") not in ("object", "array"):
            problems.append(
                _(
                    "Mục cấp cao nhất “%(name)s” phải là object hoặc array (mỗi mục là một phần của tờ khai)."
                )
                % {"name": name}
            )
    fields_limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    for name, sub in schema["properties"].items():
        # A section is posted whole: past Django's field limit its page could not be saved.
        if fields_limit and _posted_fields(sub) > fields_limit - 10:
            problems.append(
                _(
                    "Mục “%(name)s” có thể có tới %(n)s trường khi đủ số mục tối đa, quá %(max)s "
                    "trường một lần gửi: đặt maxItems nhỏ hơn cho danh sách trong mục này."
                )
                % {"name": name, "n": _posted_fields(sub), "max": fields_limit - 10}
            )
    known = dict(_walk_schema(schema))
    for path, sub in known.items():
        if not sub.get("title"):
            problems.append(_("Trường “%(path)s” thiếu nhãn (title).") % {"path": path})
        for keyword in ("formatMinimum", "formatMaximum"):
            if keyword in sub and date_limit(sub[keyword]) is None:
                problems.append(
                    _("%(k)s của “%(path)s” phải là “today” hoặc một ngày dạng yyyy-mm-dd.")
                    % {"k": keyword, "path": path}
                )
    if not isinstance(ui, dict):
        return [*problems, _("Gợi ý hiển thị phải là một đối tượng JSON.")]
    for path, hints in (ui.get("fields") or {}).items():
        if path not in known:
            problems.append(
                _("Gợi ý hiển thị nói đến trường không có trong lược đồ: “%(path)s”.")
                % {"path": path}
            )
            continue
        if not isinstance(hints, dict):
            problems.append(_("Gợi ý của “%(path)s” phải là một đối tượng.") % {"path": path})
            continue
        unknown = set(hints) - _UI_KEYS
        if unknown:
            problems.append(
                _("Gợi ý của “%(path)s” có khóa lạ: %(keys)s.")
                % {"path": path, "keys": ", ".join(sorted(unknown))}
            )
        if hints.get("widget") and hints["widget"] not in WIDGETS:
            problems.append(
                _("Kiểu nhập “%(w)s” của “%(path)s” không được hỗ trợ.")
                % {"w": hints["widget"], "path": path}
            )
        if hints.get("normalise") and hints["normalise"] not in NORMALISERS:
            problems.append(
                _("Cách chuẩn hóa “%(n)s” của “%(path)s” không được hỗ trợ.")
                % {"n": hints["normalise"], "path": path}
            )
        if isinstance(hints.get("prefill"), dict):
            problems.extend(_register_hint_problems(path, hints["prefill"], known))
        elif hints.get("prefill") and hints["prefill"] not in PREFILL_SOURCES:
            problems.append(
                _("Nguồn điền sẵn “%(s)s” của “%(path)s” không tồn tại.")
                % {"s": hints["prefill"], "path": path}
            )
        show_if = hints.get("show_if")
        if show_if is not None:
            parent = path.rsplit(".", 1)[0] if "." in path else ""
            target = f"{parent}.{show_if.get('field')}" if parent else str(show_if.get("field"))
            if not isinstance(show_if, dict) or "field" not in show_if or "in" not in show_if:
                problems.append(
                    _('show_if của “%(path)s” cần dạng {"field": ..., "in": [...]}.')
                    % {"path": path}
                )
            elif target not in known:
                problems.append(
                    _("show_if của “%(path)s” nói đến trường không có: “%(t)s”.")
                    % {"path": path, "t": target}
                )
    return problems


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_REGISTER_HINT_KEYS = {"register", "key", "field", "profile"}


def _register_hint_problems(path: str, hint: dict, known: dict) -> list[str]:
    """A field filled from a register: {"register": "vehicles", "key": "vehicles.*.plate",
    "field": "chassis_no"}, optionally "profile": a profile attribute used while the register
    does not answer. The key is a field of the same form, in the same item of a list."""
    problems = []
    unknown = set(hint) - _REGISTER_HINT_KEYS
    if unknown:
        problems.append(
            _("Nguồn điền sẵn của “%(path)s” có khóa lạ: %(keys)s.")
            % {"path": path, "keys": ", ".join(sorted(unknown))}
        )
    for name in ("register", "field"):
        if not isinstance(hint.get(name), str) or not _IDENTIFIER.match(hint[name]):
            problems.append(
                _("Nguồn điền sẵn của “%(path)s” cần “%(name)s” là một mã (chữ thường, số, _).")
                % {"path": path, "name": name}
            )
    key = hint.get("key")
    if not isinstance(key, str) or key not in known:
        problems.append(
            _("Nguồn điền sẵn của “%(path)s” nói đến trường khóa không có: “%(key)s”.")
            % {"path": path, "key": key}
        )
    elif key == path or _list_prefix(key) != _list_prefix(path):
        problems.append(
            _(
                "Trường khóa “%(key)s” của “%(path)s” phải là một trường khác, cùng mục (cùng "
                "xe, cùng người) với trường được điền."
            )
            % {"path": path, "key": key}
        )
    if hint.get("profile") and hint["profile"] not in PREFILL_SOURCES:
        problems.append(
            _("Nguồn điền sẵn “%(s)s” của “%(path)s” không tồn tại.")
            % {"s": hint["profile"], "path": path}
        )
    return problems


def _list_prefix(path: str) -> str:
    """The path up to its last list ("vehicles.*" of "vehicles.*.plate"; "" outside lists)."""
    return path.rsplit("*", 1)[0] if "*" in path else ""


@dataclass(frozen=True)
class RegisterHint:
    """A field the form fills from a register (form_ui "prefill": {"register": ...})."""

    path: str  # the field, with * for list items: "vehicles.*.chassis_no"
    register: str
    key: str  # the field holding the key: "vehicles.*.plate"
    field: str  # the register's attribute
    profile: str = ""


def register_hints(ui: dict) -> list[RegisterHint]:
    out = []
    for path, hints in ((ui or {}).get("fields") or {}).items():
        hint = hints.get("prefill") if isinstance(hints, dict) else None
        if isinstance(hint, dict) and hint.get("register") and hint.get("key"):
            out.append(
                RegisterHint(
                    path=path,
                    register=str(hint["register"]),
                    key=str(hint["key"]),
                    field=str(hint.get("field") or ""),
                    profile=str(hint.get("profile") or ""),
                )
            )
    return out


# --- Bound fields (rendering) -----------------------------------------------------------------


@dataclass
class BoundField:
    """One field of the form with its value and messages. Its derived values are cached: a
    field's template reads each of them several times, on pages of hundreds of fields."""

    path: str  # instance path, e.g. "vehicles.0.plate"
    hint_path: str  # path with "*" for array indexes, the key into form_ui["fields"]
    schema: dict
    hints: dict
    required: bool
    value: Any = None
    errors: list[str] = field(default_factory=list)
    children: list[BoundField] = field(default_factory=list)  # object
    items: list[list[BoundField]] = field(default_factory=list)  # array of objects
    item_errors: list[str] = field(default_factory=list)
    # Filled in by the page: the label of the register this field's value may be fetched
    # from (a button beside a key field), and where its value came from (a register's name,
    # when, whether the applicant changed it).
    lookup_label: str = ""
    source: dict | None = None

    def __getitem__(self, name: str):
        # Django's template engine tries `field[name]` before `field.name`; answering it here
        # spares a raised and caught TypeError on each of the ~30 lookups of every field.
        if not isinstance(name, str):
            raise TypeError(name)
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    @cached_property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @cached_property
    def label(self) -> str:
        return self.schema.get("title", self.path)

    @cached_property
    def help(self) -> str:
        return self.hints.get("help") or self.schema.get("description", "")

    @cached_property
    def kind(self) -> str:
        kind = self.schema.get("type")
        if kind == "array" and (self.schema.get("items") or {}).get("type") == "object":
            return "group"
        if kind == "object":
            return "object"
        return "leaf"

    @cached_property
    def widget(self) -> str:
        if self.hints.get("widget"):
            return self.hints["widget"]
        kind = self.schema.get("type")
        if kind == "boolean":
            return "checkbox"
        if kind == "array":
            return "checkboxes"
        if "enum" in self.schema:
            return "radio" if len(self.schema["enum"]) <= 4 else "select"
        if kind in ("integer", "number"):
            return "number"
        fmt = self.schema.get("format")
        if fmt == "date":
            return "date"
        if fmt == "email":
            return "email"
        if (self.schema.get("maxLength") or 0) > 300:
            return "textarea"
        return "text"

    @cached_property
    def choices(self) -> list[tuple[str, str]]:
        source = self.schema.get("items", {}) if self.schema.get("type") == "array" else self.schema
        values = source.get("enum") or []
        labels = source.get("enumNames") or source.get("x-enumNames") or values
        return list(zip([str(v) for v in values], labels, strict=False))

    @cached_property
    def display_value(self) -> str:
        """The value as the applicant typed it: dates as dd/mm/yyyy."""
        if self.value is None:
            return ""
        if self.widget == "date" and isinstance(self.value, str):
            try:
                return datetime.strptime(self.value, "%Y-%m-%d").strftime("%d/%m/%Y")
            except ValueError:
                return self.value
        return str(self.value)

    @cached_property
    def selected(self) -> list[str]:
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [] if self.value is None else [str(self.value)]

    @cached_property
    def show_if(self) -> dict | None:
        show_if = self.hints.get("show_if")
        if not show_if:
            return None
        parent = self.path.rsplit(".", 1)[0] if "." in self.path else ""
        target = f"{parent}.{show_if['field']}" if parent else show_if["field"]
        return {"field": target, "values": "|".join(str(v) for v in show_if["in"])}

    @cached_property
    def answer_display(self) -> str:
        """The answer for "check your answers": choice labels instead of codes."""
        labels = dict(self.choices)
        if self.widget == "checkbox":
            return _("Có") if self.value else _("Không")
        if isinstance(self.value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in self.value)
        return labels.get(str(self.value), self.display_value) if self.value is not None else ""

    @cached_property
    def anchor(self) -> str:
        """The id the error summary links to: the field's input, or the first of its choices."""
        if self.kind == "leaf" and self.widget in ("radio", "checkboxes") and self.choices:
            return f"{self.id}-1"
        return self.id

    def error_entries(self, context: str = "") -> list[tuple[str, str]]:
        """(anchor, "Label: message") for the error summary, in the order of the fields; a
        field of a repeated item is named with its item ("Xe 2 – Biển số")."""
        label = f"{context} – {self.label}" if context else self.label
        out = [(self.anchor, summary_entry(label, e)) for e in [*self.errors, *self.item_errors]]
        for child in self.children:
            out.extend(child.error_entries(context))
        item_label = self.hints.get("item_label") or self.label
        for number, item in enumerate(self.items, start=1):
            for child in item:
                out.extend(child.error_entries(f"{item_label} {number}"))
        return out

    @cached_property
    def all_errors(self) -> list[tuple[str, str]]:
        return self.error_entries()


def summary_entry(label: str, message: str) -> str:
    """An entry of the error summary: the field's name, then what is wrong with it."""
    return _("%(label)s: %(message)s") % {"label": label, "message": message}


class _Hints(dict):
    """A field's hints, where a hint not given reads as "": the template asks for several
    (placeholder, inputmode, rows...) on every field, and a missing key costs Django's template
    engine three failed lookups and a dir()."""

    def __missing__(self, key):
        return ""


def _hints(ui: dict, hint_path: str) -> dict:
    return (ui.get("fields") or {}).get(hint_path, {})


def _is_visible(schema_hints: dict, parent_data: dict) -> bool:
    show_if = schema_hints.get("show_if")
    if not show_if:
        return True
    return parent_data.get(show_if["field"]) in show_if["in"]


def bind(
    schema: dict, ui: dict, data: dict, errors: dict[str, list[str]] | None = None
) -> list[BoundField]:
    """The form's sections as bound fields, with values from `data` and messages from `errors`."""
    errors = errors or {}

    def build(sub: dict, path: str, hint_path: str, required: bool, value: Any) -> BoundField:
        bound = BoundField(
            path=path,
            hint_path=hint_path,
            schema=sub,
            hints=_Hints(_hints(ui, hint_path)),
            required=required,
            value=value,
            errors=errors.get(path, []),
        )
        if bound.kind == "object":
            value = value if isinstance(value, dict) else {}
            req = set(sub.get("required") or [])
            for name, child in (sub.get("properties") or {}).items():
                bound.children.append(
                    build(
                        child, f"{path}.{name}", f"{hint_path}.{name}", name in req, value.get(name)
                    )
                )
        elif bound.kind == "group":
            items = (
                value
                if isinstance(value, list) and value
                else [{}] * max(1, sub.get("minItems", 1))
            )
            item_schema = sub["items"]
            req = set(item_schema.get("required") or [])
            for index, item in enumerate(items):
                item = item if isinstance(item, dict) else {}
                bound.items.append(
                    [
                        build(
                            child,
                            f"{path}.{index}.{name}",
                            f"{hint_path}.*.{name}",
                            name in req,
                            item.get(name),
                        )
                        for name, child in (item_schema.get("properties") or {}).items()
                    ]
                )
            bound.item_errors = errors.get(f"{path}.__items", [])
        return bound

    required = set(schema.get("required") or [])
    return [
        build(sub, name, name, name in required, (data or {}).get(name))
        for name, sub in (schema.get("properties") or {}).items()
    ]


# --- Size limits ------------------------------------------------------------------------------


def max_items(sub: dict) -> int:
    """How many items an array may hold: its `maxItems`; without one, as many as its choices
    (a checkbox list) or FORM_MAX_ITEMS."""
    cap = sub.get("maxItems")
    if isinstance(cap, int) and cap >= 0:
        return cap
    choices = (sub.get("items") or {}).get("enum")
    return len(choices) if isinstance(choices, list) and choices else settings.FORM_MAX_ITEMS


def _is_group(sub: dict) -> bool:
    return sub.get("type") == "array" and (sub.get("items") or {}).get("type") == "object"


def _posted_lists(schema: dict, post) -> dict[str, tuple[dict, set[int] | int]]:
    """The arrays a POST fills, in one pass over its keys: path -> (array schema, the row
    indexes posted for a repeating group, or the number of values of a checkbox list).

    A key is followed down the schema only as far as the schema goes, so a forged key costs
    no more than the schema's depth.
    """
    found: dict[str, tuple[dict, set[int] | int]] = {}
    for key in post:
        parts = key.split(".")
        sub, i = schema, 0
        while i < len(parts) and sub.get("type") == "object":
            sub = (sub.get("properties") or {}).get(parts[i])
            if not isinstance(sub, dict):
                break
            if sub.get("type") == "array":
                path = ".".join(parts[: i + 1])
                index = parts[i + 1] if i + 1 < len(parts) else ""
                if _is_group(sub) and index.isascii() and index.isdigit():
                    found.setdefault(path, (sub, set()))[1].add(int(index))
                    sub, i = sub["items"], i + 2
                    continue
                if not _is_group(sub) and i + 1 == len(parts):
                    values = post.getlist(key) if hasattr(post, "getlist") else [post.get(key)]
                    found[path] = (sub, len(values))
                break
            i += 1
    return found


def _saved_length(saved: Any, path: str) -> int:
    """Length of the list at `path` ("vehicles", "vehicles.3.drivers") in saved answers."""
    node = saved
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return 0
    return len(node) if isinstance(node, list) else 0


def _allowed(sub: dict, saved: Any, path: str) -> int:
    # A list saved longer than its limit (before the limit was enforced, or lowered since)
    # may stay that long, so that its rows can still be removed one by one; never longer.
    return max(max_items(sub), _saved_length(saved, path))


def too_many_posted(schema: dict, post, saved: Any = None) -> list[tuple[str, int]]:
    """(label, limit) of each list a POST fills beyond its limit: checked on the raw keys,
    before the answers are parsed, validated, stored or shown again. `saved`: the answers
    as saved (see _allowed)."""
    over = []
    for path, (sub, posted) in _posted_lists(schema, post).items():
        count = len(posted) if isinstance(posted, set) else posted
        if count > _allowed(sub, saved, path):
            over.append((sub.get("title") or path, max_items(sub)))
    return over


def too_many_items(schema: dict, data: Any, saved: Any = None) -> list[tuple[str, int]]:
    """(label, limit) of each list in the form's data longer than its limit. `saved`: the
    answers as saved (see _allowed)."""
    over: list[tuple[str, int]] = []

    def walk(sub: dict, value: Any, path: str) -> None:
        kind = sub.get("type")
        if kind == "object" and isinstance(value, dict):
            for name, child in (sub.get("properties") or {}).items():
                if name in value:
                    walk(child, value[name], f"{path}.{name}" if path else name)
        elif kind == "array" and isinstance(value, list):
            if len(value) > _allowed(sub, saved, path):
                over.append((sub.get("title") or path, max_items(sub)))
            elif _is_group(sub):
                for index, item in enumerate(value):
                    walk(sub["items"], item, f"{path}.{index}")

    walk(schema, data, "")
    return over


def form_size(data: Any) -> int:
    """Bytes the answers take, as compact UTF-8 JSON (what the account's quota counts)."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


# --- Parsing submitted forms ----------------------------------------------------------------

_DATE_INPUT = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def _coerce(sub: dict, hints: dict, raw: Any) -> Any:
    kind = sub.get("type")
    if kind == "array":
        return [v for v in raw if v != ""] if isinstance(raw, list) else []
    if kind == "boolean":
        return raw in ("on", "true", "1", True)
    if raw is None:
        return None
    raw = str(raw).strip()
    if raw == "":
        return None
    if kind == "integer":
        compact = raw.replace(".", "").replace(" ", "")
        return int(compact) if re.fullmatch(r"-?\d+", compact) else raw
    if kind == "number":
        compact = raw.replace(" ", "").replace(",", ".")
        try:
            return float(compact)
        except ValueError:
            return raw
    if sub.get("format") == "date" or hints.get("widget") == "date":
        match = _DATE_INPUT.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return raw
    return normalise_code(sub, hints, raw)


_SEPARATORS = re.compile(r"[\s_]+")


def normalise_code(sub: dict, hints: dict, raw: str) -> str:
    """A typed code as its pattern expects it: "51a 123.45" for "51A-123.45".

    A hint "normalise": "upper" upper-cases always; otherwise, an answer its `pattern`
    refuses is tried upper-cased, then with its spaces as the pattern's "-", then without
    them, and the first form the pattern takes is kept. An answer no form fits is kept as
    typed, and its error says what is expected.
    """
    if hints.get("normalise") == "upper":
        raw = raw.upper()
    pattern = sub.get("pattern")
    if not pattern or sub.get("type") not in (None, "string"):
        return raw
    try:
        compiled = re.compile(pattern)
    except re.error:
        return raw
    if compiled.search(raw):
        return raw
    upper = raw.upper()
    for candidate in (upper, _SEPARATORS.sub("-", upper), _SEPARATORS.sub("", upper)):
        if compiled.search(candidate):
            return candidate
    return raw


def parse_post(schema: dict, ui: dict, post) -> dict:
    """Turn POSTed fields (`operator.name`, `vehicles.0.plate`, ...) into the form's JSON data.

    Empty answers are left out so that `required` catches them; hidden conditional fields
    are dropped so they never leak into the dossier.
    """

    # The row indexes of every repeating group, read from the keys once: looking them up per
    # group (and per row of a nested group) made parsing quadratic in the number of fields.
    indexes_at = {
        path: sorted(posted)
        for path, (_sub, posted) in _posted_lists(schema, post).items()
        if isinstance(posted, set)
    }

    def join(path: str, name: str) -> str:
        return f"{path}.{name}" if path else name

    def read(sub: dict, path: str, hint_path: str) -> Any:
        kind = sub.get("type")
        hints = _hints(ui, hint_path)
        if kind == "object":
            out = {}
            for name, child in (sub.get("properties") or {}).items():
                value = read(child, join(path, name), join(hint_path, name))
                if value is not None and value != [] and value != {}:
                    out[name] = value
            for name in sub.get("properties") or {}:
                if not _is_visible(_hints(ui, join(hint_path, name)), out):
                    out.pop(name, None)
            return out
        if kind == "array" and (sub.get("items") or {}).get("type") == "object":
            items = [
                read(sub["items"], f"{path}.{i}", f"{hint_path}.*")
                for i in indexes_at.get(path, [])
            ]
            return [item for item in items if item]
        if kind == "array":
            return _coerce(
                sub, hints, post.getlist(path) if hasattr(post, "getlist") else post.get(path)
            )
        return _coerce(sub, hints, post.get(path))

    return read(schema, "", "")


# --- Validation with Vietnamese messages ------------------------------------------------------


def _message(error, hints: dict) -> str:
    custom = hints.get("errors") or {}
    validator = error.validator
    if validator in custom:
        return custom[validator]
    value = error.validator_value
    if validator == "required":
        return custom.get("required") or _("Trường này là bắt buộc.")
    if validator == "type":
        if value == "integer":
            return _("Nhập một số nguyên, ví dụ 45.")
        if value == "number":
            return _("Nhập một số, ví dụ 12,5.")
        return _("Giá trị không đúng kiểu.")
    if validator == "pattern":
        return _("Giá trị không đúng định dạng.")
    if validator == "format":
        if value == "date" and _is_a_date(error.instance):
            return _("Nhập ngày từ %(first)s đến %(last)s.") % {
                "first": DATE_RANGE[0].strftime("%d/%m/%Y"),
                "last": DATE_RANGE[1].strftime("%d/%m/%Y"),
            }
        if value == "date" and isinstance(error.instance, str):
            typed = _DATE_INPUT.match(error.instance)
            if typed:
                # Written right, but no such day: say so rather than blame the format.
                return _("Ngày %(date)s không có thật: kiểm tra lại ngày và tháng.") % {
                    "date": "/".join(
                        f"{int(g):02d}" if i < 2 else g for i, g in enumerate(typed.groups())
                    )
                }
        if value == "date":
            return _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2026.")
        if value == "email":
            return _("Nhập địa chỉ thư điện tử, ví dụ ten@example.vn.")
        return _("Giá trị không đúng định dạng.")
    if validator in ("formatMinimum", "formatMaximum"):
        bound = date_limit(value)
        shown = bound.strftime("%d/%m/%Y") if bound else ""
        if validator == "formatMaximum" and value == "today":
            return _("Ngày này chưa đến: nhập một ngày không sau hôm nay (%(d)s).") % {"d": shown}
        if validator == "formatMaximum":
            return _("Nhập một ngày không sau %(d)s.") % {"d": shown}
        if value == "today":
            return _("Ngày này đã qua: nhập một ngày từ hôm nay (%(d)s) trở đi.") % {"d": shown}
        return _("Nhập một ngày không trước %(d)s.") % {"d": shown}
    if validator == "minLength":
        return _("Nhập ít nhất %(n)s ký tự.") % {"n": value}
    if validator == "maxLength":
        return _("Nhập tối đa %(n)s ký tự.") % {"n": value}
    if validator in ("minimum", "exclusiveMinimum"):
        return _("Giá trị phải từ %(n)s trở lên.") % {"n": value}
    if validator in ("maximum", "exclusiveMaximum"):
        return _("Giá trị phải không quá %(n)s.") % {"n": value}
    if validator == "enum":
        return _("Chọn một giá trị trong danh sách.")
    if validator == "minItems":
        return _("Cần ít nhất %(n)s mục.") % {"n": value}
    if validator == "maxItems":
        return _("Tối đa %(n)s mục.") % {"n": value}
    if validator == "uniqueItems":
        return _("Các mục không được trùng nhau.")
    return _("Giá trị không hợp lệ.")


def _hint_path(parts: list) -> str:
    return ".".join("*" if isinstance(p, int) else str(p) for p in parts)


# The dates a form takes (a birth, a document, a contract) lie in this range: 9999-12-31 or
# 0001-01-01 is a typing slip or a probe, never an answer (decision 0029).
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
_FORMATS = FormatChecker()


@_FORMATS.checks("date", raises=ValueError)
def _date_in_range(value) -> bool:
    if not isinstance(value, str):
        return True  # "type" speaks for values that are not text
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    return DATE_RANGE[0] <= date.fromisoformat(value) <= DATE_RANGE[1]


def _is_a_date(value) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def date_limit(limit: Any) -> date | None:
    """A date field's `formatMinimum` / `formatMaximum`: "today" or an ISO date."""
    if limit == "today":
        return timezone.localdate()
    try:
        return date.fromisoformat(limit) if isinstance(limit, str) else None
    except ValueError:
        return None


def _limit_checker(later: bool):
    def check(validator, limit, instance, schema):
        bound = date_limit(limit)
        if bound is None or not _is_a_date(instance):
            return  # "format" speaks for answers that are not dates
        day = date.fromisoformat(instance)
        if (day > bound) if later else (day < bound):
            yield ValidationError(f"{instance} is out of range")

    return check


# Draft 2020-12 plus the date limits of ajv-formats: "formatMaximum": "today" on a birth date.
_FormValidator = validators.extend(
    Draft202012Validator,
    {"formatMinimum": _limit_checker(later=False), "formatMaximum": _limit_checker(later=True)},
)


def validate_form(schema: dict, ui: dict, data: dict) -> dict[str, list[str]]:
    """Errors by field path ("vehicles.0.plate"); `path.__items` holds errors about a whole list."""
    validator = _FormValidator(schema, format_checker=_FORMATS)
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(data or {}):
        parts = list(error.absolute_path)
        if error.validator == "required":
            missing = [p for p in error.validator_value if p not in (error.instance or {})]
            for name in missing:
                target = [*parts, name]
                path = ".".join(str(p) for p in target)
                message = _message(error, _hints(ui, _hint_path(target)))
                if message not in errors.get(path, []):
                    errors.setdefault(path, []).append(message)
            continue
        if error.validator == "dependentRequired":
            # "licence_no" given needs "licence_date" and "licence_issuer": said beside each.
            instance = error.instance if isinstance(error.instance, dict) else {}
            titles = error.schema.get("properties") or {}
            for given, needed in (error.validator_value or {}).items():
                if given not in instance:
                    continue
                for name in needed:
                    if name in instance:
                        continue
                    target = [*parts, name]
                    path = ".".join(str(p) for p in target)
                    custom = _hints(ui, _hint_path(target)).get("errors") or {}
                    message = custom.get("required") or _(
                        "Trường này là bắt buộc khi đã nhập “%(field)s”."
                    ) % {"field": (titles.get(given) or {}).get("title", given)}
                    if message not in errors.get(path, []):
                        errors.setdefault(path, []).append(message)
            continue
        path = ".".join(str(p) for p in parts)
        if error.validator in ("minItems", "maxItems", "uniqueItems"):
            path = f"{path}.__items"
        message = _message(error, _hints(ui, _hint_path(parts)))
        if message not in errors.get(path, []):
            errors.setdefault(path, []).append(message)
    return errors


def caused_elsewhere(
    schema: dict, ui: dict, data: dict, section: str, errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The errors (out of `errors`, those of `data`) that the answers of `section` cause in
    other sections through a cross-field rule (a root `allOf` of if/then, say: "a badge other
    than internal needs the operator's licence number, date and issuer"): the errors that
    would not be there without this section's answers."""
    without = validate_form(schema, ui, {k: v for k, v in (data or {}).items() if k != section})
    caused: dict[str, list[str]] = {}
    for path, messages in errors.items():
        if path == section or path.startswith(section + "."):
            continue
        new = [m for m in messages if m not in without.get(path, [])]
        if new:
            caused[path] = new
    return caused


def section_states(schema: dict, data: dict, errors: dict[str, list[str]]) -> dict[str, str]:
    """Task-list state per section: not_started, in_progress or completed."""
    states = {}
    for name in schema.get("properties") or {}:
        if not (data or {}).get(name):
            states[name] = "not_started"
        elif any(path == name or path.startswith(name + ".") for path in errors):
            states[name] = "in_progress"
        else:
            states[name] = "completed"
    return states


def prefill(schema: dict, ui: dict, user) -> tuple[dict, dict[str, str]]:
    """Form data prefilled from the applicant's profile, and where each value came from."""
    data: dict = {}
    sources: dict[str, str] = {}
    for hint_path, hints in (ui.get("fields") or {}).items():
        source = hints.get("prefill")
        if isinstance(source, dict):  # from a register (the dossier fills it); else this
            source = source.get("profile")
        if not source or "*" in hint_path:
            continue
        value = getattr(user, source, None)
        if isinstance(value, date):
            value = value.isoformat()
        if not value:
            continue
        node = data
        parts = hint_path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        sources[hint_path] = f"profile.{source}"
    return data, sources
