from django import template
from django.utils.translation import gettext as _

from motcua.core.money import format_vnd
from motcua.core.panels import panels as panel_slots

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """135000 -> '135.000 ₫'; None -> 'Chưa công bố'; 0 -> 'Miễn phí'."""
    if amount is None or amount == "":
        return _("Chưa công bố")
    if int(amount) == 0:
        return _("Miễn phí")
    return format_vnd(amount) + " ₫"


@register.filter
def duration(procedure) -> str:
    if procedure.processing_time is None:
        return procedure.processing_time_note or _("Chưa công bố")
    return f"{procedure.processing_time} {procedure.get_processing_time_unit_display()}"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj):
    """What the apps above this page show in `slot` for `obj` (motcua.core.panels)."""
    return panel_slots.render(slot, context.get("request"), obj)
