"""Figures as Vietnamese readers write them, and the links to the dossiers behind them."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse

from motcua.core.money import format_vnd

register = template.Library()

NONE = "—"


@register.filter
def count(value) -> str:
    """1234 -> "1.234"; None -> "—"."""
    return NONE if value is None else format_vnd(value)


@register.filter
def decimal(value) -> str:
    """98.06 -> "98,06"; 20 -> "20"; None -> "—" (two decimals at most)."""
    if value is None:
        return NONE
    number = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    whole, _, fraction = f"{number:f}".partition(".")
    text = format_vnd(int(whole)) if not whole.startswith("-") else "-" + format_vnd(-int(whole))
    fraction = fraction.rstrip("0")
    return f"{text},{fraction}" if fraction else text


@register.filter
def percent(value) -> str:
    """98.06 -> "98,06 %"; None -> "—" (nothing to divide)."""
    return NONE if value is None else f"{decimal(value)} %"


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
