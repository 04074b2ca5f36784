"""The officer's dossier page: the dossier if the officer may see it, and what it shows.

A fixed number of queries whatever the dossier holds (pinned in tests).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef
from django.db.models.expressions import RawSQL

from motcua.accounts.models import User
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, choice_label
from motcua.payments.models import Charge
from motcua.results.models import ResultDocument
from motcua.workflow.models import Comment, Task, Workflow


def officer_dossier(user, dossier_uuid) -> Dossier | None:
    """The dossier page's dossier if the officer may see it, else None (shown as 404).

    With its procedure and current unit, the workflow version from this process's copy, and
    whether anything was ever charged (`has_charges`) or issued as a result (`has_results`),
    so that the page's payment and result panels skip reads that cannot find anything. One
    query, with access.visible_where's condition.
    """
    visible, params = access.visible_where(user)
    if not params:
        return None
    found = list(
        Dossier.objects.filter(RawSQL(visible, params, output_field=BooleanField()))  # noqa: S611 - our text
        .filter(uuid=dossier_uuid)
        .select_related("procedure", "current_unit")
        .annotate(
            has_charges=Exists(Charge.objects.filter(dossier=OuterRef("pk"))),
            has_results=Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"))),
        )[:1]
    )
    if not found:
        return None
    dossier = found[0]
    if dossier.workflow_id is not None:
        dossier.workflow = workflow_version(dossier.workflow_id)
    return dossier


# Workflow versions are never changed once saved (a change is a new version), so each
# process keeps the ones it has read. Saving or deleting a row drops its copy here (ids are
# only ever reused when a transaction is rolled back, as tests do).
_workflows: dict[int, dict] = {}


def workflow_version(workflow_id: int) -> Workflow:
    """The workflow version `workflow_id`, read once per process; a new instance each call
    (its definition is shared: read it, never change it)."""
    fields = _workflows.get(workflow_id)
    if fields is None:
        fields = Workflow.objects.filter(pk=workflow_id).values().get()
        _workflows[workflow_id] = fields
    concrete = Workflow._meta.concrete_fields
    return Workflow.from_db(
        connection.alias, [f.attname for f in concrete], [fields[f.attname] for f in concrete]
    )


def forget_workflow(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Workflow."""
    _workflows.pop(instance.pk, None)


@dataclass(slots=True)
class TaskLine:
    """A task (liên thông, consultation) as the dossier page shows it."""

    pk: int
    kind_label: str
    unit_id: int
    unit_name: str
    agency_name: str
    request: str
    due_at: object
    state: str
    state_label: str
    answer: str
    created_at: object
    created_by_name: str
    answered_at: object
    answered_by_name: str


def _people(dossier: Dossier) -> dict[int, dict]:
    ids = {dossier.applicant_id, dossier.registered_by_id or dossier.applicant_id}
    return {
        p["id"]: p for p in User.objects.filter(pk__in=ids).values("id", "address", "full_name")
    }


def dossier_page_data(dossier: Dossier) -> dict:
    """Everything the dossier page shows besides the dossier itself, a query each.

    Plain values: the page only prints them, and the events' actors, the comments' authors
    and the documents' bodies used to come as whole rows.
    """
    people = _people(dossier)
    attachments = (
        Attachment.objects.filter(dossier=dossier)
        .order_by("component_id", "uploaded_at", "id")
        .values(
            "id",
            "component_id",
            "original_name",
            "size",
            "uploaded_at",
            component_name=F("component__name"),
        )
    )
    events = (
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("at", "id")
        .values(
            "at",
            "action",
            "from_status",
            "to_status",
            "note",
            "unit_name",
            "is_public",
            "from_unit_name",
            "to_unit_name",
            "step_due_at",
            "data",
            "actor_id",
            actor_name=F("actor__full_name"),
        )
    )
    comments = (
        Comment.objects.filter(dossier=dossier)
        .order_by("at", "id")
        .values("at", "text", author_name=F("author__full_name"))
    )
    tasks = (
        Task.objects.filter(dossier=dossier)
        .order_by("due_at", "id")
        .values(
            "id",
            "kind",
            "unit_id",
            "request",
            "due_at",
            "state",
            "answer",
            "created_at",
            "answered_at",
            unit_name=F("unit__name"),
            agency_name=F("unit__agency__name"),
            created_by_name=F("created_by__full_name"),
            answered_by_name=F("answered_by__full_name"),
        )
    )
    documents = (
        IssuedDocument.objects.filter(dossier=dossier)
        .order_by("issued_at", "id")
        .values("id", "kind", "number", "issued_at")
    )
    applicant = people.get(dossier.applicant_id)
    registered_by = people.get(dossier.registered_by_id)
    return {
        "applicant_address": applicant["address"] if applicant else "",
        # None when no officer registered it (online); an officer without a name still shows.
        "registered_by": registered_by["full_name"] if registered_by else None,
        "attachments": [{"pk": a.pop("id"), **a} for a in attachments],
        "events": list(events),
        "comments": list(comments),
        "tasks": [
            TaskLine(
                pk=t["id"],
                kind_label=choice_label(Task.Kind, t["kind"]),
                unit_id=t["unit_id"],
                unit_name=t["unit_name"],
                agency_name=t["agency_name"],
                request=t["request"],
                due_at=t["due_at"],
                state=t["state"],
                state_label=choice_label(Task.State, t["state"]),
                answer=t["answer"],
                created_at=t["created_at"],
                created_by_name=t["created_by_name"],
                answered_at=t["answered_at"],
                answered_by_name=t["answered_by_name"] or "",
            )
            for t in tasks
        ],
        "documents": [
            {
                "pk": d["id"],
                "kind_label": choice_label(IssuedDocument.Kind, d["kind"]),
                "number": d["number"],
                "issued_at": d["issued_at"],
            }
            for d in documents
        ],
    }
