"""Officer actions for the agency's own systems (decision 0072).

An agency's system acts for one of its officers, named by e-mail: the state machine
(`machine.perform`) checks that officer's role, unit, the dossier's step and state exactly as
on the officer's page, and the input is parsed by the page's own form
(`workflow.views.actions.action_form_for`). The audit trail records that the client acted for
the officer; the dossier's timeline names the officer, as for any action.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.api.clients import agency_ids
from motcua.api.conditional import etag_of, not_modified, tagged
from motcua.api.idempotency import idempotent
from motcua.api.schema import NOT_MODIFIED, problems
from motcua.api.serializers_actions import (
    ActionDoneSerializer,
    ActionRequestSerializer,
    ActionsListSerializer,
    TaskAnsweredSerializer,
    TaskAnswerRequestSerializer,
)
from motcua.core.audit import record_audit
from motcua.dossiers import access
from motcua.dossiers.models import Dossier
from motcua.workflow import machine
from motcua.workflow.forms import action_form
from motcua.workflow.models import Task
from motcua.workflow.views.actions import action_form_for

OFFICER = OpenApiParameter(
    "officer",
    {"type": "string", "format": "email", "minLength": 3, "maxLength": 254},
    OpenApiParameter.QUERY,
    required=True,
    description=gettext_lazy("Thư điện tử của cán bộ."),
)


class OfficerQuery(serializers.Serializer):
    officer = serializers.EmailField(max_length=254)


def dossier_in_reach(client, dossier_uuid) -> Dossier:
    """The dossier, if its receiving agency is the client's or below it; else 404."""
    dossier = (
        Dossier.objects.select_related("procedure", "receiving_agency", "workflow", "current_unit")
        .filter(uuid=dossier_uuid, receiving_agency_id__in=agency_ids(client))
        .exclude(status=0)  # a draft is the applicant's own
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def officer_for(client, email: str) -> User:
    """The active officer with this e-mail in the client's agency tree; else 403 (the same
    answer whether the address is unknown or of another agency)."""
    officer = (
        User.objects.filter(
            email__iexact=email.strip(),
            kind=User.Kind.OFFICER,
            is_active=True,
            agency_id__in=agency_ids(client),
        )
        .order_by("pk")
        .first()
    )
    if officer is None:
        raise exceptions.PermissionDenied(
            _(
                "Không có cán bộ đang hoạt động với thư điện tử này trong cơ quan của hệ thống "
                "kết nối."
            )
        )
    return officer


def _api_fields(act) -> list[str]:
    """The fields of `input` that `act` takes (its input dataclass's, as the API names them)."""
    names = list(act.needs)
    if "items" in names:
        names.insert(names.index("items") + 1, "other_name")
    return names


def _form_data(payload: dict, version: int) -> QueryDict:
    """The API's JSON input as the officer's form receives it from the page."""
    data = QueryDict(mutable=True)
    data["expected_version"] = str(version)
    for name in ("note", "reason", "request", "other_name"):
        if name in payload:
            data[name] = payload[name]
    for item in payload.get("items", []):
        data.appendlist("items", item["component"])
        data[f"reason_{item['component']}"] = item["reason"]
    if "new_due_date" in payload:
        data["new_due_date"] = payload["new_due_date"].isoformat()
    if "amount" in payload:
        data["amount"] = str(payload["amount"])
    if "unit_ids" in payload:
        data.setlist("unit_ids", [str(pk) for pk in payload["unit_ids"]])
    if "days" in payload:  # the form reads numbers in the request's language
        data["days"] = f"{payload['days']:f}".replace(".", get_format("DECIMAL_SEPARATOR"))
    return data


def _form_errors(form) -> dict:
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        if name.startswith("reason_"):
            name = "items"
        elif name == "__all__":
            name = "non_field_errors"
        errors.setdefault(f"input.{name}", []).extend(str(m) for m in messages)
    return errors


def parse_input(act, dossier, payload: dict):
    """The action's input dataclass, parsed by the officer's form. What the action requires
    is refused with 422 and the form's messages (also a field the action does not take):
    the JSON's shape was right, what it says is not enough for this action."""
    extra = sorted(set(payload) - set(_api_fields(act)))
    if extra:
        raise ValidationError(
            {
                f"input.{name}": _("Thao tác “%(action)s” không nhận trường này.")
                % {"action": act.label}
                for name in extra
            }
        )
    form = action_form_for(act, dossier, _form_data(payload, dossier.version))
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    return form.to_input()


def audit_for_client(request, *, action: str, officer: User, target: str, **data) -> None:
    client = request.api_client
    record_audit(
        action=action,
        actor=officer,
        target=target,
        request=request,
        api_client=client.pk,
        api_client_name=client.name,
        **data,
    )


class DossierActionsView(APIView):
    required_scopes = "actions:write"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="dossier_actions_list",
        summary=gettext_lazy("Các thao tác cán bộ được thực hiện lúc này"),
        description=gettext_lazy(
            "Các thao tác mà cán bộ (theo thư điện tử) được thực hiện với hồ sơ ngay lúc này, "
            "đúng như các nút trên trang cán bộ, và các trường thông tin mỗi thao tác nhận."
        ),
        parameters=[OFFICER],
        responses={
            200: ActionsListSerializer,
            **NOT_MODIFIED,
            **problems(400, 401, 403, 404, 406, 429),
        },
        tags=["actions"],
    )
    def get(self, request, dossier_uuid):
        query = OfficerQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        dossier = dossier_in_reach(request.api_client, dossier_uuid)
        officer = officer_for(request.api_client, query.validated_data["officer"])
        etag = etag_of(
            dossier.uuid,
            dossier.version,
            officer.pk,
            sorted(access.role_pairs(officer)),
            get_language(),
        )
        unchanged = not_modified(request, etag)
        if unchanged is not None:
            return unchanged
        actions = []
        for act in machine.available_actions(dossier, officer):
            form = action_form(act, dossier) if act.input is not None else None
            required = [
                name
                for name in _api_fields(act)
                if form is not None and name in form.fields and form.fields[name].required
            ]
            actions.append(
                {
                    "name": act.name,
                    "label": str(act.label),
                    "fields": _api_fields(act),
                    "required": required,
                    "issues": act.issues.value if act.issues else None,
                    "signs_result": act.signs_result,
                }
            )
        body = {
            "dossier": dossier.uuid,
            "version": dossier.version,
            "officer": officer.email,
            "actions": actions,
        }
        return tagged(Response(ActionsListSerializer(body).data), etag)

    @extend_schema(
        operation_id="dossier_actions_perform",
        summary=gettext_lazy("Thực hiện một thao tác xử lý thay cán bộ"),
        description=gettext_lazy(
            "Thực hiện thao tác của quy trình (tiếp nhận, chuyển bước, phê duyệt…) thay cán bộ "
            "được nêu, với cùng các kiểm tra như trên trang cán bộ: vai trò, đơn vị, bước, "
            "trạng thái. Bị từ chối: 409 kèm lý do."
        ),
        request=ActionRequestSerializer,
        responses={
            200: ActionDoneSerializer,
            **problems(400, 401, 403, 404, 406, 409, 415, 422, 429),
        },
        tags=["actions"],
    )
    @idempotent
    def post(self, request, dossier_uuid):
        given = ActionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        dossier = dossier_in_reach(request.api_client, dossier_uuid)
        officer = officer_for(request.api_client, values["officer"])
        act = machine.ACTIONS[values["action"]]
        data = parse_input(act, dossier, values.get("input", {}))
        with transaction.atomic():
            done = machine.perform(
                dossier_id=dossier.pk,
                action=act.name,
                actor=officer,
                data=data,
                expected_version=values.get("expected_version"),
            )
            audit_for_client(
                request,
                action="api.dossier_action",
                officer=officer,
                target=f"dossier:{done.code}",
                dossier_action=act.name,
                version=done.version,
            )
        body = {
            "dossier": done.uuid,
            "code": done.code,
            "action": act.name,
            "status": done.status,
            "status_label": done.get_status_display(),
            "version": done.version,
        }
        return Response(ActionDoneSerializer(body).data)


