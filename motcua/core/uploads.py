"""Checks on uploaded files: size, type by content (not by name), and a safe display name."""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Detected MIME type -> (kind accepted by a component, stored extension)
_KINDS = {
    "application/pdf": ("pdf", "pdf"),
    "image/jpeg": ("jpeg", "jpg"),
    "image/png": ("png", "png"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("office", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("office", "xlsx"),
    "application/msword": ("office", "doc"),
    "application/vnd.ms-excel": ("office", "xls"),
    "application/vnd.oasis.opendocument.text": ("office", "odt"),
    "application/vnd.oasis.opendocument.spreadsheet": ("office", "ods"),
}
KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "office": "Word/Excel"}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    extension: str
    sha256: str
    size: int
    display_name: str


def safe_display_name(name: str) -> str:
    """A name fit to show and to offer on download: no path, no control characters, 120 chars."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem, ext = os.path.splitext(name)
    stem = stem.strip(" .") or "tep"
    return (stem[:100] + ext[:10]).strip() or "tep"


def check_upload(upload, accepted_kinds: list[str]) -> CheckedUpload:
    """Refuse empty, oversized or wrongly typed files; the type is read from the bytes."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” trống.") % {"name": safe_display_name(upload.name)})
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s.")
            % {"name": safe_display_name(upload.name), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    kind, extension = _KINDS.get(mime, (None, None))
    allowed = ", ".join(KIND_LABELS[k] for k in accepted_kinds)
    if kind is None or kind not in accepted_kinds:
        raise ValidationError(
            _("Tệp “%(name)s” không phải định dạng được chấp nhận (%(allowed)s).")
            % {"name": safe_display_name(upload.name), "allowed": allowed}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        kind=kind,
        content_type=mime,
        extension=extension,
        sha256=digest.hexdigest(),
        size=upload.size,
        display_name=safe_display_name(upload.name),
    )


def check_and_scan(upload, accepted_kinds: list[str], *, error=ValidationError) -> CheckedUpload:
    """check_upload, then the virus scanner when one is configured: every file a user sends
    (an application's, a supplement's, a message's, a letter of authorisation) passes here.
    `error`: the ValidationError subclass raised for a refused file."""
    from motcua.core.scanning import ScannerUnavailable, configured_scanner

    checked = check_upload(upload, accepted_kinds)
    scanner = configured_scanner()
    if scanner is not None:
        try:
            result = scanner.scan(upload)
        except ScannerUnavailable:
            raise error(_("Chưa kiểm tra được mã độc của tệp, vui lòng thử lại sau.")) from None
        if not result.clean:
            raise error(
                _("Tệp “%(name)s” có mã độc và đã bị từ chối.") % {"name": checked.display_name}
            )
    return checked
