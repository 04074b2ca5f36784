"""Retention (decision 0058): a purged dossier's issued documents lose their PDF; the
append-only row (number, kind, date, SHA-256) stays in the tracking record."""

from motcua.core.retention import purgers, stored_files
from motcua.documents.models import IssuedDocument


@purgers.register("documents")
def purge_documents(dossier_ids: list[int], files: list) -> dict[str, int]:
    pdfs = stored_files(
        IssuedDocument.objects.filter(dossier_id__in=dossier_ids).exclude(pdf=""), "pdf"
    )
    files.extend(pdfs)
    return {"documents.pdf": len(pdfs)}
