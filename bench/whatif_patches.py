"""The selector changes recommended in docs/benchmarks.md, as patches for the benchmark.

Benchmark only: the application code is not changed. `install()` applies them to
motcua.workflow.selectors in the current process (bench/whatif_wsgi.py does that in the
server for `bench/back_office.py --what-if`). The first recommendation (inbox counts from the
index alone) is in the application since; so is this one, which stays as an example.

Search by text adds `search_text <> ''`: the trigram index dossier_search_trgm is partial
(WHERE search_text <> ''), and PostgreSQL may use it only for queries that say so. A code
search is unchanged.
"""


def install():
    from motcua.workflow import selectors

    search = selectors.search

    def search_with_trigram_index(user, text):
        qs = search(user, text)
        text = (text or "").strip()
        if text and not selectors.CODE_PATTERN.match(text):
            qs = qs.exclude(search_text="")
        return qs

    selectors.search = search_with_trigram_index
