"""What reports shows on the pages of the apps below it (motcua.core.panels)."""

from django.core.cache import cache
from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.reports import access

LINK_SECONDS = 300


def shows_link(user) -> bool:
    """access.can_read_reports without a query on most pages: managers are known from the
    cached memberships; the national permission (two queries of the permission tables) is
    remembered for a few minutes. Only the menu reads this: the pages check access itself."""
    if user.is_superuser or access.managed_agency_ids(user):
        return True
    key = f"reports:national-link:{user.pk}"
    national = cache.get(key)
    if national is None:
        national = access.is_national(user)
        cache.set(key, national, LINK_SECONDS)
    return national


@panels.register("officer_nav", order=40)
def officer_links(request, workspace) -> str:
    """The dashboard's link in the workspace's menu, for those who may read the figures."""
    if not workspace or not shows_link(request.user):
        return ""
    match = request.resolver_match
    current = match.url_name if match and match.namespace == "reports" else ""
    return render_to_string("reports/officer_nav.html", {"current": current}, request=request)
