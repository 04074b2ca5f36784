"""Level 2: the dossier prepared by the agency from the earlier dossier and result,
refreshed from the registers (issue 17). Helper B builds it."""

from motcua.dossiers.models import Dossier
from motcua.proactive.models import Reminder


def prepare(reminder: Reminder) -> Dossier | None:
    """The draft prepared for `reminder` (made once: a second call returns the same one), or
    None when the rule prepares nothing or the offered procedure takes no online dossier."""
    return None
