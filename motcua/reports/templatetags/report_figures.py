"""Figures as readers write them, on every statistics page (officer and public): 98,06 % and
1.234 (motcua/formats: the English pages keep these formats); "—" where there is nothing to
divide or count. And the links to the dossiers behind a figure."""

from django import template
from django.urls import reverse
from django.utils.formats import number_format

register = template.Library()

NONE = "—"
NBSP = "\u00a0"


@register.filter
def count(value) -> str:
    """1234 -> "1.234"; None -> "—"."""
    return NONE if value is None else number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def decimal(value) -> str:
    """98.06 -> "98,06"; 4.5 -> "4,5"; 20 -> "20"; None -> "—" (two decimals at most):
    working days, points."""
    if value is None:
        return NONE
    text = number_format(value, decimal_pos=2, force_grouping=True)
    sep = number_format(0.5, decimal_pos=1)[1]
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return text


@register.filter
def percent(value) -> str:
    """98.06 -> "98,06 %", 50 -> "50,00 %" (a non-breaking space before the sign, as
    Vietnamese and SI write it); None -> "—" (nothing to divide)."""
    if value is None:
        return NONE
    return f"{number_format(value, decimal_pos=2, force_grouping=True)}{NBSP}%"


@register.simple_tag(takes_context=True)
def drill(context, figure: str, **scope) -> str:
    """The drill-down page of `figure` under the page's filter (`sector`, `procedure`: a row
    of the period table)."""
    changes = {name: value for name, value in scope.items() if value not in ("", None)}
    return reverse("reports:dossiers") + "?" + context["filter"].query(figure=figure, **changes)


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()


@register.filter
def figure_of(row: dict, name: str):
    return row.get(name)
