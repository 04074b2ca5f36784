import uuid

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from motcua.catalogue import selectors
from motcua.catalogue.models import Procedure


def home(request):
    return render(
        request,
        "catalogue/home.html",
        {
            "sectors": selectors.sectors_with_counts(),
            "popular": selectors.most_used_procedures(),
        },
    )


def procedure_list(request):
    filters = {
        key: request.GET.get(key, "").strip()[:200]
        for key in ("q", "sector", "agency", "level", "applicant")
    }
    page = Paginator(selectors.search_procedures(**filters), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/procedure_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "sectors": selectors.sectors_with_counts(),
            "agencies": selectors.agencies_with_procedures(),
            "levels": Procedure.ServiceLevel.choices,
            "applicant_types": [c for c in Procedure.ApplicantType.choices if c[0] != "both"],
        },
    )


def procedure_detail(request, code):
    procedure = selectors.procedure_in_force(code)
    if procedure is None:
        raise Http404
    return render(
        request,
        "catalogue/procedure_detail.html",
        {
            "procedure": procedure,
            "components": procedure.components.all(),
            "start_token": uuid.uuid4(),
        },
    )
