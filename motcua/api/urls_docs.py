"""API routes: docs (filled in by its part)."""

urlpatterns: list = []
