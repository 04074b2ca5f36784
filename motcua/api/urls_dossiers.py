"""API routes: dossiers (filled in by its part)."""

urlpatterns: list = []
