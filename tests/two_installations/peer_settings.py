"""The second installation's settings: MotCua's own, with peer_urls (the result file's
endpoint served minimally while part B's is not on this branch)."""

from motcua.settings import *  # noqa: F403

ROOT_URLCONF = "tests.two_installations.peer_urls"
