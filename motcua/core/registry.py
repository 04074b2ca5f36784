"""Plugins of one extension point, by id (STYLE.md habit 4: one registry per extension point).

scanners = Registry("Virus scanner")

@scanners.register("clamav")
class ClamdScanner: ...

scanners.get("clamav")  # an instance, or None for an unknown id

A lower layer that may not import the app owning a registry reads its ids by its kind:
registry_named("Notification channel").ids() (proactive's admin checks a rule's channels).
"""

from importlib import import_module

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def unset_settings(*names: str) -> list[str]:
    """What a plugin's config_problems() says of the settings it needs that are empty."""
    return [f"{name} is not set." for name in names if not getattr(settings, name, "")]


_registries: dict[str, "Registry"] = {}


def registry_named(kind: str) -> "Registry | None":
    """The registry of plugins of `kind` ("Notification channel"), once its module is
    imported (by its app's ready()), or None."""
    return _registries.get(kind)


class Registry:
    def __init__(self, kind: str):
        self.kind = kind
        self._plugins: dict[str, type] = {}
        _registries.setdefault(kind, self)  # the first of a kind: a test's own stays its own

    def register(self, plugin_id: str):
        def decorator(cls):
            if plugin_id in self._plugins:
                raise ImproperlyConfigured(f"{self.kind} {plugin_id!r} is registered twice.")
            cls.id = plugin_id
            self._plugins[plugin_id] = cls
            return cls

        return decorator

    def __contains__(self, plugin_id) -> bool:
        return plugin_id in self._plugins

    def get(self, plugin_id: str):
        cls = self._plugins.get(plugin_id)
        return cls() if cls else None

    def __getitem__(self, plugin_id: str):
        plugin = self.get(plugin_id)
        if plugin is None:
            raise KeyError(plugin_id)
        return plugin

    def ids(self) -> list[str]:
        return list(self._plugins)

    def load(self, modules: list[str]) -> None:
        """Import the plugin modules named in a setting: each registers its plugins."""
        for module in modules:
            import_module(module)

    def register_check(self, *, active_setting: str, plugins_setting: str, check_id: str) -> None:
        """`manage.py check` says which plugin named in settings.<active_setting> (a list, or
        one id) is not registered (add its module to settings.<plugins_setting>) and what an
        active one lacks (its config_problems()): errors <check_id>.E001 and .E002."""

        def check(app_configs=None, **kwargs):
            active = getattr(settings, active_setting)
            errors = []
            for plugin_id in [active] if isinstance(active, str) and active else active or []:
                plugin = self.get(plugin_id)
                if plugin is None:
                    errors.append(
                        checks.Error(
                            f"{self.kind} {plugin_id!r} ({active_setting}) is not registered; "
                            f"add its module to {plugins_setting}.",
                            id=f"{check_id}.E001",
                        )
                    )
                    continue
                for problem in plugin.config_problems():
                    errors.append(checks.Error(f"{plugin_id}: {problem}", id=f"{check_id}.E002"))
            return errors

        checks.register(check)
