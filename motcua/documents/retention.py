"""Retention (decision 0058): a purged dossier's issued documents lose their PDF; the
append-only row (number, kind, date, SHA-256) stays in the tracking record."""

from motcua.core.retention import purgers
from motcua.documents.models import IssuedDocument


@purgers.register("documents")
def purge_documents(dossier_ids: list[int], files: list) -> dict[str, int]:
    rows = list(IssuedDocument.objects.filter(dossier_id__in=dossier_ids).exclude(pdf=""))
    files.extend(
        (row.pdf.storage, row.pdf.name) for row in rows if row.pdf.storage.exists(row.pdf.name)
    )
    return {"documents.pdf": len(files)}
