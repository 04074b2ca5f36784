"""Editable notification templates: validation and rendering (decision 0041).

A template is Django template language limited to what a message needs: the variables of its
kind (kinds.KINDS), filters, {% if %} and comments. Tags that reach outside the message
({% include %}, {% load %}, {% url %}...) and unknown variables are refused on save with a
clear message, so that a typo never reaches an applicant as an empty line.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template import Context, Template, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, VariableNode
from django.template.defaulttags import CommentNode, IfNode
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from motcua.notifications.kinds import KINDS, SAMPLE, default_templates
from motcua.notifications.models import NotificationTemplate

FIELDS = ("subject", "text", "html", "sms")


def _names_in_expression(expr: FilterExpression) -> set[str]:
    names = set()
    for var in [expr.var] + [arg for _f, args in expr.filters for _lookup, arg in args]:
        lookups = getattr(var, "lookups", None)
        if lookups:
            names.add(lookups[0])
    return names


def _names_in_condition(cond) -> set[str]:
    names = set()
    value = getattr(cond, "value", None)
    if isinstance(value, FilterExpression):
        names |= _names_in_expression(value)
    for side in ("first", "second"):
        part = getattr(cond, side, None)
        if part is not None:
            names |= _names_in_condition(part)
    return names


def _names_in(nodelist) -> set[str]:
    """The variables used by a parsed template; raises ValueError on a tag not allowed."""
    names = set()
    for node in nodelist:
        if isinstance(node, TextNode | CommentNode):
            continue
        if isinstance(node, VariableNode):
            names |= _names_in_expression(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    names |= _names_in_condition(condition)
                names |= _names_in(branch)
        else:
            raise ValueError(node.token.contents.split()[0] if node.token else type(node).__name__)
    return names


def check_source(source: str, allowed: frozenset) -> str | None:
    """Why `source` cannot be a template of a kind allowing `allowed`, or None."""
    try:
        template = Template(source)
    except TemplateSyntaxError as exc:
        return _("Lỗi cú pháp: %(error)s") % {"error": exc}
    try:
        names = _names_in(template.nodelist)
    except ValueError as exc:
        return _("Thẻ “%(tag)s” không được dùng trong mẫu thông báo.") % {"tag": exc}
    unknown = sorted(names - allowed)
    if unknown:
        return _(
            "Biến không có cho loại thông báo này: %(names)s. Các biến được dùng: %(allowed)s."
        ) % {
            "names": ", ".join(unknown),
            "allowed": ", ".join(sorted(allowed)),
        }
    return None


def validate_template(template: NotificationTemplate) -> None:
    kind = KINDS.get(template.kind)
    if kind is None:
        raise ValidationError({"kind": _("Loại thông báo không tồn tại.")})
    errors = {}
    for field in FIELDS:
        source = getattr(template, field) or ""
        problem = check_source(source, kind.variables) if source else None
        if problem:
            errors[field] = problem
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Rendered:
    template: NotificationTemplate | None
    subject: str
    text: str
    html: str
    sms: str


def latest(kind: str, language: str) -> NotificationTemplate | None:
    return (
        NotificationTemplate.objects.filter(kind=kind, language=language, active=True)
        .order_by("-version")
        .first()
    )


def _render(source: str, context: dict, *, html: bool = False) -> str:
    if not source:
        return ""
    if not html:
        source = "{% autoescape off %}" + source + "{% endautoescape %}"
    return Template(source).render(Context(context, autoescape=html))


def render_with(template, context: dict) -> Rendered:
    """`template`: a NotificationTemplate, or a dict of the shipped wording."""
    get = template.get if isinstance(template, dict) else lambda f, d="": getattr(template, f)
    subject = " ".join(_render(get("subject"), context).split())
    text = _render(get("text"), context).strip()
    html = _render(get("html", ""), context, html=True)
    if not html:
        html = linebreaks(escape(text))
    sms = " ".join(_render(get("sms", ""), context).split()) or subject
    return Rendered(
        template if isinstance(template, NotificationTemplate) else None, subject, text, html, sms
    )


def render(kind: str, language: str, context: dict) -> Rendered:
    """The kind's latest active template in `language` (else Vietnamese, else the wording
    shipped with MotCua), rendered with `context`."""
    template = latest(kind, language) or latest(kind, "vi")
    if template is None:
        shipped = {(r["kind"], r["language"]): r for r in default_templates()}
        template = shipped.get((kind, language)) or shipped[(kind, "vi")]
    return render_with(template, context)


def preview(template: NotificationTemplate) -> Rendered:
    return render_with(template, SAMPLE)
