"""Versions of a procedure: a new one from a date, the one it replaces ending that day."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Component, Procedure
from motcua.core.events import ProcedureVersionCreated
from motcua.core.outbox import publish


@transaction.atomic
def procedure_new_version(*, procedure: Procedure, effective_from: date) -> Procedure:
    """Copy a procedure and its components into a new version (phiên bản mới).

    The copy starts on `effective_from` and the copied version stops that day, so exactly
    one version is in force at any time; dossiers keep pointing at the version they started
    under.
    """
    current = Procedure.objects.select_for_update().get(pk=procedure.pk)
    later = (
        Procedure.objects.filter(code=current.code, effective_from__gte=effective_from)
        .order_by("effective_from")
        .first()
    )
    if later is not None:
        raise ValidationError(
            _(
                "Thủ tục %(code)s đã có phiên bản hiệu lực từ ngày %(date)s; "
                "hãy sửa trực tiếp phiên bản đó."
            )
            % {"code": current.code, "date": later.effective_from.strftime("%d/%m/%Y")}
        )
    if current.effective_to is not None and current.effective_to <= effective_from:
        raise ValidationError(
            _("Phiên bản này của thủ tục %(code)s đã hết hiệu lực; hãy chọn phiên bản mới nhất.")
            % {"code": current.code}
        )
    components = list(current.components.all())
    copy = Procedure.objects.get(pk=current.pk)
    copy.pk = None
    copy._state.adding = True
    copy.effective_from = effective_from
    copy.save()
    current.effective_to = effective_from
    current.save(update_fields=["effective_to"])
    for component in components:
        component.pk = None
        component._state.adding = True
        component.procedure = copy
    Component.objects.bulk_create(components)
    # The apps above keep the version's workflow and result template: carried over.
    publish(
        ProcedureVersionCreated(
            procedure_id=copy.pk,
            previous_id=current.pk,
            code=copy.code,
            effective_from=effective_from,
        ),
        subject=copy,
    )
    return copy
