"""API routes: handovers (filled in by its part)."""

urlpatterns: list = []
