#!/usr/bin/env python
"""How long a section save and an autosave of the largest allowed form take, in-process.

    .venv/bin/python bench/big_form.py [--rows N] [--repeat 20] [--profile]

Builds a throw-away SQLite test database (or the PostgreSQL one of DATABASE_URL, as
test_<name>), the Huế badge procedure 2.002288 from the demo catalogue and one applicant's
draft, then POSTs the vehicles section with --rows rows (default: the schema's maxItems) through
the Django test client: the full save (parse, validate, store, redirect or re-render with the
errors) and the autosave (the same POST with `X-Requested-With: fetch`), once with valid rows and
once with an error in every row (the page is shown again with each message), and the POST of
990 one-field rows from the report that first found the problem (now refused before parsing). Prints the median
and worst wall time and the median CPU time of each over --repeat requests; --profile adds a
cProfile of the full save.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FORM = "application/x-www-form-urlencoded"


def vehicle_rows(count: int, *, valid: bool = True) -> dict[str, str]:
    post = {}
    for i in range(count):
        row = {
            "plate": f"75B-{i // 100:03d}.{i % 100:02d}" if valid else f"75B{i}",
            "chassis_no": f"RL4XK{i:010d}",
            "engine_no": f"2TR{i:07d}",
            "vehicle_class": "Ô tô khách",
            "brand": "Toyota Hiace",
            "colour": "Trắng",
            "year_of_manufacture": "2021",
            "seats": "16",
            "ownership": "leased",
            "contract_no": f"HD-{i}/2026",
            "contract_from": "01/01/2026",
            "contract_to": "31/12/2027",
        }
        post.update({f"vehicles.{i}.{k}": v for k, v in row.items()})
    return post


def timed(function, repeat: int) -> tuple[float, float, float]:
    """Median wall time, worst wall time and median CPU time of this process, in ms. The CPU
    time is what to compare between runs on a busy machine: the wall time includes waiting
    for a core."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=0, help="rows to post (default: maxItems)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ["MOTCUA_TESTING"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from motcua.catalogue.forms_schema import max_items
    from motcua.dossiers import services
    from motcua.factories import ProcedureFactory, UserFactory

    # Not setup_test_environment(): its instrumented template rendering doubles the time of a
    # page with many fields, and production renders without it.
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        demo = json.loads(
            (ROOT / "motcua/catalogue/demo/badge-2.002288.json").read_text(encoding="utf-8")
        )
        procedure = ProcedureFactory(
            form_schema=demo["procedure"]["form_schema"], form_ui=demo["procedure"]["form_ui"]
        )
        vehicles = procedure.form_schema["properties"]["vehicles"]
        rows = args.rows or max_items(vehicles)
        user = UserFactory(kind="organisation", organisation_name="HTX Vận tải Hương Giang")
        dossier = services.dossier_start(procedure=procedure, applicant=user)
        client = Client()
        client.force_login(user)
        url = f"/dossiers/{dossier.uuid}/form/vehicles/"

        results = {}
        for label, post in (
            ("valid rows", vehicle_rows(rows)),
            ("rows with errors", vehicle_rows(rows, valid=False)),
        ):
            # URL-encoded, as a browser posts the form and motcua.js its autosave.
            body = urlencode(post)

            def save(body=body):
                response = client.post(url, body, content_type=FORM)
                assert response.status_code in (200, 302), response.status_code

            def autosave(body=body):
                response = client.post(
                    url, body, content_type=FORM, headers={"X-Requested-With": "fetch"}
                )
                assert response.status_code == 200, response.status_code

            save()  # warm up: templates, schema, connection
            results[f"section save, {label}"] = timed(save, args.repeat)
            results[f"autosave, {label}"] = timed(autosave, args.repeat)
            if args.profile and label == "valid rows":
                profile = cProfile.Profile()
                profile.enable()
                save()
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
                print(out.getvalue())

        # The report's POST: 990 rows of one field each (under Django's 1,000 fields a request).
        forged = urlencode(
            {f"vehicles.{i}.plate": f"75B-{i // 100:03d}.{i % 100:02d}" for i in range(990)}
        )

        def oversized():
            response = client.post(url, forged, content_type=FORM)
            assert response.status_code in (200, 302, 400), response.status_code

        oversized_times = timed(oversized, args.repeat)
        print(
            f"{rows} vehicle rows ({len(vehicle_rows(rows))} fields), {args.repeat} requests each"
        )
        for label, (median, worst, cpu) in results.items():
            print(
                f"  {label:<30} median {median:7.1f} ms   worst {worst:7.1f} ms"
                f"   CPU median {cpu:7.1f} ms"
            )
        median, worst, cpu = oversized_times
        print(
            f"  {'990 rows of one field':<30} median {median:7.1f} ms   worst {worst:7.1f} ms"
            f"   CPU median {cpu:7.1f} ms"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
