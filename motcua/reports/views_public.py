"""The public statistics page (decision 0063): no login, the same bytes for everyone at a URL.

The page is rendered without the request (no context processors): it cannot read the session,
the user, the messages or a CSRF token, so nothing in it or in its headers depends on who
asks. The language comes from the URL alone (`?lang=en`, else Vietnamese). The rendered page
is kept in the cache per URL for PUBLIC_STATISTICS_MAX_AGE seconds, and the response says
`Cache-Control: public` for as long, so a CDN may keep it too.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from motcua.core import ratelimit
from motcua.reports import indicators as ind
from motcua.reports import labels, proactive, public
from motcua.reports.filters import PublicFilter


def language_of(request) -> str:
    """English with ?lang=en, else Vietnamese: never the cookie or Accept-Language."""
    return "en" if request.GET.get("lang") == "en" else "vi"


def _cache_key(request) -> str:
    return "reports:public:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


@require_safe
def statistics(request):
    max_age = settings.PUBLIC_STATISTICS_MAX_AGE
    key = _cache_key(request)
    page = cache.get(key) if max_age else None
    if page is None:
        try:
            ratelimit.limit(
                "public-statistics",
                request.client_ip,
                limit=settings.PUBLIC_STATISTICS_MISSES_PER_MINUTE,
                window=60,
            )
        except ratelimit.Limited as limited:
            return _too_many(request, limited.seconds)
        page = _render(request)
        if max_age:
            cache.set(key, page, max_age)
    status, lang, body = page
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Content-Language"] = lang
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _too_many(request, seconds: int) -> HttpResponse:
    lang = language_of(request)
    with translation.override(lang):
        body = render_to_string(
            "reports/public_too_many.html",
            {"seconds": seconds, "lang": lang, "SANDBOX_ENABLED": settings.SANDBOX_ENABLED},
        )
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Content-Language"] = lang
    patch_cache_control(response, no_store=True)
    return response


def _render(request) -> tuple[int, str, str]:
    lang = language_of(request)
    data = request.GET.copy()
    for name in list(data):
        if name not in PublicFilter.only:
            del data[name]
    with translation.override(lang):
        form = PublicFilter(data)
        bound_and_wrong = form.is_bound and not form.is_valid()
        period, scope = form.period, form.scope
        suffix = "&lang=en" if lang == "en" else ""

        def link(**changes) -> str:
            return "?" + form.query(**changes) + suffix

        services = ind.online_services()
        procedures, procedure_count = public.procedure_rows(period=period, scope=scope)
        context = {
            "form": form,
            "error_list": form.error_links() if bound_and_wrong else [],
            "period": period,
            "scope_agency": form.scope_agency,
            "summary": ind.summary(period=period, scope=scope),
            "agencies": [
                (row, link(agency=row.key))
                for row in public.agency_rows(period=period, scope=scope)
            ],
            "procedures": [(row, link(procedure=row.key)) for row in procedures],
            "procedure_count": procedure_count,
            "services": services,
            "services_full_share": ind.ratio(services.counts["full"], services.denominator),
            "max_age_minutes": max(1, -(-settings.PUBLIC_STATISTICS_MAX_AGE // 60)),
            "sectors": public.online_services_by_sector(),
            "proactive": proactive.figures(period=period, scope=scope),
            "lang": lang,
            "labels": labels.LABELS,
            "hidden": [("lang", "en")] if lang == "en" else [],
            "other_language": "?" + form.query() + ("" if lang == "en" else "&lang=en"),
            "national_link": link(agency="") if scope.agency_id else "",
            "SANDBOX_ENABLED": settings.SANDBOX_ENABLED,
        }
        body = render_to_string("reports/public.html", context)
    return (400 if bound_and_wrong else 200), lang, body
