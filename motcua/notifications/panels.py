"""What notifications shows on the pages of the apps below it (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.core.text import mask_contact
from motcua.notifications import services
from motcua.notifications.channels import channels


def _shown(address: str) -> str:
    """An e-mail address or phone number masked; the portal's own address ("user:<id>", no
    contact) as it is."""
    return address if address.startswith("user:") else mask_contact(address)


@panels.register("officer_dossier", order=60)
def failed_deliveries_panel(request, dossier) -> str:
    """The notifications that did not reach the applicant, so the desk can call them."""
    failed = services.failed_for_dossier(dossier)
    if not failed:
        return ""
    rows = []
    for delivery in failed:
        channel = channels.get(delivery.channel)
        rows.append(
            {
                "channel": channel.label if channel and channel.label else delivery.channel,
                "address": _shown(delivery.address),
                "reason": delivery.reason,
                "at": delivery.failed_at,
                "title": delivery.notification.title,
            }
        )
    return render_to_string(
        "notifications/_failed_panel.html", {"rows": rows, "dossier": dossier}, request=request
    )
