"""Text helpers shared by search on every database."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold Vietnamese text for accent-insensitive matching: "Cấp Phù Hiệu" -> "cap phu hieu".

    `đ` has no decomposition under NFD, so it is mapped by hand; the same rule is
    implemented in SQL by `motcua_fold()` (PostgreSQL: unaccent; SQLite: this function).
    """
    return _SPACES.sub(" ", strip_diacritics(text)).strip().lower()


def fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def search_terms(query: str) -> list[str]:
    """The folded words of a search box, at most eight, each at least one character."""
    return [word for word in fold(query).split(" ") if word][:8]


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case kept: "Đã tiếp nhận hồ sơ" -> "Da tiep nhan ho so"
    (an SMS in the GSM alphabet); fold() starts from it. `đ`/`Đ` are mapped by hand."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def mask_contact(address: str) -> str:
    """An e-mail address or phone number shown to recognise, not to copy: an***@example.vn,
    09******89."""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    return (
        address[:2] + "*" * max(len(address) - 4, 0) + address[-2:] if len(address) > 4 else "****"
    )
