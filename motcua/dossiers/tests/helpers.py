from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services
from motcua.factories import PDF_BYTES

VALID_FORM = {
    "applicant": {"full_name": "Nguyễn Văn An", "phone": "0912345678"},
    "vehicles": [{"plate": "51A-123.45", "seats": 16, "ownership": "owned"}],
}


def pdf(name="don-de-nghi.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def complete_draft(procedure, applicant, form=None):
    """A draft with valid answers, every required file and a delivery method."""
    dossier = services.dossier_start(procedure=procedure, applicant=applicant)
    services.dossier_save_form(dossier=dossier, applicant=applicant, data=form or VALID_FORM)
    for component in procedure.components.filter(requirement="required"):
        services.attachment_add(
            dossier=dossier, component=component, upload=pdf(), applicant=applicant
        )
    services.dossier_save_delivery(
        dossier=dossier, applicant=applicant, method="online", postal_address=""
    )
    return dossier
