"""`manage.py check` names an active plugin that is not registered, and what an active one lacks
(core.registry.Registry.register_check, used by every extension point)."""

from django.core import checks

from motcua.core.registry import Registry


def test_the_check_names_unknown_plugins_and_what_active_ones_lack(settings, monkeypatch):
    registered = []
    monkeypatch.setattr(checks, "register", registered.append)
    plugins = Registry("Thing")

    @plugins.register("good")
    class Good:
        def config_problems(self):
            return []

    @plugins.register("lacking")
    class Lacking:
        def config_problems(self):
            return ["THING_SECRET is not set."]

    plugins.register_check(active_setting="THINGS", plugins_setting="THING_PLUGINS", check_id="t")
    (check,) = registered

    settings.THINGS = ["good", "lacking", "unknown"]
    assert [(e.id, e.msg) for e in check()] == [
        ("t.E002", "lacking: THING_SECRET is not set."),
        ("t.E001", "Thing 'unknown' (THINGS) is not registered; add its module to THING_PLUGINS."),
    ]
    settings.THINGS = "good"  # one id, as NATIONAL_PORTAL
    assert check() == []
    settings.THINGS = ""
    assert check() == []