class TaskAnswerView(APIView):
    required_scopes = "actions:write"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="task_answer",
        summary=gettext_lazy("Trả lời nhiệm vụ liên thông, xin ý kiến thay cán bộ"),
        description=gettext_lazy(
            "Câu trả lời của đơn vị được giao nhiệm vụ, do một cán bộ của đơn vị đó đưa ra."
        ),
        request=TaskAnswerRequestSerializer,
        responses={200: TaskAnsweredSerializer, **problems(400, 401, 403, 404, 406, 409, 415, 429)},
        tags=["actions"],
    )
    @idempotent
    def post(self, request, task_id):
        given = TaskAnswerRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        client = request.api_client
        task = (
            Task.objects.filter(pk=task_id, unit__agency_id__in=agency_ids(client))
            .select_related("dossier")
            .first()
        )
        if task is None:
            raise Http404
        officer = officer_for(client, given.validated_data["officer"])
        with transaction.atomic():
            task = machine.answer_task(
                task_id=task.pk, actor=officer, answer=given.validated_data["answer"]
            )
            dossier = Dossier.objects.only("uuid", "code", "version").get(pk=task.dossier_id)
            audit_for_client(
                request,
                action="api.task_answer",
                officer=officer,
                target=f"dossier:{dossier.code}",
                task=task.pk,
            )
        body = {
            "task": task.pk,
            "dossier": dossier.uuid,
            "state": task.state,
            "answered_at": task.answered_at,
            "dossier_version": dossier.version,
        }
        return Response(TaskAnsweredSerializer(body).data)
