"""The internal scores of Circular 01/2018 (TT01 art.13–15) and the petitions as facts
(decision 0061). Like DossierFact: plain integer ids, no foreign key, no personal data, so
that purging a dossier never changes a past quarter's scores. Each indicator is 0, 1 or 2,
or NULL when there is no information for it (art.15(4)(b): left out of the totals).
"""

from django.db import models


def _score():
    return models.PositiveSmallIntegerField(null=True, blank=True)


class DossierScore(models.Model):
    """The per-dossier indicators of one resolved dossier (art.14(1)): 1 total time, 3
    contacts with the desk, 4 bodies contacted, 6 publicity, 7 attitude. Indicator 2 is per
    unit (UnitScore)."""

    dossier_id = models.BigIntegerField(primary_key=True)
    agency_id = models.BigIntegerField()
    agency_path = models.CharField(max_length=200)
    sector_id = models.BigIntegerField()
    procedure_code = models.CharField(max_length=40)
    ended_at = models.DateTimeField()
    i1 = _score()
    i3 = _score()
    i4 = _score()
    i6 = _score()
    i7 = _score()
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["ended_at", "agency_path"], name="score_ended")]

    def __str__(self):
        return f"score {self.dossier_id}"


class HandlerScore(models.Model):
    """What a unit's and an officer's scores share: the dossier, where it belongs, when it
    ended, and the indicators counted for whoever handled it (1, 2, 3, 4, 7)."""

    dossier_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    agency_id = models.BigIntegerField()  # the unit's agency
    agency_path = models.CharField(max_length=200)
    sector_id = models.BigIntegerField()
    ended_at = models.DateTimeField()
    i1 = _score()
    i2 = _score()
    i3 = _score()
    i4 = _score()
    i7 = _score()

    class Meta:
        abstract = True


class UnitScore(HandlerScore):
    """One unit (accounts.Unit) that handled the dossier: its own time against its steps'
    deadlines (indicator 2), with the dossier's indicators 1, 3, 4, 6, 7 for the unit's
    means."""

    i6 = _score()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier_id", "unit_id"], name="unit_score_unique")
        ]
        indexes = [models.Index(fields=["ended_at", "agency_path"], name="unit_score_ended")]

    def __str__(self):
        return f"score {self.dossier_id} unit {self.unit_id}"


class OfficerScore(HandlerScore):
    """One officer who acted on the dossier's timeline for a unit (desk officer,
    specialist, head, leader): indicators 1, 2 (the unit's), 3, 4, 7 (art.15(1)(a))."""

    officer_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_id", "unit_id", "officer_id"], name="officer_score_unique"
            )
        ]
        indexes = [models.Index(fields=["ended_at", "agency_path"], name="officer_score_ended")]

    def __str__(self):
        return f"score {self.dossier_id} officer {self.officer_id}"


class PetitionFact(models.Model):
    """One feedback/petition (phản ánh, kiến nghị), kept from PetitionChanged and PetitionLate
    (reports may not read feedback's tables). Times are when the events were published."""

    petition_id = models.BigIntegerField(primary_key=True)
    agency_id = models.BigIntegerField(null=True, blank=True)
    agency_path = models.CharField(max_length=200, blank=True)
    dossier_id = models.BigIntegerField(null=True, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True)  # the answer's deadline
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True)  # the last action's status
    rejected = models.BooleanField(default=False)
    # Answered after its deadline, or a stage escalated as late (PetitionLate).
    late = models.BooleanField(default=False)
    # Left unanswered past its answer deadline (kéo dài): PetitionLate for the resolve stage.
    prolonged = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["filed_at", "agency_path"], name="petition_fact_filed")]

    def __str__(self):
        return f"petition fact {self.petition_id}"

    @property
    def on_time(self) -> bool:
        return self.answered_at is not None and not self.late
