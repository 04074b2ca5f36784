#!/usr/bin/env python
"""Signing and verification figures for electronic results (docs/results.md).

    .venv/bin/python bench/signing.py [--n 40] [--verify 60] [--key-type rsa2048|ec256|both]

One process, a throwaway SQLite test database and a temporary PKI. Prints:
  - signatures per second: the badge result PDF (two vehicles) signed --n times (PAdES B-B),
    and the whole issue_result (numbering, render, sign, store) for comparison;
  - the cost of signing a slip: issue_document of a receipt on a counter dossier (unsigned)
    against an online one (signed and registered);
  - verification latency p50/p99 over --verify runs: the service (verify_pdf) and an HTTP
    upload to /verify/ through Django's test Client (in-process, no network).
Bounded for a 2-core machine shared with others: about a minute with the defaults.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ["MOTCUA_TESTING"] = "true"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="signatures to time")
    parser.add_argument("--verify", type=int, default=60, help="verifications to time")
    parser.add_argument("--key-type", choices=("rsa2048", "ec256", "both"), default="both")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DATABASES["default"]["NAME"] = ":memory:"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    media = tempfile.mkdtemp(prefix="motcua-bench-media-")
    settings.MEDIA_ROOT = media
    settings.VERIFY_UPLOADS_PER_HOUR = 10**6
    settings.SIGNING_ALLOW_DEFAULT = True

    from motcua.documents.render import html_to_pdf
    from motcua.documents.services import issue_document
    from motcua.dossiers.models import Dossier
    from motcua.factories import (
        ComponentFactory,
        ProcedureFactory,
        UserFactory,
        make_organisation,
        make_submitted_dossier,
    )
    from motcua.results.tests.conftest import badge_form, vehicle
    from motcua.signing import pades as signing
    from motcua.signing import pki, services

    spec = json.loads(
        (Path(settings.BASE_DIR) / "motcua/catalogue/demo/badge-2.002288.json").read_text()
    )["procedure"]
    procedure = ProcedureFactory(
        code="2.002288", form_schema=spec["form_schema"], form_ui=spec["form_ui"]
    )
    ComponentFactory(procedure=procedure)
    org = make_organisation(procedure)

    key_types = ("rsa2048", "ec256") if args.key_type == "both" else (args.key_type,)

    def run(key_type):
        pki_dir = Path(tempfile.mkdtemp(prefix=f"motcua-bench-pki-{key_type}-"))
        pki.create_pki(pki_dir, key_type=key_type)
        settings.SIGNING_DIR = pki_dir
        signing.clear_cache()
        citizen = UserFactory()
        form = badge_form(vehicle("75B-012.34"), vehicle("75B-567.89", service_life_year=2030))
        dossier = make_submitted_dossier(procedure, citizen, form_data=form)

        print(f"\n== {key_type} ==")
        # Warm up: fonts, templates, the signer cache.
        result = services.issue_result(dossier, actor=org.leader)
        with result.pdf.open("rb") as handle:
            signed = handle.read()
        signer = signing.signer_for(procedure.receiving_agency)
        context, _face, _number = services._result_context(
            dossier, "badge", procedure.receiving_agency, result.issued_at, org.leader, "bench"
        )
        unsigned = html_to_pdf(services._render(["results/pdf/2.002288.html"], context, None))

        times = timed(lambda: signing.sign_pdf(unsigned, signer, reason="bench"), args.n)
        total = sum(times)
        print(
            f"sign badge PDF ({len(unsigned) // 1024} KiB): {args.n / total:.1f} signatures/s "
            f"(p50 {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))})"
        )
        n_issue = max(5, args.n // 4)
        times = timed(lambda: services.issue_result(dossier, actor=org.leader), n_issue)
        print(
            f"issue_result (number, render, sign, store), {n_issue} runs: "
            f"p50 {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}"
        )

        counter = make_submitted_dossier(
            procedure, citizen, form_data=form, channel=Dossier.Channel.COUNTER
        )
        n_slip = max(5, args.n // 4)
        plain = timed(
            lambda: issue_document(dossier=counter, kind="receipt", actor=org.desk_officer),
            n_slip,
        )
        signed_slip = timed(
            lambda: issue_document(dossier=dossier, kind="receipt", actor=org.desk_officer),
            n_slip,
        )
        print(
            f"slip (receipt) issue, {n_slip} runs: unsigned p50 {ms(statistics.median(plain))}, "
            f"signed p50 {ms(statistics.median(signed_slip))}"
        )

        times = timed(lambda: services.verify_pdf(signed), args.verify)
        print(
            f"verify_pdf (service): p50 {ms(statistics.median(times))}, "
            f"p99 {ms(percentile(times, 99))}"
        )
        client = Client()
        url = "/verify/"

        def upload():
            response = client.post(
                url, {"file": SimpleUploadedFile("kq.pdf", signed, "application/pdf")}
            )
            assert response.status_code == 200 and "Tệp hợp lệ" in response.content.decode()

        times = timed(upload, args.verify)
        print(
            f"verify by HTTP upload (test Client): p50 {ms(statistics.median(times))}, "
            f"p99 {ms(percentile(times, 99))}"
        )

    for key_type in key_types:
        run(key_type)


if __name__ == "__main__":
    main()
