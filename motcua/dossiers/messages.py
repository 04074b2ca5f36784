"""The conversation on a dossier between the applicant and the unit handling it (trao đổi
giữa người nộp và cơ quan giải quyết), decision 0044: post a message with its files, mark
the other side's messages read, and read the thread.

Officers' internal comments (workflow.Comment) are another thing and never shown here.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import ratelimit
from motcua.core.events import DossierMessagePosted
from motcua.core.outbox import publish
from motcua.dossiers import access, acting
from motcua.dossiers.models import Dossier, DossierMessage, DossierMessageAttachment, Status
from motcua.dossiers.services import DossierError, check_and_scan

MAX_CHARS = 5000
# Every type the application's files may have: what a message carries is the applicant's
# choice (or the officer's), not a component's.
FILE_KINDS = ["pdf", "jpeg", "png", "office"]
RATE_SCOPE = "dossier-message"


class MessageRefused(DossierError):
    """The message cannot be posted; `field` names what to fix ("text", "files" or "")."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


def closes_at(dossier: Dossier) -> datetime | None:
    """When the conversation closes; None while the dossier is handled."""
    end = dossier.ended_at
    if end is None:
        return None
    return end + timedelta(days=settings.DOSSIER_MESSAGE_DAYS_AFTER_END)


def is_open(dossier: Dossier, *, now: datetime | None = None) -> bool:
    """Whether the conversation takes new messages: a submitted dossier while it is handled
    and DOSSIER_MESSAGE_DAYS_AFTER_END days after it ended."""
    if dossier.status == Status.DRAFT:
        return False
    closing = closes_at(dossier)
    return closing is None or (now or timezone.now()) <= closing


def _side(dossier: Dossier, author):
    """(from_applicant, the officer's unit) for someone who may write, else PermissionError."""
    if getattr(author, "is_applicant", False) and acting.applicant_may(author, dossier, act=True):
        return True, None
    unit = access.answering_unit(author, dossier)
    if unit is None:
        raise PermissionError("Not a side of this dossier's conversation.")
    return False, unit


def post_message(*, dossier: Dossier, author, text: str, files=()) -> DossierMessage:
    """Post a message with its files (each checked like the application's, scanned), in one
    transaction with the DossierMessagePosted event. The applicant who owns the dossier, or
    an officer of the unit that answers for it (access.answering_unit), while the
    conversation is open; raises MessageRefused with a message for the person writing."""
    from_applicant, unit = _side(dossier, author)
    text = (text or "").strip()
    files = list(files)
    if not is_open(dossier):
        raise MessageRefused(
            _("Hồ sơ đã kết thúc quá %(n)s ngày nên không gửi thêm tin nhắn được.")
            % {"n": settings.DOSSIER_MESSAGE_DAYS_AFTER_END}
        )
    if not text and not files:
        raise MessageRefused(_("Nhập nội dung tin nhắn hoặc chọn tệp đính kèm."), field="text")
    if len(text) > MAX_CHARS:
        raise MessageRefused(
            _("Tin nhắn dài tối đa %(n)s ký tự (hiện có %(count)s).")
            % {"n": MAX_CHARS, "count": len(text)},
            field="text",
        )
    if len(files) > settings.DOSSIER_MESSAGE_MAX_FILES:
        raise MessageRefused(
            _("Mỗi tin nhắn gửi kèm tối đa %(n)s tệp.") % {"n": settings.DOSSIER_MESSAGE_MAX_FILES},
            field="files",
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_and_scan(upload, FILE_KINDS)))
        except ValidationError as exc:  # check_upload's, or the scanner's refusal
            raise MessageRefused(exc.messages[0], field="files") from None
    try:
        ratelimit.limit(
            RATE_SCOPE, str(author.pk), limit=settings.DOSSIER_MESSAGES_PER_HOUR, window=3600
        )
    except ratelimit.Limited as limited:
        raise MessageRefused(
            _("Quý vị đã gửi nhiều tin nhắn. Vui lòng thử lại sau %(wait)s.")
            % {"wait": ratelimit.wait_text(limited.seconds)}
        ) from None
    with transaction.atomic():
        message = DossierMessage.objects.create(
            dossier=dossier,
            author=author,
            from_applicant=from_applicant,
            unit=unit,
            unit_name=unit.name if unit is not None else "",
            text=text,
        )
        for upload, found in checked:
            attachment = DossierMessageAttachment(
                message=message,
                dossier=dossier,
                original_name=found.display_name,
                content_type=found.content_type,
                size=found.size,
                sha256=found.sha256,
            )
            upload.seek(0)
            attachment.file.save(
                f"{uuid.uuid4().hex}.{found.extension}", ContentFile(upload.read()), save=False
            )
            attachment.save()
        publish(
            DossierMessagePosted.about(
                dossier,
                action="message",
                actor=author,
                message_id=message.pk,
                from_applicant=from_applicant,
            )
        )
    return message


