"""Who may make a dossier's push to the national portal be tried again."""

from motcua.dossiers import access


def can_retry(user, dossier) -> bool:
    """The desk or an administrator of the agency that received the dossier."""
    agency_id = dossier.receiving_agency_id
    return access.is_desk_officer(user, agency_id) or access.is_agency_admin(user, agency_id)
