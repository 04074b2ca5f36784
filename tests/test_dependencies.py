"""The lock files (make lock) cover what pyproject.toml asks for, so they cannot go stale
unnoticed: production installs requirements/production.txt with --require-hashes, and
development and CI requirements/dev.txt (decision 23)."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
DEV = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]


def read_lock(name: str) -> dict[str, tuple[Version, list[str]]]:
    """{package: (pinned version, its sha256 hashes)} of requirements/<name>."""
    text = (ROOT / "requirements" / name).read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        package, version = requirement.split("==")
        hashes = [option for option in options if option.startswith("--hash=sha256:")]
        pins[canonicalize_name(package)] = (Version(version), hashes)
    return pins


PRODUCTION = read_lock("production.txt")
DEVELOPMENT = read_lock("dev.txt")


def unmet(requirements: list[Requirement], pins) -> list[str]:
    missing = []
    for requirement in requirements:
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None or not requirement.specifier.contains(pin[0], prereleases=True):
            missing.append(f"{requirement} (locked: {pin[0] if pin else 'no'})")
    return missing


def test_production_lock_pins_every_dependency_of_pyproject():
    assert unmet(RUNTIME, PRODUCTION) == [], "run `make lock`"


def test_development_lock_pins_the_dependencies_and_the_dev_extras():
    assert unmet(RUNTIME + DEV, DEVELOPMENT) == [], "run `make lock`"


def test_production_lock_leaves_the_dev_extras_out():
    assert {canonicalize_name(r.name) for r in DEV} & PRODUCTION.keys() == set()


def test_the_tests_run_the_versions_production_installs():
    differ = {
        package: (str(version), str(DEVELOPMENT.get(package, (None,))[0]))
        for package, (version, _) in PRODUCTION.items()
        if DEVELOPMENT.get(package, (None,))[0] != version
    }
    assert differ == {}


def test_every_pin_carries_its_hashes():
    # pip install --require-hashes refuses a file with one pin without them.
    for pins in (PRODUCTION, DEVELOPMENT):
        assert [package for package, (_, hashes) in pins.items() if not hashes] == []
