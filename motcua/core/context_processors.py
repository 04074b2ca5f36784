"""Template context every page needs."""

from django.conf import settings


def sandbox(request) -> dict:
    """SANDBOX_ENABLED, for the banner that tells every visitor no payment here is real."""
    return {"SANDBOX_ENABLED": settings.SANDBOX_ENABLED}
