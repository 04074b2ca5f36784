"""API routes: the documentation page (decision 0068)."""

from django.urls import path

from motcua.api.views_docs import docs_page

urlpatterns = [
    path("docs/", docs_page, name="api-docs"),
]
