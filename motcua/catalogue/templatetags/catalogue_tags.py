from django import template

from motcua.catalogue import fees

register = template.Library()


@register.filter
def fee_summary(procedure) -> str:
    """ "190.000 ₫", "từ 300.000 ₫", "Miễn phí", "Chưa công bố": the card's fee, from the same
    schedule as the procedure's page."""
    return fees.summary(procedure.fee_schedule, procedure.fee_vnd)
