"""The officer's dossier page: the dossier if the officer may see it, and what it shows.

A fixed number of queries whatever the dossier holds (pinned in tests), in SQL
(workflow.reads): Django spent more time compiling the ORM's version of these reads than
PostgreSQL spent running them (decision 18).
"""

from dataclasses import dataclass

from django.db import connection

from motcua.documents.models import IssuedDocument
from motcua.dossiers import access, acting
from motcua.dossiers.messages import ThreadFile, ThreadMessage
from motcua.dossiers.models import Dossier, choice_label
from motcua.workflow import reads
from motcua.workflow.models import Task, Workflow


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
    dossier = reads.visible_dossier(dossier_uuid, where=visible, params=params)
    if dossier is None:
        return None
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


def dossier_page_data(dossier: Dossier) -> dict:
    """Everything the dossier page shows besides the dossier itself, a query each.

    Plain values: the page only prints them, and the events' actors, the comments' authors
    and the documents' bodies used to come as whole rows.
    """
    rows = reads.dossier_page_rows(
        dossier_id=dossier.pk,
        applicant_id=dossier.applicant_id,
        registered_by_id=dossier.registered_by_id,
    )
    people = {p["id"]: p for p in rows["people"]}
    applicant = people.get(dossier.applicant_id)
    registered_by = people.get(dossier.registered_by_id)
    return {
        "applicant_address": applicant["address"] if applicant else "",
        # None when no officer registered it (online); an officer without a name still shows.
        "registered_by": registered_by["full_name"] if registered_by else None,
        # Who acted for the applicant (decision 0077); no query when they acted themselves.
        "acted_for": acting.acted_for(dossier),
        "attachments": rows["attachments"],
        "events": rows["events"],
        "comments": rows["comments"],
        "messages": _thread(rows["messages"]),
        "tasks": [
            TaskLine(
                pk=t["pk"],
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
            for t in rows["tasks"]
        ],
        "documents": [
            {
                "pk": d["pk"],
                "kind_label": choice_label(IssuedDocument.Kind, d["kind"]),
                "number": d["number"],
                "issued_at": d["issued_at"],
            }
            for d in rows["documents"]
        ],
    }


def _thread(rows) -> list[ThreadMessage]:
    """The conversation's rows (one per file) as its messages, oldest first."""
    found: dict[int, ThreadMessage] = {}
    for row in rows:
        message = found.get(row["pk"])
        if message is None:
            message = found[row["pk"]] = ThreadMessage(
                pk=row["pk"],
                from_applicant=row["from_applicant"],
                unit_name=row["unit_name"],
                text=row["text"],
                created_at=row["created_at"],
                read_at=row["read_at"],
                author_name=row["author_name"] or "",
            )
        if row["file_pk"] is not None:
            message.files.append(ThreadFile(row["file_pk"], row["file_name"], row["file_size"]))
    for message in found.values():
        message.files.sort(key=lambda f: f.pk)
    return list(found.values())
