"""The invented people, companies and vehicles every sandbox of a state system answers about
(people.json, decision 0073): one data set, so that the person the VNeID sandbox signs in is
the one the population database knows, owns the vehicles the vehicle register lists and
represents the company the business register names. Only sandboxes and demo data read it."""

import json
from functools import cache
from pathlib import Path

PATH = Path(__file__).with_name("people.json")


@cache
def _data() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


def people() -> list[dict]:
    return _data()["people"]


def companies() -> list[dict]:
    return _data()["companies"]


def vehicles() -> list[dict]:
    return _data()["vehicles"]


def person(citizen_id: str) -> dict | None:
    return next((p for p in people() if p["citizen_id"] == citizen_id), None)


def company(tax_code: str) -> dict | None:
    return next((c for c in companies() if c["tax_code"] == tax_code), None)


def vehicle(plate: str) -> dict | None:
    return next((v for v in vehicles() if v["plate"] == plate), None)


def behaviour(kind: str, key: str) -> str | None:
    """ "slow" or "unavailable" when `key` (of kind citizen_id, tax_code or plate) is one of the
    keys that make a sandbox fail, else None."""
    for name, keys in _data()["behaviour"].items():
        if isinstance(keys, dict) and keys.get(kind) == key:
            return name
    return None
