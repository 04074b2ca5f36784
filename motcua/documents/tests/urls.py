"""The project's URLs plus this app's, until motcua/urls.py includes them."""

from django.urls import include, path

from motcua.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "documents" for p in urlpatterns):
    urlpatterns.insert(0, path("", include("motcua.documents.urls")))
