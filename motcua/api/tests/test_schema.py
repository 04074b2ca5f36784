"""Every operation of the OpenAPI schema keeps its promises (decision 0068): schemathesis
generates requests from /api/schema/ itself, valid and invalid, and sends them through the
WSGI application with a token of a client holding every scope, over a database with an
agency, its procedure and workflow, and a submitted dossier. No answer may be a server error,
or a status, content type, header or body the schema does not declare.

The operations are read from the schema at run time: an operation added to the API is
covered without a change here. Bounded: at most MAX_EXAMPLES generated requests per operation, no shrinking."""

import os
import uuid
from contextlib import contextmanager

import lxml.html
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from motcua.api import webhooks
from motcua.api.testing import make_client, token_for
from motcua.factories import make_submitted_dossier
from motcua.workflow.machine import OpenTasksInput, perform
from motcua.workflow.models import Task
from motcua.wsgi import application

MAX_EXAMPLES = 25
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def load_schema():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.generation.update(max_examples=MAX_EXAMPLES, no_shrink=True)
    return schema


# Read once when the tests are collected, for their names; each test reads it again.
OPERATIONS = [result.ok().label for result in load_schema().get_all_operations()]


@contextmanager
def in_the_test_transaction():
    """Requests through the WSGI application, as Django's test client makes them: a request's
    start and end must not close the connection that holds the test's transaction
    (PostgreSQL). The test client connects the signal again after each of its requests."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def world(org, citizen, client):
    """A token of a client of the fixture agency with every scope, and something to read: the
    agency's procedure and workflow, and a dossier submitted to it (their identifiers by the
    names path parameters give them)."""
    dossier = make_submitted_dossier(org.procedure, citizen)
    # Accepted (a receipt is issued) and sent for an opinion (a task to answer).
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(
        dossier_id=dossier.pk,
        action="consult",
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=[org.leadership.pk], request="Cho ý kiến", days=2),
    )
    # A rate far above what the test sends: every request reaches its view.
    api_client, secret = make_client(org.agency, rate=100_000)
    token = token_for(client, api_client, secret)
    subscription, _secret = webhooks.create_subscription(
        client=api_client, url="https://hooks.example.vn/motcua", event_types=["*"]
    )
    known = {
        "code": org.procedure.code,
        "document_id": str(dossier.documents.first().pk),
        "task_id": str(Task.objects.get(dossier=dossier).pk),
        "id": str(subscription.pk),
    }
    known |= dict.fromkeys(("uuid", "dossier", "dossier_uuid", "dossier_id"), str(dossier.uuid))
    return {"Authorization": "Bearer " + token}, known


@pytest.mark.django_db
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_keeps_to_the_schema(label, world):
    headers, known = world
    with in_the_test_transaction():
        operation = load_schema().find_operation_by_label(label)
    # Valid and invalid requests, and valid ones on the objects in the database (else a
    # generated identifier finds nothing, and only the 404 is tried).
    ids = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=ids),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        # CI runs the same examples every time (a failure there is reproducible); a developer's
        # run explores new ones.
        derandomize=bool(os.environ.get("CI")),
    )
    @given(case=cases)
    def run(case):
        sent = dict(headers)
        if case.method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            sent["Idempotency-Key"] = str(uuid.uuid4())  # a fresh key: the request is run
        case.call_and_validate(headers=sent, checks=CHECKS)

    with in_the_test_transaction():
        run()


# --- The schema in the caller's language, and the page that shows it


def test_the_schema_speaks_vietnamese_or_english(client):
    vietnamese = client.get("/api/schema/?format=json").json()
    english = client.get("/api/schema/?format=json&lang=en").json()
    by_header = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    said = client.get("/api/schema/?format=json&lang=en", HTTP_ACCEPT_LANGUAGE="vi")
    assert said["Content-Language"] == "en"
    assert vietnamese["info"]["description"].startswith("API của MotCua cho các hệ thống")
    assert english["info"]["description"].startswith("MotCua's API for integrated systems")
    assert by_header["info"]["description"] == english["info"]["description"]
    assert "Idempotency-Key" in english["info"]["description"]
    statistics = "/api/v1/statistics/"
    assert vietnamese["paths"][statistics]["get"]["summary"] == (
        "Chỉ số theo Quyết định 766 của cơ quan"
    )
    assert english["paths"][statistics]["get"]["summary"] == (
        "The agency's Decision 766 indicators"
    )


def test_every_operation_declares_its_problems(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared = operation["responses"]
            for code in ("401", "403", "429"):
                content = declared[code]["content"]
                assert list(content) == ["application/problem+json"], (method, path, code)
            if method == "post":
                names = [p["name"] for p in operation["parameters"]]
                # Every POST takes an Idempotency-Key, but the peer's signed callback, which is
                # deduplicated by its webhook-id.
                key = "webhook-id" if path == "/api/v1/handovers/callback/" else "Idempotency-Key"
                assert key in names and {"409", "422"} <= set(declared), (path, names)


def test_the_docs_page_shows_swagger_ui_without_inline_script(client):
    response = client.get("/api/docs/?lang=en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = lxml.html.fromstring(response.content)
    assert page.get("lang") == "en"
    assert page.xpath("//h1")[0].text_content() == "API documentation for integrated systems"
    scripts = page.xpath("//script")
    assert [s.get("src") for s in scripts] == [
        "/static/js/motcua.js",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/api/docs.js",
    ]
    assert all(not (s.text or "").strip() for s in scripts)
    ui = page.get_element_by_id("swagger-ui")
    assert ui.get("data-schema-url") == "/api/schema/?format=json&lang=en"
    switch = page.xpath("//a[@hreflang='vi']")
    assert switch and switch[0].get("href") == "?lang=vi"
