"""API routes: actions (filled in by its part)."""

urlpatterns: list = []
