"""Figures in the reader's language: 98,06 % and 1.234 in Vietnamese, 98.06 % and 1,234 in
English; "—" where there is nothing to divide."""

from django import template
from django.utils.formats import number_format

register = template.Library()

NBSP = "\u00a0"


@register.filter
def percent(value) -> str:
    """98,06 % (a non-breaking space before the sign, as Vietnamese and SI write it)."""
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=2, force_grouping=True)}{NBSP}%"


@register.filter
def count(value) -> str:
    return number_format(value or 0, decimal_pos=0, force_grouping=True)


@register.filter
def days(value) -> str:
    """Working days with at most two decimals: 3, 4,5, 4,17."""
    if value is None:
        return "—"
    text = number_format(value, decimal_pos=2, force_grouping=True)
    sep = number_format(0.5, decimal_pos=1)[1]
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return text
