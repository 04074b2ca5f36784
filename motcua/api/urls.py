"""/api/: the token endpoint, the OpenAPI schema and its docs, and version 1's resources.

Each resource has its own URL module (urls_<area>.py); a path under /api/ that names
nothing answers a problem, never the portal's HTML page.
"""

from django.urls import include, path, re_path
from oauth2_provider.views import TokenView

from motcua.api.problems import not_found_view
from motcua.api.views_docs import SchemaView

v1 = [
    path("", include("motcua.api.urls_procedures")),
    path("", include("motcua.api.urls_dossiers")),
    path("", include("motcua.api.urls_actions")),
    path("", include("motcua.api.urls_webhooks")),
    path("", include("motcua.api.urls_handovers")),
]

urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("", include("motcua.api.urls_docs")),
    path("v1/", include(v1)),
    re_path(r"^[\s\S]*$", not_found_view),
]
