"""`manage.py check` says what the configured national portal lacks."""

from django.conf import settings
from django.core import checks

from motcua.nationalportal.registry import registry


@checks.register()
def portal_configured(app_configs=None, **kwargs):
    plugin_id = settings.NATIONAL_PORTAL
    if not plugin_id:
        return []
    plugin = registry.get(plugin_id)
    if plugin is None:
        return [
            checks.Error(
                f"NATIONAL_PORTAL={plugin_id!r} is not a registered plugin "
                f"(known: {', '.join(registry.ids()) or 'none'}).",
                id="nationalportal.E001",
            )
        ]
    return [checks.Error(problem, id="nationalportal.E002") for problem in plugin.config_problems()]
