"""Ceiling endpoints for bench/load_test.py, mounted only when BENCH_ENDPOINTS is true."""

import uuid

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from motcua.core.models import BenchProbe


def trivial_json(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def one_insert_one_select(request):
    probe = BenchProbe.objects.create(value=uuid.uuid4().hex)
    row = BenchProbe.objects.values("id", "value").get(pk=probe.pk)
    return JsonResponse(row)
