"""MotCua's URLs, plus GET /api/v1/dossiers/<uuid>/result/file/ when the branch has no such
endpoint yet (part B builds it): the signed PDF of the dossier's latest result, for a client
with results:read. Once part B's is merged, the real one answers and this one steps aside."""

from django.http import FileResponse, Http404
from django.urls import Resolver404, path, resolve
from rest_framework.views import APIView

from motcua.api.clients import agency_ids
from motcua.results.models import ResultDocument
from motcua.urls import urlpatterns as motcua_urlpatterns

RESULT_FILE = "/api/v1/dossiers/00000000-0000-0000-0000-000000000000/result/file/"


class ResultFile(APIView):
    required_scopes = "results:read"

    def get(self, request, dossier_uuid):
        result = (
            ResultDocument.objects.filter(
                dossier__uuid=dossier_uuid,
                dossier__receiving_agency_id__in=agency_ids(request.api_client),
            )
            .order_by("-issued_at")
            .first()
        )
        if result is None:
            raise Http404
        return FileResponse(
            result.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"ket-qua-{result.number.replace('/', '-')}.pdf",
        )


def _part_b_is_here() -> bool:
    try:
        match = resolve(RESULT_FILE, urlconf="motcua.urls")
    except Resolver404:
        return False
    return match.func.__name__ != "not_found_view"


urlpatterns = list(motcua_urlpatterns)
if not _part_b_is_here():
    urlpatterns.insert(
        0, path("api/v1/dossiers/<uuid:dossier_uuid>/result/file/", ResultFile.as_view())
    )
