from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from motcua.core import health as checks


@never_cache
@require_GET
def health(request):
    """Readiness for load balancers: 200 when every configured dependency answers within a
    second, else 503 naming those that did not (motcua.core.health)."""
    results = checks.check_all()
    down = [name for name, result in results.items() if result["status"] == checks.DOWN]
    return JsonResponse(
        {"status": "error" if down else "ok", "down": down, "checks": results},
        status=503 if down else 200,
    )


@never_cache
@require_GET
def live(request):
    """Liveness: the process answers requests. No database, no network: a dependency that is
    down must not get healthy servers restarted."""
    return JsonResponse({"status": "ok"})


@cache_control(public=True, max_age=86400)
@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the static icon (a
    temporary redirect, since its hashed name changes with each new icon)."""
    return HttpResponseRedirect(static("favicon.ico"))
