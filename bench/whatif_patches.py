"""The selector changes recommended in docs/benchmarks.md, as patches for the benchmark.

Benchmark only: the application code is not changed. `install()` applies them to
motcua.workflow.selectors in the current process (bench/whatif_wsgi.py does that in the
server for `bench/back_office.py --what-if`); `count_status()` applies the first one for the
duration of a `with` block (back_office.py explains the rewritten query with it).

1. inbox_counts counts COUNT(status) instead of COUNT(id): the unit, role, due date and
   status it reads are all in dossier_inbox_due, the id is not, so with COUNT(id)
   PostgreSQL visits the table row of every queued dossier; with a column of the index it
   answers from the index alone (index-only scan). status is never NULL: same counts.
   (Django refuses Count("*") with a filter.)
2. search by text adds `search_text <> ''`: the trigram index dossier_search_trgm is partial
   (WHERE search_text <> ''), and PostgreSQL may use it only for queries that say so. A code
   search is unchanged.
"""

from contextlib import contextmanager

from django.db.models import Count


def _count_status(expression, filter=None, **extra):
    """Count("pk", filter=q) as Count("status", filter=q)."""
    return Count("status", filter=filter, **extra)


@contextmanager
def count_status():
    from motcua.workflow import selectors

    original = selectors.Count
    selectors.Count = _count_status
    try:
        yield
    finally:
        selectors.Count = original


def install():
    from motcua.workflow import selectors

    selectors.Count = _count_status
    search = selectors.search

    def search_with_trigram_index(user, text):
        qs = search(user, text)
        text = (text or "").strip()
        if text and not selectors.CODE_PATTERN.match(text):
            qs = qs.exclude(search_text="")
        return qs

    selectors.search = search_with_trigram_index
