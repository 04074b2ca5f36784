"""A connector that speaks the data-sharing platform's protocol (protocol.py) to one register:
each register differs only in its URL, the name of its key and the names of its fields."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone

from motcua.core.registry import unset_settings
from motcua.registers import protocol
from motcua.registers.registry import BaseConnector, Purpose, Record, Unavailable


class HttpConnector(BaseConnector):
    url_setting: str = ""  # the setting naming the query endpoint
    sandbox_path: str = ""  # its default under SITE_URL
    key_field: str = ""  # the key's name in the register's request body
    key_pattern: str = ""

    @property
    def url(self) -> str:
        return getattr(settings, self.url_setting, "") or f"{settings.SITE_URL}{self.sandbox_path}"

    def config_problems(self) -> list[str]:
        # Without the sandbox, the register's own address is needed too.
        needed = ("REGISTERS_CLIENT_ID", "REGISTERS_CLIENT_SECRET")
        return unset_settings(*needed, *(() if settings.SANDBOX_ENABLED else (self.url_setting,)))

    def key_is_valid(self, key: str) -> bool:
        return bool(re.fullmatch(self.key_pattern, key)) if self.key_pattern else bool(key)

    def fetch(self, *, key: str, purpose: Purpose, request_id: str) -> Record:
        body = {self.key_field: key}
        if purpose.code or self.personal:
            body["purpose"] = {"code": purpose.code, "description": purpose.description}
        data, reference = protocol.query(
            self.url, scope=self.id, label=str(self.label), body=body, request_id=request_id
        )
        try:
            attributes = self.attributes(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Unavailable(
                protocol.BAD_ANSWER, label=str(self.label), detail=f"unreadable data: {exc!r}"
            ) from exc
        return Record(
            register=self.id,
            key=key,
            attributes=attributes,
            reference=reference,
            fetched_at=timezone.now(),
        )

    def attributes(self, data: dict) -> dict:
        """The register's answer in our names (raise KeyError/TypeError/ValueError when it
        lacks what it must hold)."""
        raise NotImplementedError


def text(value) -> str:
    return "" if value is None else str(value).strip()


def integer(value) -> int | None:
    if value in (None, ""):
        return None
    return int(value)
