import io
import unicodedata

from pypdf import PdfReader

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
A4 = (210 * MM, 297 * MM)
A4_LANDSCAPE = (297 * MM, 210 * MM)


def pdf_text(data: bytes) -> str:
    """All the PDF's text, NFC-normalised, with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_size(data: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return float(box.width), float(box.height)


def same_size(actual, expected) -> bool:
    return all(abs(a - e) < 1 for a, e in zip(actual, expected, strict=True))


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
