"""Statutory documents as standalone HTML, and that HTML as PDF through WeasyPrint.

The HTML carries its own page CSS and refers to the self-hosted Be Vietnam Pro files
(npm @fontsource/be-vietnam-pro, served as static files) by their static URL, so the same
stored HTML opens in a browser; WeasyPrint reads those URLs from disk and nothing else.
"""

import base64
import hashlib
import re
import threading
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from motcua.core.dates import DOCUMENT_TIME_ZONE

FONT_DIR = "vendor/be-vietnam-pro/files"


@dataclass(frozen=True)
class Form:
    title: str
    label: str  # the form's number in the Circular, printed top right
    page_size: str  # CSS @page size
    slug: str  # ASCII file name prefix


FORMS: dict[str, Form] = {
    "receipt": Form(
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Mẫu số 01", "A5", "phieu-tiep-nhan"
    ),
    "supplement": Form(
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Mẫu số 02", "A5", "phieu-yeu-cau-bo-sung"
    ),
    "refusal": Form("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Mẫu số 03", "A5", "phieu-tu-choi"),
    "apology": Form(
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Mẫu số 04", "A5", "phieu-xin-loi"
    ),
    "stop": Form("Thông báo dừng xử lý hồ sơ", "", "A5", "thong-bao-dung-xu-ly"),
    "control_sheet": Form(
        "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Mẫu số 05", "A4", "phieu-kiem-soat"
    ),
    "tracking_book": Form("Sổ theo dõi hồ sơ", "Mẫu số 06", "A4 landscape", "so-theo-doi"),
}

# One family per subset file. Under a single family name, WeasyPrint (70) files the
# fontsource subsets (latin, vietnamese, latin-ext) as one PDF font and draws the wrong
# glyphs; as a family list, Pango picks per character the first file that has it.
FONT_SUBSETS = ("latin", "vietnamese", "latin-ext")
FONT_FAMILY = ", ".join(f'"Be Vietnam Pro {subset}"' for subset in FONT_SUBSETS)


def font_faces() -> list[dict]:
    faces = []
    for weight in (400, 700):
        for style in ("normal", "italic"):
            for subset in FONT_SUBSETS:
                name = f"be-vietnam-pro-{subset}-{weight}-{style}.woff2"
                faces.append(
                    {
                        "family": f"Be Vietnam Pro {subset}",
                        "weight": weight,
                        "style": style,
                        "url": f"{settings.STATIC_URL}{FONT_DIR}/{name}",
                    }
                )
    return faces


def render_html(kind: str, context: dict) -> str:
    """The document `kind` (a key of FORMS) as a standalone HTML page, always in Vietnamese."""
    form = FORMS[kind]
    with translation.override("vi"), timezone.override(DOCUMENT_TIME_ZONE):
        return render_to_string(
            f"documents/{kind}.html",
            {
                **context,
                "form": form,
                "font_faces": font_faces(),
                "font_family": FONT_FAMILY,
            },
        )


def _static_file(path: str) -> Path | None:
    """The file behind a static URL path, from the finders (development) or STATIC_ROOT."""
    static_path = urlsplit(settings.STATIC_URL).path
    if not path.startswith(static_path):
        return None
    relative = unquote(path[len(static_path) :])
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


class StaticOnlyFetcher(URLFetcher):
    """Resolves our static files and data: URIs; refuses the network and the file system."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        found = _static_file(urlsplit(url).path)
        if found is None:
            raise ValueError(f"Refused to fetch {url!r} while rendering a document.")
        return URLFetcherResponse(found.as_uri(), found.read_bytes())


# Fonts are loaded into the FontConfiguration once per process. It is not thread-safe, so
# renders take turns (a slip renders in about a tenth of a second).
_FONT_CONFIG = FontConfiguration()
_RENDER_LOCK = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """Render standalone document HTML to PDF bytes."""
    document = HTML(string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=StaticOnlyFetcher())
    with _RENDER_LOCK:
        return document.write_pdf(font_config=_FONT_CONFIG)


_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def style_sources(html: str) -> str:
    """The CSP style-src sources that let `html`'s own <style> elements and style attributes
    apply, and nothing else, when the page embeds it as an iframe's srcdoc (which inherits
    the page's policy): the preview of a document on the officer's action page."""
    hashes = {
        f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"
        for text in [
            *_STYLE_ELEMENT.findall(html),
            *(unescape(value) for value in _STYLE_ATTRIBUTE.findall(html)),
        ]
    }
    return " ".join(["'unsafe-hashes'", *sorted(hashes)]) if hashes else ""
