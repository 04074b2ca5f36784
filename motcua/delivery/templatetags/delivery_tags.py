"""The parcel's progress on the applicant's and the officer's dossier pages."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def shipment_status(context, dossier):
    if dossier.delivery_method != "post":
        return ""
    shipments = list(dossier.shipments.order_by("-created_at")[:3])
    if not shipments:
        return ""
    return render_to_string(
        "delivery/_shipments.html", {"shipments": shipments}, request=context.get("request")
    )
