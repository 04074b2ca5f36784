"""The catalogue, the working-day calendar and the statistics, read by an integrator
(decision 0068). Each view parses its query, scopes it to the client's agency and those
under it (`clients.agency_ids`), and reads through the services the pages use: the catalogue's
selectors and fees, `workflow.services.current_workflow`, `workdays.services` and the report
indicators."""

import json
from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import Unit
from motcua.api import serializers_catalogue as out
from motcua.api.clients import agency_ids
from motcua.api.conditional import etag_of, not_modified, tagged
from motcua.api.schema import ETAG, IF_NONE_MATCH, NOT_MODIFIED, problems
from motcua.catalogue import fees
from motcua.catalogue.models import Agency, Procedure, Sector
from motcua.catalogue.selectors import procedure_in_force
from motcua.core.text import search_terms
from motcua.reports import indicators as ind
from motcua.workdays import services as workdays
from motcua.workdays.models import CalendarDay
from motcua.workflow.services import current_workflow

CATALOGUE = _("Danh mục thủ tục")
CALENDAR = _("Lịch ngày làm việc")
STATISTICS = _("Thống kê")


def _parsed(serializer_class, request):
    """The query string through its serializer: a 400 problem with `errors` when wrong."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


# --- Procedures ----------------------------------------------------------------------------


def current_procedures(client):
    """The versions in force today received by the client's agency or one under it; of
    versions in force at once, the latest (as `procedure_in_force`)."""
    in_force = Procedure.objects.in_force()
    newer = in_force.filter(code=OuterRef("code"), effective_from__gt=OuterRef("effective_from"))
    return (
        in_force.filter(receiving_agency_id__in=agency_ids(client))
        .exclude(Exists(newer))
        .select_related("sector", "agency", "receiving_agency")
    )


def _agency(agency: Agency) -> dict:
    return {"identifier": agency.identifier, "name": agency.name}


def summary_of(procedure: Procedure) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "sector": {"code": procedure.sector.code, "name": procedure.sector.name},
        "agency": _agency(procedure.agency),
        "receiving_agency": _agency(procedure.receiving_agency),
        "applicant_type": procedure.applicant_type,
        "service_level": procedure.service_level,
        "accepts_online": procedure.accepts_online,
        "processing_time": procedure.processing_time,
        "processing_time_unit": procedure.processing_time_unit,
        "fee_summary": fees.summary(procedure.fee_schedule, procedure.fee_vnd),
        "effective_from": procedure.effective_from,
        "effective_to": procedure.effective_to,
    }


def _workflow_of(procedure: Procedure) -> dict | None:
    workflow = current_workflow(procedure)
    if workflow is None:
        return None
    names = dict(
        Unit.objects.filter(agency_id=procedure.receiving_agency_id).values_list("code", "name")
    )
    steps = [
        {
            "key": step["key"],
            "name": step["name"],
            "unit": {"code": step["unit"], "name": names.get(step["unit"], step["unit"])},
            "days": Decimal(str(step["days"])),
        }
        for step in workflow.steps
    ]
    return {
        "version": workflow.version,
        "steps": steps,
        "total_days": sum((s["days"] for s in steps), Decimal(0)),
    }


def detail_of(procedure: Procedure) -> dict:
    schedule = fees.fee_schedule_of(procedure)
    return {
        **summary_of(procedure),
        "legal_basis": procedure.legal_basis,
        "result_name": procedure.result_name,
        "processing_time_note": procedure.processing_time_note,
        "delivery_options": list(procedure.delivery_options or []),
        "form": {"schema": procedure.form_schema, "ui": procedure.form_ui},
        "components": [
            {
                "name": c.name,
                "description": c.description,
                "paper_form": c.paper_form,
                "quantity": c.quantity,
                "requirement": c.requirement,
                "condition": c.condition,
                "condition_field": c.condition_field,
                "file_types": c.file_types,
                "max_files": c.max_files,
            }
            for c in procedure.components.all()
        ],
        "fees": {
            "schedule": schedule,
            "summary": fees.summary(procedure.fee_schedule, procedure.fee_vnd),
            "description": fees.describe(schedule),
            "note": procedure.fee_note,
        },
        "workflow": _workflow_of(procedure),
    }


@extend_schema(
    tags=[CATALOGUE],
    summary=_("Danh sách thủ tục của cơ quan"),
    description=_(
        "Các thủ tục đang hiệu lực mà cơ quan của hệ thống gọi (hoặc cơ quan trực thuộc) tiếp "
        "nhận, phiên bản hiện hành, theo trang (con trỏ). Lọc theo từ khóa (không phân biệt "
        "dấu) và lĩnh vực."
    ),
    parameters=[out.ProcedureQuery],
    responses={200: out.ProcedureSummary(many=True)},
)
class ProcedureList(generics.ListAPIView):
    required_scopes = "procedures:read"
    serializer_class = out.ProcedureSummary

    def get_queryset(self):
        query = _parsed(out.ProcedureQuery, self.request)
        procedures = current_procedures(self.request.api_client)
        if query.get("sector"):
            procedures = procedures.filter(sector__code=query["sector"])
        terms = search_terms(query.get("q", ""))
        return procedures.search(terms) if terms else procedures

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([summary_of(p) for p in page])


@extend_schema(
    tags=[CATALOGUE],
    summary=_("Một thủ tục: tờ khai, thành phần, phí, quy trình"),
    description=_(
        "Phiên bản hiện hành của thủ tục theo mã, kèm lược đồ tờ khai, thành phần hồ sơ, phí và "
        "lệ phí, hình thức nhận kết quả, thời hạn (ngày làm việc) và các bước của quy trình. "
        "Thủ tục của cơ quan khác: 404. Có ETag: gửi If-None-Match để nhận 304."
    ),
    parameters=[
        OpenApiParameter(
            "code", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("Mã thủ tục.")
        ),
        IF_NONE_MATCH,
        ETAG,
    ],
    responses={
        200: out.ProcedureDetail,
        **NOT_MODIFIED,
        **problems(404),
    },
)
class ProcedureDetail(APIView):
    required_scopes = "procedures:read"

    def get(self, request, code: str):
        procedure = procedure_in_force(code)
        if procedure is None or procedure.receiving_agency_id not in agency_ids(request.api_client):
            raise Http404
        data = out.ProcedureDetail(detail_of(procedure)).data
        # The procedure has no "updated" time: the tag is its version (row) and a digest of
        # what it says, in the caller's language.
        etag = etag_of(
            procedure.pk, translation.get_language(), json.dumps(data, sort_keys=True, default=str)
        )
        return not_modified(request, etag) or tagged(Response(data), etag)


# --- Calendar ------------------------------------------------------------------------------


@extend_schema(
    tags=[CALENDAR],
    summary=_("Lịch ngày làm việc"),
    description=_(
        "Mỗi ngày từ `from` đến `to` (tối đa 366 ngày): có phải ngày làm việc không, và tên "
        "ngày lễ, ngày nghỉ bù hay ngày làm bù theo lịch của hệ thống."
    ),
    parameters=[out.CalendarQuery],
    responses={200: out.CalendarOut},
)
class Calendar(APIView):
    required_scopes = "calendar:read"

    def get(self, request):
        query = _parsed(out.CalendarQuery, request)
        first, last = query["from"], query["to"]
        marked = {day.date: day for day in CalendarDay.objects.filter(date__range=(first, last))}
        days = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            mark = marked.get(day)
            days.append(
                {
                    "date": day,
                    "weekday": day.isoweekday(),
                    "is_working_day": workdays.is_working_day(day),
                    "kind": mark.kind if mark else None,
                    "name": mark.name if mark else None,
                }
            )
        return Response(out.CalendarOut({"start": first, "end": last, "days": days}).data)


@extend_schema(
    tags=[CALENDAR],
    summary=_("Tính hạn theo ngày làm việc"),
    description=_(
        "Hạn giải quyết của hồ sơ tiếp nhận lúc `start` với thời hạn `days` ngày làm việc: "
        "cùng phép tính hệ thống dùng cho hồ sơ (giờ hành chính, giờ chốt nhận, ngày lễ)."
    ),
    parameters=[out.DeadlineQuery],
    responses={200: out.DeadlineOut},
)
class Deadline(APIView):
    required_scopes = "calendar:read"

    def get(self, request):
        query = _parsed(out.DeadlineQuery, request)
        start, days = query["start"], query["days"]
        data = {
            "start": timezone.localtime(start),
            "days": days,
            "clock_start": workdays.clock_start(start),
            "deadline": workdays.add_working_days(start, days),
        }
        return Response(out.DeadlineOut(data).data)


# --- Statistics ----------------------------------------------------------------------------


def _scope(client, query: dict) -> ind.Scope:
    """The reports' scope for the client's agency (with those under it); a sector or a
    procedure it does not know is a 400 problem, as the reports' filter refuses it."""
    errors = {}
    sector_id = None
    if query.get("sector"):
        sector_id = Sector.objects.filter(code=query["sector"]).values_list("pk", flat=True).first()
        if sector_id is None:
            errors["sector"] = [_("Không có lĩnh vực với mã này.")]
    code = query.get("procedure", "")
    if (
        code
        and not Procedure.objects.filter(
            code=code, receiving_agency_id__in=agency_ids(client)
        ).exists()
    ):
        errors["procedure"] = [_("Cơ quan không có thủ tục với mã này.")]
    if errors:
        raise ValidationError(errors)
    return ind.Scope(
        agency_id=client.agency_id,
        sector_id=sector_id,
        procedure_code=code,
        channel=query.get("channel", ""),
    )


