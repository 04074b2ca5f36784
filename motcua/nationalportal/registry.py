"""The national portal registry: one plugin per portal, switched on by settings.

A plugin module registers its class with `@register("dvcqg")`; settings.NATIONAL_PORTAL_PLUGINS
lists the modules to import at start-up and settings.NATIONAL_PORTAL the id statuses are
pushed to (empty: none). Tests build a fresh `Registry` instead of patching this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from motcua.core.registry import Registry


@dataclass(frozen=True)
class StatusUpdate:
    """One change of a dossier's status, in MotCua's words; each plugin writes it in its
    portal's format. Times are aware datetimes (None: not reached yet); names are people's
    full names ("" when nobody is known yet)."""

    message_id: str
    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    status: int
    changed_at: datetime
    channel: str
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    due_at: datetime | None = None
    returned_at: datetime | None = None
    receiver_name: str = ""
    handler_name: str = ""
    handling_unit: str = ""


@dataclass(frozen=True)
class Receipt:
    """The portal took the message: its reference for it, and what it answered."""

    reference: str
    raw: dict = field(default_factory=dict)


class PortalUnavailable(Exception):
    """Not taken now, worth trying again later: the portal cannot be reached, timed out,
    or answered 5xx or 429."""


class PortalRejected(Exception):
    """The portal refused the message (4xx): trying again as it is will not help."""

    def __init__(self, code: str, message: str = "", *, status: int | None = None):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


class BasePortal:
    id: str = ""
    label: str = ""

    def config_problems(self) -> list[str]:
        """What is missing for this plugin to work (shown by `manage.py check`)."""
        return []

    def push(self, update: StatusUpdate) -> Receipt:
        """Send one status change (raise PortalUnavailable or PortalRejected)."""
        raise NotImplementedError


registry = Registry("National portal plugin")
register = registry.register


def active(portals: Registry | None = None) -> BasePortal | None:
    """The portal statuses are pushed to, or None when none is configured."""
    portals = portals or registry
    plugin_id = settings.NATIONAL_PORTAL
    return portals.get(plugin_id) if plugin_id and plugin_id in portals else None
