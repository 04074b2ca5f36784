"""The declarative workflow format and its validation.

A workflow is a list of steps in order. The first is reception at the one-stop desk, the
last is returning the result from the desk, and exactly one step in between is signed by
the agency's leader. Each step names the unit (by its code within the receiving agency),
the role that acts, the working days it is allotted, and the optional actions allowed
there. Example::

    {"steps": [
        {"key": "reception", "name": "Tiếp nhận hồ sơ", "unit": "mot-cua", "role": "desk",
         "days": 0.5, "actions": ["supplement", "refuse"]},
        {"key": "review", "name": "Thẩm định", "unit": "qlvt", "role": "specialist",
         "days": 1, "actions": ["supplement", "consult", "transfer", "payment", "stop"]},
        {"key": "approval", "name": "Phê duyệt, ký", "unit": "lanh-dao", "role": "leader",
         "days": 0.5, "signs": true, "actions": ["send_back"]},
        {"key": "return", "name": "Trả kết quả", "unit": "mot-cua", "role": "desk", "days": 0}
     ],
     "supplement_within_days": 1, "payment_pauses_clock": true, "payment_due": "review"}
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from motcua.accounts.models import Role

STEP_ACTIONS = ("supplement", "refuse", "consult", "transfer", "payment", "stop", "send_back")

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["steps"],
    "additionalProperties": False,
    "properties": {
        "steps": {
            "type": "array",
            "minItems": 3,
            "items": {
                "type": "object",
                "required": ["key", "name", "unit", "role", "days"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "unit": {"type": "string", "minLength": 1, "maxLength": 30},
                    "role": {"enum": [r.value for r in Role if r != Role.AGENCY_ADMIN]},
                    "days": {"type": "number", "minimum": 0, "maximum": 365},
                    "signs": {"type": "boolean"},
                    "actions": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"enum": list(STEP_ACTIONS)},
                    },
                },
            },
        },
        "supplement_within_days": {"type": "number", "minimum": 0, "maximum": 30},
        "payment_pauses_clock": {"type": "boolean"},
        # When the fee falls due: with the application ("submission": the dossier waits in
        # status 6 and reaches the desk once paid) or when a step asks for it ("review").
        "payment_due": {"enum": ["submission", "review"]},
    },
}

_validator = Draft202012Validator(SCHEMA)


def definition_problems(definition, *, processing_days=None, unit_codes=None) -> list[str]:
    """Everything wrong with a workflow definition, in Vietnamese; empty when it is sound.

    `processing_days` is the procedure's statutory time: the steps may not need more.
    `unit_codes` maps each unit code of the receiving agency to its kind, when known.
    """
    if not isinstance(definition, dict):
        return [_("Quy trình phải là một đối tượng JSON có danh sách bước “steps”.")]
    problems = []
    for error in sorted(_validator.iter_errors(definition), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or _("gốc")
        problems.append(
            _("Sai cấu trúc tại %(where)s: %(msg)s") % {"where": where, "msg": _explain(error)}
        )
    if problems:
        return problems

    steps = definition["steps"]
    keys = [s["key"] for s in steps]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        problems.append(_("Mã bước bị trùng: %s.") % ", ".join(duplicated))
    if steps[0]["role"] != Role.DESK:
        problems.append(
            _("Bước đầu tiên phải là tiếp nhận tại Bộ phận Một cửa (vai trò cán bộ một cửa).")
        )
    if steps[-1]["role"] != Role.DESK:
        problems.append(_("Bước cuối cùng phải là trả kết quả tại Bộ phận Một cửa."))
    signers = [s for s in steps if s.get("signs")]
    if len(signers) != 1:
        problems.append(_("Quy trình phải có đúng một bước ký duyệt (signs: true)."))
    elif signers[0]["role"] not in (Role.LEADER, Role.UNIT_HEAD):
        problems.append(_("Bước ký duyệt phải do lãnh đạo thực hiện."))
    elif steps.index(signers[0]) != len(steps) - 2:
        problems.append(_("Bước ký duyệt phải đứng ngay trước bước trả kết quả."))
    if "send_back" in steps[0].get("actions", []):
        problems.append(_("Bước tiếp nhận không thể trả lại bước trước."))
    if "refuse" in {a for s in steps[1:] for a in s.get("actions", [])}:
        problems.append(_("Chỉ bước tiếp nhận được từ chối tiếp nhận; sau đó dùng “dừng xử lý”."))
    if processing_days is not None:
        total = sum(Decimal(str(s["days"])) for s in steps)
        if total > Decimal(str(processing_days)):
            problems.append(
                _(
                    "Tổng thời gian các bước (%(total)s ngày) vượt thời hạn giải quyết (%(limit)s ngày)."
                )
                % {"total": _number(total), "limit": _number(processing_days)}
            )
    if unit_codes is not None:
        for step in steps:
            kind = unit_codes.get(step["unit"])
            if kind is None:
                problems.append(
                    _("Bước “%(step)s”: cơ quan không có đơn vị mã “%(unit)s”.")
                    % {"step": step["name"], "unit": step["unit"]}
                )
            elif step["role"] == Role.DESK and kind != "desk":
                problems.append(
                    _("Bước “%(step)s”: cán bộ một cửa phải thuộc Bộ phận Một cửa.")
                    % {"step": step["name"]}
                )
    return problems


def _explain(error) -> str:
    """jsonschema's messages are English; say the common ones in Vietnamese."""
    v, value = error.validator, error.validator_value
    if v == "required":
        name = error.message.split("'")[1] if "'" in error.message else ""
        return _("thiếu trường bắt buộc “%s”") % name
    if v == "minItems":
        return _("cần ít nhất %s phần tử") % value
    if v == "enum":
        return _("giá trị “%(got)s” không hợp lệ; chọn một trong: %(allowed)s") % {
            "got": error.instance,
            "allowed": ", ".join(str(x) for x in value),
        }
    if v == "type":
        return _("sai kiểu dữ liệu (cần %s)") % value
    if v == "pattern":
        return _("“%s” chỉ gồm chữ thường không dấu, số, “-” hoặc “_”") % error.instance
    if v == "additionalProperties":
        names = error.message.split("(")[-1].split("'")[1::2]
        return _("có trường không được dùng: %s") % ", ".join(f"“{n}”" for n in names)
    if v in ("minimum", "maximum"):
        return _("giá trị phải %(cmp)s %(limit)s") % {
            "cmp": _("từ") if v == "minimum" else _("không quá"),
            "limit": value,
        }
    if v == "uniqueItems":
        return _("có phần tử bị trùng")
    if v == "minLength":
        return _("không được để trống")
    return error.message


def _number(value) -> str:
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")
