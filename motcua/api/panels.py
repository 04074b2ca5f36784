"""What the API shows on the pages of the apps below it (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels


@panels.register("officer_nav", order=50)
def officer_links(request, workspace) -> str:
    """The API clients' link in the workspace's menu, for agency administrators (known from
    the workspace, without a query)."""
    if not workspace or not workspace.get("is_admin"):
        return ""
    match = request.resolver_match
    current = match.url_name if match and match.namespace == "api_clients" else ""
    return render_to_string("api/officer_nav.html", {"current": current}, request=request)
