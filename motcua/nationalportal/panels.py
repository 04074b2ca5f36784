"""What the national portal app shows on the pages of the apps below it (core.panels)."""

from django.conf import settings
from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.dossiers.models import Status, choice_label
from motcua.nationalportal import access, services


@panels.register("officer_dossier", order=65)
def sync_panel(request, dossier) -> str:
    """The dossier's sync state with the national portal, and "Đồng bộ lại" for the desk:
    one query, none while no portal is configured."""
    if not settings.NATIONAL_PORTAL:
        return ""
    sync = services.sync_of(dossier)
    if sync is None:
        return ""
    return render_to_string(
        "nationalportal/_sync_panel.html",
        {
            "sync": sync,
            "dossier": dossier,
            "status_label": choice_label(Status, sync.last_status_sent)
            if sync.last_status_sent
            else "",
            "can_retry": access.can_retry(request.user, dossier),
        },
        request=request,
    )


@panels.register("officer_nav", order=45)
def officer_links(request, workspace) -> str:
    """The list of dossiers not in sync, in the workspace's menu, for agency administrators."""
    if not workspace or not workspace.get("is_admin"):
        return ""
    match = request.resolver_match
    current = match.url_name if match and match.namespace == "nationalportal" else ""
    return render_to_string(
        "nationalportal/officer_nav.html", {"current": current}, request=request
    )
