"""Dates as Vietnamese administrative documents write them, always in Vietnam's time zone."""

from datetime import date, datetime

from django import template

from motcua.core.dates import in_vietnam

register = template.Library()


@register.filter
def vn_date(value) -> str:
    """dd/mm/yyyy; empty for no value."""
    if not isinstance(value, date):
        return ""
    return f"{in_vietnam(value):%d/%m/%Y}"


@register.filter
def vn_datetime(value) -> str:
    """hh:mm dd/mm/yyyy (a bare date prints as dd/mm/yyyy); empty for no value."""
    if isinstance(value, datetime):
        return f"{in_vietnam(value):%H:%M %d/%m/%Y}"
    return vn_date(value)


@register.filter
def long_date(value) -> str:
    """The date as documents write it, e.g. "ngày 05 tháng 3 năm 2026": a day below 10 and
    the months 1 and 2 take a leading zero (Decree 30/2020/NĐ-CP on administrative documents)."""
    if not isinstance(value, date):
        return ""
    value = in_vietnam(value)
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
