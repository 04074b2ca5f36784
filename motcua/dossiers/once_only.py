"""Once-only (decisions 0078 and 0079): a dossier's answers filled from the registers, with
their sources, and the components the agency obtains from a register instead of asking.

Prefill: a form_ui hint "prefill": {"register": "vehicles", "key": "vehicles.*.plate",
"field": "chassis_no"} fills `vehicles.N.chassis_no` with the vehicle register's chassis
number for the plate in `vehicles.N.plate`. Each value filled is recorded in
Dossier.prefill_sources under its path (beside the profile's "profile.<attr>" strings) as
{"register", "label", "key", "reference", "fetched_at", "value", "lookup"}: shown beside the
field, on the review page and to the officer, and kept after submission. A value the applicant
changed still has its source, which then says so (the value no longer equals "value").

Look-ups run outside any transaction (they wait on the network) and each is recorded by
registers.services.look_up. A register that fails leaves the fields as they were, with a
message saying to fill them in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalogue.forms_schema import RegisterHint, form_size, register_hints
from motcua.catalogue.models import Component
from motcua.core import ratelimit
from motcua.core.dates import local_text
from motcua.dossiers import quotas
from motcua.dossiers.models import Dossier, ObtainedComponent, Status
from motcua.registers.registry import NotFound, Purpose, RegisterError, active, label_of
from motcua.registers.services import look_up

TIME_DATE = "%H:%M %d/%m/%Y"


# --- Paths in the form's data ---------------------------------------------------------------


def _values_at(data, hint_path: str) -> list[tuple[str, object]]:
    """(instance path, value) of every value at `hint_path` ("vehicles.*.plate")."""
    nodes: list[tuple[str, object]] = [("", data)]
    for part in hint_path.split("."):
        following = []
        for path, node in nodes:
            if part == "*" and isinstance(node, list):
                following.extend((f"{path}.{i}".lstrip("."), item) for i, item in enumerate(node))
            elif isinstance(node, dict) and part in node:
                following.append((f"{path}.{part}".lstrip("."), node[part]))
        nodes = following
    return nodes


def _instance(hint_path: str, like: str) -> str:
    """`hint_path` with its "*" replaced by the indexes of the instance path `like` (a field of
    the same list item): ("vehicles.*.chassis_no", "vehicles.2.plate") -> "vehicles.2.chassis_no"."""
    parts, given = hint_path.split("."), like.split(".")
    return ".".join(given[i] if p == "*" and i < len(given) else p for i, p in enumerate(parts))


def _get(data, path: str):
    node = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _set(data: dict, path: str, value) -> bool:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            return False
    if not isinstance(node, dict):
        return False
    node[parts[-1]] = value
    return True


# --- Who may look up what -------------------------------------------------------------------


def may_look_up(register: str, key: str, user) -> bool:
    """The population database answers about the applicant themselves only, by the ID number
    an identity provider vouched for: an applicant may not read a stranger's personal data by
    typing their number. Companies and vehicles are asked about by whatever key the form has
    (the vehicle register's owner is not copied into the form)."""
    if register == "population":
        return bool(getattr(user, "has_verified_identity", False)) and key == user.citizen_id
    return True


def spend_allowance(user) -> str:
    """Count one look-up asked for by the applicant against their hourly allowance
    (REGISTERS_LOOKUPS_PER_HOUR): "" while within it, else what to tell them. Someone asking
    over and over would be reading the registers through us (a plate gives a vehicle's
    chassis and engine numbers)."""
    try:
        ratelimit.limit(
            "register-lookup",
            str(user.pk),
            limit=settings.REGISTERS_LOOKUPS_PER_HOUR,
            window=3600,
        )
    except ratelimit.Limited as limited:
        return _(
            "Quý vị đã tra cứu nhiều lần liên tiếp. Vui lòng thử lại sau %(wait)s, "
            "hoặc tự nhập các thông tin."
        ) % {"wait": ratelimit.wait_text(limited.seconds)}
    return ""


def purpose_for(dossier: Dossier) -> Purpose:
    return Purpose(code=dossier.procedure.code, description="Xử lý thủ tục hành chính")


# --- Prefill --------------------------------------------------------------------------------


@dataclass
class FillOutcome:
    filled: list[str] = field(default_factory=list)  # labels of the registers that answered
    problems: list[str] = field(default_factory=list)  # messages for the applicant

    def message(self) -> str:
        if not self.filled:
            return ""
        return _("Đã lấy thông tin từ %(r)s. Quý vị kiểm tra lại và sửa nếu chưa đúng.") % {
            "r": ", ".join(self.filled)
        }


def _convert(value, schema: dict):
    """The register's value as the form's field takes it; None when it does not fit."""
    kind = schema.get("type")
    if value is None or value == "" or value == []:
        return None
    if kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "array":
        allowed = (schema.get("items") or {}).get("enum")
        values = (
            [v for v in value if not allowed or v in allowed] if isinstance(value, list) else []
        )
        return values or None
    if kind in (None, "string"):
        if isinstance(value, (list, dict)):
            return None
        value = str(value)
        if "enum" in schema and value not in schema["enum"]:
            return None
        return value[: schema["maxLength"]] if schema.get("maxLength") else value
    return None


def _schema_at(schema: dict, hint_path: str) -> dict:
    node = schema
    for part in hint_path.split("."):
        if part == "*":
            node = node.get("items") or {}
        else:
            node = (node.get("properties") or {}).get(part) or {}
    return node


def _groups(ui: dict) -> dict[tuple[str, str], list[RegisterHint]]:
    groups: dict[tuple[str, str], list[RegisterHint]] = {}
    for hint in register_hints(ui):
        groups.setdefault((hint.register, hint.key), []).append(hint)
    return groups


def key_fields(ui: dict) -> dict[str, str]:
    """Key field hint path -> register id, for the registers that are switched on."""
    return {key: register for register, key in _groups(ui) if active(register) is not None}


def fill_from_registers(*, dossier: Dossier, user, only: str | None = None) -> FillOutcome:
    """Look up every key the draft's answers hold (or only the key at instance path `only`,
    the button the applicant pressed) and fill the fields that depend on it, overwriting
    what they held, except (without `only`) a value filled from a register earlier that the
    person has since corrected: that stays. Saves the draft (drafts only: a dossier already
    submitted is left as it is); returns what came of it."""
    procedure = dossier.procedure
    outcome = FillOutcome()
    if not dossier.is_draft:
        return outcome
    if only is not None:
        # The button: a person pressing it over and over would be reading the registers
        # through us (a plate gives a vehicle's chassis and engine numbers).
        refusal = spend_allowance(user)
        if refusal:
            outcome.problems.append(refusal)
            return outcome
    data = dossier.form_data or {}
    sources = dict(dossier.prefill_sources or {})
    changed = False
    for (register, key_hint), hints in _groups(procedure.form_ui).items():
        if active(register) is None:
            continue
        for key_path, key in _values_at(data, key_hint):
            if only is not None and key_path != only:
                continue
            if not isinstance(key, str) or not key.strip():
                continue
            label = label_of(register)
            if not may_look_up(register, key.strip(), user):
                if only is not None:
                    outcome.problems.append(
                        _(
                            "%(r)s chỉ cung cấp thông tin của chính quý vị, khi tài khoản đã "
                            "được xác thực định danh (VNeID). Quý vị vui lòng tự nhập các thông "
                            "tin."
                        )
                        % {"r": label}
                    )
                continue
            try:
                record = look_up(
                    register=register,
                    key=key,
                    purpose=purpose_for(dossier),
                    user_id=user.pk,
                    dossier_id=dossier.pk,
                )
            except RegisterError as error:
                # At creation a key the register does not know is no news; asked for, it is.
                wanted = only is not None or not isinstance(error, NotFound)
                if wanted and error.message not in outcome.problems:
                    outcome.problems.append(error.message)
                continue
            for hint in hints:
                path = _instance(hint.path, key_path)
                if only is None and _corrected(data, path, sources.get(path), key):
                    continue
                value = _convert(
                    record.attributes.get(hint.field), _schema_at(procedure.form_schema, hint.path)
                )
                if value is None or not _set(data, path, value):
                    continue
                sources[path] = {
                    "register": register,
                    "label": label,
                    "key": record.key,
                    "reference": record.reference,
                    "fetched_at": record.fetched_at.isoformat(),
                    "value": value,
                }
                changed = True
            if label not in outcome.filled:
                outcome.filled.append(label)
    if changed:
        size = form_size(data)
        with transaction.atomic():
            quotas.check_form_bytes(user, dossier, size)
            locked = Dossier.objects.select_for_update().filter(pk=dossier.pk, status=Status.DRAFT)
            if locked.values_list("pk").first() is None:
                return outcome  # submitted in the meantime: left as it is
            dossier.form_data = data
            dossier.form_bytes = size
            dossier.prefill_sources = sources
            dossier.save(update_fields=["form_data", "form_bytes", "prefill_sources", "updated_at"])
    return outcome


def _fetched_for(source, key) -> bool:
    """Whether `source` (an entry of prefill_sources) is a register's, fetched by `key`
    (case and the spaces around aside, as the registers normalise keys)."""
    return (
        isinstance(source, dict)
        and "register" in source
        and key is not None
        and str(source.get("key", "")).strip().upper() == str(key).strip().upper()
    )


def _corrected(data, path: str, source, key) -> bool:
    """Whether the value at `path` was filled from a register for this same key and the
    person has changed it since (their correction is not overwritten)."""
    return _fetched_for(source, key) and "value" in source and _get(data, path) != source["value"]


@dataclass(frozen=True)
class Source:
    """Where a value of the form came from, as shown beside it."""

    label: str
    fetched_at: datetime | None
    changed: bool
    reference: str = ""

    @property
    def text(self) -> str:
        if self.changed:
            return _("Nguồn: %(r)s, lúc %(at)s; người nộp đã sửa giá trị này") % {
                "r": self.label,
                "at": local_text(self.fetched_at, TIME_DATE),
            }
        return _("Nguồn: %(r)s, lúc %(at)s") % {
            "r": self.label,
            "at": local_text(self.fetched_at, TIME_DATE),
        }


def source_of(dossier: Dossier, path: str, key_hint: str | None = None) -> Source | None:
    """The register source of the value at `path`, if it still describes it: the key it was
    fetched by must still be the key of that item (rows removed or a plate changed leave
    sources behind that no longer apply)."""
    source = (dossier.prefill_sources or {}).get(path)
    if not isinstance(source, dict) or "register" not in source:
        return None
    if key_hint and not _fetched_for(source, _get(dossier.form_data, _instance(key_hint, path))):
        return None
    try:
        fetched_at = datetime.fromisoformat(source.get("fetched_at", ""))
    except ValueError:
        fetched_at = None
    return Source(
        label=str(source.get("label") or label_of(source["register"])),
        fetched_at=fetched_at,
        changed=_get(dossier.form_data, path) != source.get("value"),
        reference=str(source.get("reference") or ""),
    )


def annotate(sections, dossier: Dossier) -> None:
    """Set `lookup_label` on key fields (a button beside them) and `source` on fields filled
    from a register, through bound fields (catalogue.forms_schema.bind)."""
    ui = dossier.procedure.form_ui
    keys = {key: label_of(register) for key, register in key_fields(ui).items()}
    key_of = {hint.path: hint.key for hint in register_hints(ui)}

    def walk(bound) -> None:
        if bound.kind == "object":
            for child in bound.children:
                walk(child)
        elif bound.kind == "group":
            for item in bound.items:
                for child in item:
                    walk(child)
        else:
            bound.lookup_label = keys.get(bound.hint_path, "")
            if bound.hint_path in key_of:
                bound.source = source_of(dossier, bound.path, key_of[bound.hint_path])

    for section in sections:
        walk(section)


def sourced_answers(dossier: Dossier) -> list[tuple[str, object, Source]]:
    """(field label, value, source) of every answer filled from a register and still
    described by its source: the review page and the officer's page list them."""
    procedure = dossier.procedure
    out = []
    for hint in register_hints(procedure.form_ui):
        title = _schema_at(procedure.form_schema, hint.path).get("title", hint.path)
        for path, value in _values_at(dossier.form_data or {}, hint.path):
            source = source_of(dossier, path, hint.key)
            if source is None:
                continue
            item = ""
            if "*" in hint.path:
                index = path.split(".")[hint.path.split(".").index("*")]
                key = _get(dossier.form_data, _instance(hint.key, path))
                item = f"{key or int(index) + 1} – "
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            out.append((f"{item}{title}", shown, source))
    return out


# --- Components obtained from a register ----------------------------------------------------


@dataclass
class ObtainedState:
    """What became of a component the agency may obtain from a register."""

    component: Component
    label: str
    rows: list[ObtainedComponent] = field(default_factory=list)
    problem: str = ""  # why it must be uploaded after all

    @property
    def obtained(self) -> bool:
        return bool(self.rows) and not self.problem


def obtainable(components) -> list[Component]:
    return [c for c in components if c.obtained_from and c.key_field and active(c.obtained_from)]


def keys_in(dossier: Dossier, component: Component) -> list[str]:
    """The distinct keys (stripped) the answers hold at the component's key field."""
    keys = []
    for _path, value in _values_at(dossier.form_data or {}, component.key_field):
        if isinstance(value, str) and value.strip() and value.strip() not in keys:
            keys.append(value.strip())
    return keys


def obtained_components(dossier: Dossier, components) -> set[int]:
    """Ids of the components obtained for every key the answers now hold (no look-up): the
    readiness check and the documents read this."""
    candidates = [c for c in components if getattr(c, "obtained_from", "") and c.key_field]
    if not candidates:
        return set()
    stored: dict[int, set[str]] = {}
    for component_id, key in ObtainedComponent.objects.filter(dossier=dossier).values_list(
        "component_id", "key"
    ):
        stored.setdefault(component_id, set()).add(key)
    done = set()
    for component in candidates:
        keys = set(keys_in(dossier, component))
        if keys and stored.get(component.pk) == keys:
            done.add(component.pk)
    return done


def obtain_components(
    *, dossier: Dossier, user, components, by_agency: bool = False
) -> dict[int, ObtainedState]:
    """For each component the agency may obtain from a register: look up the keys the
    answers hold that were not obtained yet, and keep what the register answered. A key the
    register does not answer for leaves the component to be uploaded, with a message why.
    `by_agency`: the agency prepares the dossier itself (proactive services): its look-ups
    do not spend the person's hourly allowance (each is still recorded by look_up)."""
    states: dict[int, ObtainedState] = {}
    for component in obtainable(components):
        label = label_of(component.obtained_from)
        state = states[component.pk] = ObtainedState(component=component, label=label)
        keys = keys_in(dossier, component)
        if not keys:
            continue
        existing = {
            row.key: row
            for row in ObtainedComponent.objects.filter(dossier=dossier, component=component)
        }
        stale = [row.pk for key, row in existing.items() if key not in keys]
        if stale:
            ObtainedComponent.objects.filter(pk__in=stale).delete()
        for key in keys:
            if key in existing:
                state.rows.append(existing[key])
                continue
            # The same two rules as the form's button: the population database only for the
            # applicant's own vouched-for number, and the hourly allowance of look-ups.
            if not may_look_up(component.obtained_from, key, user):
                state.problem = state.problem or _(
                    "%(r)s chỉ cung cấp thông tin của chính người nộp hồ sơ."
                ) % {"r": label}
                continue
            refusal = "" if by_agency else spend_allowance(user)
            if refusal:
                state.problem = state.problem or refusal
                continue
            try:
                record = look_up(
                    register=component.obtained_from,
                    key=key,
                    purpose=purpose_for(dossier),
                    user_id=user.pk,
                    dossier_id=dossier.pk,
                )
            except RegisterError as error:
                state.problem = state.problem or error.message
                continue
            if record.attributes.get("status") not in (None, "", "registered", "active"):
                state.problem = state.problem or _(
                    "%(r)s cho biết “%(key)s” không còn hiệu lực: quý vị vui lòng nộp bản sao "
                    "giấy tờ."
                ) % {"r": label, "key": key}
                continue
            row, _created = ObtainedComponent.objects.update_or_create(
                dossier=dossier,
                component=component,
                key=key,
                defaults={
                    "register": component.obtained_from,
                    "register_label": label,
                    "reference": record.reference,
                    "attributes": record.attributes,
                    "fetched_at": record.fetched_at,
                },
            )
            state.rows.append(row)
        # Obtained for some keys only: the component is uploaded whole; what was obtained
        # stays, and counts once the register answers for the rest.
    return states


def obtained_rows(dossier: Dossier) -> list[ObtainedComponent]:
    """The components obtained for the dossier's current answers (officer, documents)."""
    rows = list(ObtainedComponent.objects.filter(dossier=dossier).select_related("component"))
    by_component: dict[int, list[ObtainedComponent]] = {}
    for row in rows:
        by_component.setdefault(row.component_id, []).append(row)
    out = []
    for rows_of in by_component.values():
        keys = set(keys_in(dossier, rows_of[0].component))
        if keys and keys == {r.key for r in rows_of}:
            out.extend(rows_of)
    return out
