"""The outbox subscribers of the internal scores and the petition facts (decision 0061)."""

from motcua.core.events import DossierChanged, DossierMessagePosted, PetitionChanged, PetitionLate
from motcua.core.outbox import subscriber
from motcua.reports.petition_facts import record_petition_changed, record_petition_late
from motcua.reports.scoring import score_dossier


@subscriber(DossierChanged, name="reports.score_dossier")
def dossier_changed(event: DossierChanged) -> None:
    if isinstance(event, DossierMessagePosted):
        return  # a message changes no score
    score_dossier(dossier_id=event.dossier_id)


@subscriber(PetitionChanged, name="reports.petition_fact")
def petition_changed(event: PetitionChanged) -> None:
    fact = record_petition_changed(event)
    if fact.dossier_id is not None:
        score_dossier(dossier_id=fact.dossier_id)  # indicator 7 reads the petitions


@subscriber(PetitionLate, name="reports.petition_late")
def petition_late(event: PetitionLate) -> None:
    record_petition_late(event)
