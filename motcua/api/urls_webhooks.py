"""API routes: webhooks (filled in by its part)."""

urlpatterns: list = []
