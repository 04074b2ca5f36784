"""API routes: procedures (filled in by its part)."""

urlpatterns: list = []
