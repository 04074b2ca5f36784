"""The registers the state already holds data in, one connector each (decision 0078).

A connector module registers its class with `@register("vehicles")`; settings.REGISTERS_PLUGINS
lists the modules imported at start-up and settings.REGISTERS the ids this installation is
connected to. A connector answers one question, "what does the register hold under this
key?", with a Record, or raises one of the three errors below; `services.look_up` is the only
caller and records every question. Tests build a fresh `Registry` instead of patching this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.registry import Registry

DEFAULT_PURPOSE = gettext_lazy("Xử lý thủ tục hành chính")


@dataclass(frozen=True)
class Purpose:
    """Why the data is asked for (mã mục đích, mục đích sử dụng): the law asks it of every
    query of personal data. `code` is the procedure's code for a dossier."""

    code: str
    description: str = "Xử lý thủ tục hành chính"

    def __str__(self) -> str:
        return f"{self.code}: {self.description}" if self.code else self.description


@dataclass(frozen=True)
class Record:
    """What a register holds under one key, in our names (see each connector's ATTRIBUTES)."""

    register: str
    key: str
    attributes: dict
    reference: str  # the register's transaction id for this answer
    fetched_at: datetime
    extra: dict = field(default_factory=dict)


class RegisterError(Exception):
    """A look-up that gave no record. `code` is the register's error code (or ours), kept in
    the look-up's record; `message` is for the applicant."""

    outcome = "error"

    def __init__(self, code: str = "", *, label: str = "", detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.label = label
        self.detail = detail

    @property
    def message(self) -> str:
        raise NotImplementedError


class NotFound(RegisterError):
    """The register holds nothing under this key."""

    outcome = "not_found"

    @property
    def message(self) -> str:
        return _(
            "%(register)s không có thông tin theo số quý vị đã nhập. Kiểm tra lại số đó, "
            "hoặc tự nhập các thông tin."
        ) % {"register": self.label}


class Refused(RegisterError):
    """The register refused us: our credentials, our purpose or our request. Not the
    applicant's fault, nor something a retry mends."""

    outcome = "refused"

    @property
    def message(self) -> str:
        return _(
            "%(register)s từ chối yêu cầu tra cứu của hệ thống. Quý vị vui lòng tự nhập các "
            "thông tin; cán bộ sẽ đối chiếu khi xử lý hồ sơ."
        ) % {"register": self.label}


class Unavailable(RegisterError):
    """The register did not answer in time, is down, or answered something we cannot read."""

    outcome = "unavailable"

    @property
    def message(self) -> str:
        return _(
            "Chưa kết nối được với %(register)s (hệ thống không trả lời hoặc đang bận). Quý vị "
            "vui lòng tự nhập các thông tin, hoặc thử lại sau ít phút."
        ) % {"register": self.label}


class BaseConnector:
    """A register. Subclasses speak its protocol and map its answer to our attribute names."""

    id: str = ""
    label: str = ""  # shown to people: "Cơ sở dữ liệu quốc gia về dân cư"
    key_name: str = ""  # what the key is: "số định danh cá nhân"
    personal: bool = False  # its answers are personal data: a purpose is always sent
    ATTRIBUTES: dict[str, str] = {}  # our attribute name -> its label, for hints and pages

    def config_problems(self) -> list[str]:
        return []

    def normalise_key(self, key: str) -> str:
        return (key or "").strip()

    def key_is_valid(self, key: str) -> bool:
        return bool(key)

    def fetch(self, *, key: str, purpose: Purpose, request_id: str) -> Record:
        raise NotImplementedError


registry = Registry("Register connector")
register = registry.register


def active_ids() -> list[str]:
    return [i for i in settings.REGISTERS if i in registry]


def active(register_id: str, connectors: Registry | None = None) -> BaseConnector | None:
    """The connector if it is registered and switched on, else None."""
    connectors = connectors or registry
    return connectors.get(register_id) if register_id in settings.REGISTERS else None


def label_of(register_id: str) -> str:
    connector = registry.get(register_id)
    return str(connector.label) if connector else register_id
