"""Statistics survive data retention: purging the personal data of expired dossiers
(`manage.py purge_expired`, decision 0058) leaves every indicator and the period table of
every past period as it was, also after the facts are rebuilt from what is left."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_retention import ended_long_ago, returned_dossier
from motcua.reports import indicators as ind
from motcua.reports.facts import refresh_fact
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db


def everything(period):
    scope = ind.Scope()
    return {
        "on_time": ind.on_time(period=period, scope=scope),
        "average": ind.average_processing_days(period=period, scope=scope),
        "online": ind.online_dossiers(period=period, scope=scope),
        "payments": ind.online_payments(period=period, scope=scope),
        "results": ind.electronic_results(period=period, scope=scope),
        "satisfaction": ind.satisfaction(period=period, scope=scope),
        "table": ind.period_table(period=period, scope=scope),
        "totals": ind.period_totals(period=period, scope=scope),
    }


def stored_facts() -> list[dict]:
    """Every stored fact but when it was last worked out."""
    fields = [f.name for f in DossierFact._meta.concrete_fields if f.name != "refreshed_at"]
    return list(DossierFact.objects.order_by("dossier_id").values(*fields))


def test_every_figure_of_every_period_is_the_same_after_the_purge(
    org, procedure, citizen, other_citizen
):
    old = returned_dossier(procedure, citizen, org)
    recent = returned_dossier(procedure, other_citizen, org)
    ended_long_ago(old)
    for dossier in (old, recent):
        refresh_fact(dossier_id=dossier.pk)
    this_year = ind.year(year=timezone.localdate().year)
    years = [this_year, ind.Period(this_year.start - timedelta(days=365 * 12), this_year.end)]
    before = [everything(p) for p in years]
    facts_before = stored_facts()
    assert before[0]["totals"]["received_online"] + before[0]["totals"]["received_counter"] == 2

    call_command("purge_expired")
    assert Dossier.objects.get(pk=old.pk).purged_at is not None
    assert [everything(p) for p in years] == before

    # Rebuilt from what the purge left, the facts are the same.
    for dossier in (old, recent):
        refresh_fact(dossier_id=dossier.pk)
    assert stored_facts() == facts_before
    assert [everything(p) for p in years] == before
