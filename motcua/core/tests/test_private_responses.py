"""Pages with personal data are never stored by a browser or a proxy (Cache-Control:
no-store); public pages stay cacheable; HSTS is configured from the environment."""

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.core.tests.helpers import load_settings
from motcua.dossiers import services
from motcua.dossiers.tests.helpers import complete_draft
from motcua.workflow import machine

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def one_page_pdf():
    from motcua.documents.render import html_to_pdf

    return html_to_pdf("<p>Phiếu</p>")


@pytest.fixture(autouse=True)
def _small_pdfs(monkeypatch, one_page_pdf):
    monkeypatch.setattr("motcua.documents.services.html_to_pdf", lambda html: one_page_pdf)


@pytest.fixture
def dossier(org, citizen, procedure):
    draft = complete_draft(procedure, citizen)
    submitted = services.dossier_submit(dossier_uuid=draft.uuid, applicant=citizen)
    # Accepted: the receipt slip (phiếu tiếp nhận) is issued.
    return machine.perform(dossier_id=submitted.pk, action="accept", actor=org.desk_officer)


def not_stored(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_the_applicant_s_pages_and_files_are_not_stored(client, citizen, dossier):
    client.force_login(citizen)
    attachment = dossier.attachments.first()
    document = dossier.documents.first()
    for url in (
        reverse("dossiers:mine"),
        reverse("dossiers:detail", args=[dossier.uuid]),
        reverse("dossiers:attachment", args=[dossier.uuid, attachment.pk]),
        reverse("documents:html", args=[dossier.uuid, document.pk]),
        reverse("documents:pdf", args=[dossier.uuid, document.pk]),
        reverse("accounts:profile"),
        reverse("catalogue:home"),  # signed in: the page names the user
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not_stored(response), url


def test_the_officer_s_pages_and_files_are_not_stored(client, org, dossier):
    login_officer(client, org.desk_officer)
    attachment = dossier.attachments.first()
    for url in (
        reverse("workflow:inbox"),
        reverse("workflow:dossier", args=[dossier.uuid]),
        reverse("workflow:attachment", args=[dossier.uuid, attachment.pk]),
        reverse("documents:control_sheet", args=[dossier.uuid]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not_stored(response), url


def test_a_tracking_result_is_not_stored(client, dossier, citizen):
    response = client.post(
        reverse("dossiers:track"), {"code": dossier.code, "secret": citizen.phone}
    )
    assert response.status_code == 200 and dossier.code in response.content.decode()
    assert not_stored(response)
    assert not_stored(client.get(reverse("results:verify_token", args=["unknown"])))


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, procedure):
    for url in (
        reverse("catalogue:home"),
        reverse("catalogue:list"),
        reverse("catalogue:detail", args=[procedure.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Cache-Control" not in response.headers, url


def test_a_view_s_own_cache_control_is_kept(client, org):
    # /health/ says never_cache itself; signed in, the middleware does not replace it.
    login_officer(client, org.desk_officer)
    cache_control = client.get(reverse("core:health"))["Cache-Control"]
    assert "max-age=0" in cache_control and "must-revalidate" in cache_control


def test_hsts_sub_domains_and_preload_come_from_the_environment(client, settings):
    names = ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
    loaded = load_settings(names, SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true")
    assert loaded.returncode == 0, loaded.stderr
    assert (
        loaded.stdout.strip()
        == '{"SECURE_HSTS_INCLUDE_SUBDOMAINS": true, "SECURE_HSTS_PRELOAD": true}'
    )
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("catalogue:home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
