"""Retention (decision 0058): a purged dossier's signed results lose their PDF.

The row stays (append-only): its number, title, dates, signer and SHA-256 are what the
archive and the verification page need; the file with the person's data is deleted.
"""

from motcua.core.retention import purgers, stored_files
from motcua.results.models import ResultDocument


@purgers.register("results")
def purge_results(dossier_ids: list[int], files: list) -> dict[str, int]:
    pdfs = stored_files(
        ResultDocument.objects.filter(dossier_id__in=dossier_ids).exclude(pdf=""), "pdf"
    )
    files.extend(pdfs)
    return {"results.pdf": len(pdfs)}
