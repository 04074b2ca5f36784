"""The way in: links on a procedure's page and on the applicant's dossier page."""

import pytest
from django.urls import reverse

from motcua.factories import make_submitted_dossier

pytestmark = pytest.mark.django_db


def test_a_procedures_page_links_to_feedback_about_it(client, procedure):
    page = client.get(reverse("catalogue:detail", args=[procedure.code])).content.decode()
    assert f"/feedback/new/?procedure={procedure.code}" in page


def test_the_applicants_dossier_page_links_to_feedback_about_it(client, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert f"/feedback/new/?dossier={dossier.code}" in page
    new = client.get(f"/feedback/new/?dossier={dossier.code}").content.decode()
    assert f'value="{dossier.code}"' in new