def _default_period() -> ind.Period:
    today = timezone.localdate()
    return ind.quarter(year=today.year, quarter=(today.month + 2) // 3)


@extend_schema(
    tags=[STATISTICS],
    summary=_("Chỉ số theo Quyết định 766 của cơ quan"),
    description=_(
        "Các chỉ số của cơ quan (kể cả cơ quan trực thuộc) trong một kỳ: đúng hạn, trực tuyến, "
        "thanh toán trực tuyến, kết quả điện tử, số hóa, tái sử dụng, mức độ hài lòng, cùng "
        "số liệu tiếp nhận, giải quyết như trang thống kê của lãnh đạo."
    ),
    parameters=[out.StatisticsQuery],
    responses={200: out.StatisticsOut},
)
class Statistics(APIView):
    required_scopes = "statistics:read"

    def get(self, request):
        query = _parsed(out.StatisticsQuery, request)
        client = request.api_client
        period = query.get("period") or _default_period()
        scope = _scope(client, query)
        figures = ind.summary(period=period, scope=scope)
        data = {
            "period": {
                "key": period.key,
                "start": period.start,
                "end": period.end,
                "label": period.label,
            },
            "agency": _agency(client.agency),
            **figures,
            "online_services": ind.online_services(agency_id=client.agency_id),
        }
        return Response(out.StatisticsOut(data).data)
