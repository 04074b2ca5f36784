"""The outbox subscribers that keep the facts up to date (decision 0056).

Every dossier event (DossierChanged and its subtypes: payments settled, results issued,
ratings...) recomputes that dossier's fact from its record: idempotent, so the outbox's
retries and the order in which events arrive change nothing.
"""

from django.conf import settings

from motcua.core.events import DossierChanged, DossierMessagePosted, DossierRated
from motcua.core.outbox import subscriber
from motcua.reports.facts import record_rating, refresh_fact


@subscriber(DossierChanged, name="reports.refresh_fact")
def dossier_changed(event: DossierChanged) -> None:
    if not settings.REPORTS_LIVE:
        return  # facts and aggregates rebuilt later by `manage.py rebuild_facts` (decision 0060)
    if isinstance(event, DossierMessagePosted):
        return  # a message changes no figure
    if isinstance(event, DossierRated):
        record_rating(dossier_id=event.dossier_id, negative=event.negative)
    else:
        refresh_fact(dossier_id=event.dossier_id)