def mark_read(*, dossier: Dossier, reader) -> int:
    """The reader opened the thread: the other side's unread messages are read now. The
    applicant reads the unit's; an officer who may answer (access.answering_unit) reads the
    applicant's for the whole unit; anyone else reads nothing. One UPDATE; the number marked."""
    if getattr(reader, "is_applicant", False) and acting.applicant_may(reader, dossier, act=True):
        from_applicant = False
    elif access.answering_unit(reader, dossier) is not None:
        from_applicant = True
    else:
        return 0
    return DossierMessage.objects.filter(
        dossier=dossier, from_applicant=from_applicant, read_at__isnull=True
    ).update(read_at=timezone.now())


@dataclass(slots=True)
class ThreadFile:
    pk: int
    original_name: str
    size: int
    url: str = ""


@dataclass(slots=True)
class ThreadMessage:
    """A message as the pages print it (the officer's page reads it in SQL, workflow.reads)."""

    pk: int
    from_applicant: bool
    unit_name: str
    text: str
    created_at: datetime
    read_at: datetime | None
    author_name: str = ""  # shown to officers only
    files: list[ThreadFile] = field(default_factory=list)


@dataclass
class Thread:
    """A dossier's conversation as a page shows it, oldest first."""

    messages: list[ThreadMessage]
    is_open: bool
    closes_at: datetime | None
    # The other side's messages that the reader had not read before this page.
    unread: int = 0
    can_write: bool = False
    max_files: int = field(default_factory=lambda: settings.DOSSIER_MESSAGE_MAX_FILES)


def thread(
    dossier: Dossier, *, officer: bool, messages: list[ThreadMessage] | None = None
) -> Thread:
    """The dossier's conversation for the applicant (`officer` False) or an officer, with
    the reader's unread count; the caller marks them read (mark_read) once the page is built.
    `messages`: already read (the officer's page reads them in its own SQL); else read here,
    the files in a second query when there are messages."""
    if messages is None:
        messages = [
            ThreadMessage(
                pk=m.pk,
                from_applicant=m.from_applicant,
                unit_name=m.unit_name,
                text=m.text,
                created_at=m.created_at,
                read_at=m.read_at,
                files=[ThreadFile(f.pk, f.original_name, f.size) for f in m.attachments.all()],
            )
            for m in DossierMessage.objects.filter(dossier=dossier)
            .only("id", "from_applicant", "unit_name", "text", "created_at", "read_at")
            .prefetch_related(
                Prefetch(
                    "attachments",
                    DossierMessageAttachment.objects.only(
                        "id", "message_id", "original_name", "size"
                    ).order_by("id"),
                )
            )
            .order_by("created_at", "id")
        ]
    theirs = officer  # officers read the applicant's messages, the applicant the unit's
    return Thread(
        messages=messages,
        is_open=is_open(dossier),
        closes_at=closes_at(dossier),
        unread=sum(1 for m in messages if m.from_applicant == theirs and m.read_at is None),
    )


def refused_context(refused: MessageRefused, text: str) -> dict:
    """What a dossier page shows again when a message was refused: the error beside its
    field (or above the form), in the error summary, and the text as typed."""
    target = {"text": "message-text", "files": "message-files"}.get(refused.field, "message-form")
    return {
        "message_text": text,
        "message_error": refused.messages[0],
        "message_field": refused.field,
        "error_list": [(target, refused.messages[0])],
    }
