"""The home page's "most used procedures" counts submissions through a subscriber of
DossierSubmitted, not by reading the dossiers from the catalogue."""

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.catalogue.models import ProcedureUsage
from motcua.core import outbox
from motcua.core.events import DossierSubmitted
from motcua.factories import ProcedureFactory, UserFactory, make_submitted_dossier

pytestmark = pytest.mark.django_db


def test_each_submission_is_counted_once_for_its_procedure_and_day(
    procedure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            make_submitted_dossier(procedure, UserFactory())
    usage = ProcedureUsage.objects.get(procedure=procedure)
    assert usage.day == timezone.localdate() and usage.submissions == 3
    # Delivered again (a retry after a crash): a recount, the same figure.
    submitted = next(
        s
        for s in outbox.subscribers_of(DossierSubmitted, sync=False)
        if s.name == "dossiers.count_procedure_usage"
    )
    last = procedure.dossiers.order_by("-pk").first()
    submitted.handler(DossierSubmitted(dossier_id=last.pk, code=last.code))
    assert ProcedureUsage.objects.get(procedure=procedure).submissions == 3


def test_the_home_page_shows_the_most_used_procedure_first(
    client, procedure, django_capture_on_commit_callbacks
):
    # Sorted by code it would come first: only the count puts the used one before it.
    quiet = ProcedureFactory(
        code="0.000000", name="Thủ tục ít dùng", form_schema={"type": "object"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(procedure, UserFactory())
        make_submitted_dossier(procedure, UserFactory())
    html = client.get(reverse("catalogue:home")).content.decode()
    assert procedure.name in html and quiet.name in html  # few dossiers: online-ready fill in
    assert html.index(procedure.name) < html.index(quiet.name)
