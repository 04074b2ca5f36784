"""The API's documentation page and its schema (decision 0068): Swagger UI over /api/schema/,
in Vietnamese or English, for anyone (no login), under the site's Content-Security-Policy (the
initialiser is static/api/docs.js, no inline script)."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


def language_of(request) -> str:
    """?lang=vi|en, else the visitor's language (cookie, Accept-Language)."""
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else translation.get_language()


def docs_page(request):
    lang = language_of(request)
    other = "en" if lang == "vi" else "vi"
    with translation.override(lang):
        response = render(
            request,
            "api/docs.html",
            {
                "lang": lang,
                "other_language": other,
                "schema_url": f"{reverse('api-schema')}?format=json&lang={lang}",
                "token_url": reverse("api-token"),
            },
        )
    response["Content-Language"] = lang
    return response


class SchemaView(SpectacularAPIView):
    """/api/schema/: drf-spectacular's view, which builds the schema in the language of
    `?lang=` (else the one LocaleMiddleware took from Accept-Language), and says which."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Language"] = language_of(request)
        return response
