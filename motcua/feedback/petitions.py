"""Feedback and petitions (phản ánh, kiến nghị): filing, the agency's stages, escalation.

Decision 0047: codes PAKN-<agency identifier>-<yymmdd>-<nnnn>; the agency rejects within 2
working days of reception, asks for more information within 5, answers within 15 (counted
again from the information given), publishes within 2 of the answer; each stage late is
escalated once (PetitionLate). Decision 0048: filing without an account with a contact
proved by a one-time code (contact_codes.py), and the redaction of published text.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role, User
from motcua.accounts.validators import normalise_phone
from motcua.catalogue.models import Agency, Procedure
from motcua.core.events import PetitionChanged, PetitionLate
from motcua.core.outbox import publish
from motcua.core.text import fold
from motcua.dossiers import acting, codes
from motcua.dossiers.access import memberships
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Petition, PetitionCodeSequence, PetitionEvent
from motcua.workdays.services import add_working_days

Status = Petition.Status

# Working days per stage (decision 0047; DOMAIN.md 9, Decision 766 group 5).
REJECT_DAYS = 2
INFO_DAYS = 5
RESOLVE_DAYS = 15
PUBLISH_DAYS = 2

STAGES = ("reject", "info", "resolve", "publish")
# The statuses in which each stage's deadline runs: while the agency can still act on it.
STAGE_STATUSES = {
    "reject": (Status.RECEIVED,),
    "info": (Status.RECEIVED,),
    "resolve": (Status.RECEIVED, Status.INFO_GIVEN),
    "publish": (Status.ANSWERED,),
}
STAGE_LABELS = {
    "reject": gettext_lazy("Xem xét, tiếp nhận"),
    "info": gettext_lazy("Yêu cầu bổ sung thông tin"),
    "resolve": gettext_lazy("Trả lời"),
    "publish": gettext_lazy("Công khai kết quả"),
}

# Roles that handle the agency's petitions (decision 0047): the one-stop desk that receives
# them, heads of units, the leadership and the agency's administrators.
HANDLING_ROLES = frozenset({Role.DESK, Role.UNIT_HEAD, Role.LEADER, Role.AGENCY_ADMIN})

TITLE_MAX = 200
CONTENT_MAX = 5000
NOTE_MAX = 5000


class PetitionError(Exception):
    """The action is not possible now (the message says why, for the page)."""


# ---------------------------------------------------------------------------------------
# Codes


def allocate_code(agency: Agency, moment: datetime) -> str:
    """The next petition code of `agency` for the local day of `moment`, PAKN-<dossier-style
    code> in its own series; call inside the transaction that stores it."""
    day = timezone.localtime(moment).date()
    return "PAKN-" + codes.allocate_code(agency, day, sequence=PetitionCodeSequence)


# ---------------------------------------------------------------------------------------
# Filing


@dataclass(frozen=True)
class Subject:
    """What a petition is about and the agency that receives it."""

    about: str
    agency: Agency
    procedure: Procedure | None = None
    dossier: Dossier | None = None
    dossier_code: str = ""


def agency_of_dossier_code(code: str) -> Agency | None:
    """The receiving agency named by a dossier code's prefix (<agency id>-<yymmdd>-<nnnn>,
    a public format), without looking at any dossier."""
    identifier = codes.agency_identifier_of(code)
    if identifier is None:
        return None
    return Agency.objects.filter(identifier__iexact=identifier, is_active=True).first()


def dossier_of_applicant(user, code: str) -> Dossier | None:
    """The user's own submitted dossier with this code, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        acting.dossiers_for(user)
        .filter(code=code.strip().upper())
        .select_related("receiving_agency")
        .first()
    )


def tracking_path(petition: Petition) -> str:
    return reverse("feedback:petition_track_detail", args=[petition.code])


def _record(petition, *, action, actor=None, note="", is_public=True, at=None) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        at=at or timezone.now(),
        actor=actor,
        action=action,
        status=petition.status,
        note=note,
        is_public=is_public,
    )


def _tell(petition: Petition, action: str, *, due_at=None) -> None:
    publish(
        PetitionChanged(
            petition_id=petition.pk,
            code=petition.code,
            action=action,
            status=petition.status,
            agency_id=petition.agency_id,
            dossier_id=petition.dossier_id,
            user_id=petition.user_id,
            email=petition.email,
            phone=petition.phone,
            language=petition.language,
            path=tracking_path(petition),
            due_at=due_at,
        ),
        subject=petition,
    )


@transaction.atomic
def file_petition(
    *,
    kind: str,
    subject: Subject,
    title: str,
    content: str,
    user: User | None = None,
    name: str = "",
    channel: str = Petition.Channel.ACCOUNT,
    email: str = "",
    phone: str = "",
    language: str = "vi",
    now: datetime | None = None,
) -> Petition:
    """File a petition (đã tiếp nhận): the code, the stage deadlines from the moment of
    reception on the working-day calendar, the first history line, and PetitionChanged
    ("filed") carrying how to tell the filer. `user` is an account holder; otherwise
    `name` and the contact (`channel` email or sms) proved by a code."""
    now = now or timezone.now()
    if user is not None:
        name = name or user.display_name
        email = email or (user.email or "")
        phone = phone or (user.phone or "")
        channel = Petition.Channel.ACCOUNT
    petition = Petition(
        code=allocate_code(subject.agency, now),
        kind=kind,
        about=subject.about,
        procedure=subject.procedure,
        dossier=subject.dossier,
        dossier_code=subject.dossier_code,
        agency=subject.agency,
        title=title.strip()[:TITLE_MAX],
        content=content.strip()[:CONTENT_MAX],
        user=user,
        name=name.strip()[:200],
        channel=channel,
        email=email.strip(),
        phone=normalise_phone(phone) if phone else "",
        language=language[:8] or "vi",
        status=Status.RECEIVED,
        received_at=now,
        reject_due_at=add_working_days(now, REJECT_DAYS),
        info_due_at=add_working_days(now, INFO_DAYS),
        resolve_due_at=add_working_days(now, RESOLVE_DAYS),
    )
    petition.save()
    _record(petition, action="filed", actor=user, at=now)
    _tell(petition, "filed", due_at=petition.resolve_due_at)
    return petition


# ---------------------------------------------------------------------------------------
# Who may see and handle


def can_handle(user, agency_id: int) -> bool:
    """True if `user` is an officer with a handling role in a unit of the agency."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICER:
        return False
    return any(
        m.unit.agency_id == agency_id and m.role in HANDLING_ROLES for m in memberships(user)
    )


def handled_agency_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICER:
        return set()
    return {m.unit.agency_id for m in memberships(user) if m.role in HANDLING_ROLES}


def petitions_for_officer(user):
    return Petition.objects.filter(agency_id__in=handled_agency_ids(user)).select_related("agency")


def by_first_deadline(petitions_qs):
    """Ordered by the first deadline running (the reject stage's while received, which
    comes before the others); those waiting for the filer last, oldest first."""
    first_due = Case(
        When(status=Status.RECEIVED, then=F("reject_due_at")),
        When(status=Status.INFO_GIVEN, then=F("resolve_due_at")),
        When(status=Status.ANSWERED, then=F("publish_due_at")),
        default=None,
    )
    return petitions_qs.annotate(first_due=first_due).order_by(
        F("first_due").asc(nulls_last=True), "received_at", "id"
    )


def petition_for_officer(user, code: str) -> Petition | None:
    return petitions_for_officer(user).filter(code=code).first()


def contact_matches(petition: Petition, contact: str) -> bool:
    """Whether `contact` (an e-mail address or a phone number) is the filer's."""
    contact = (contact or "").strip()
    if not contact:
        return False
    if "@" in contact:
        return bool(petition.email) and petition.email.lower() == contact.lower()
    return bool(petition.phone) and petition.phone == normalise_phone(contact)


# ---------------------------------------------------------------------------------------
# Deadlines as pages show them


def stage_deadlines(petition: Petition) -> list[tuple[str, datetime]]:
    """(stage, due) of the stages whose deadline runs in the petition's status."""
    return [
        (stage, getattr(petition, f"{stage}_due_at"))
        for stage in STAGES
        if petition.status in STAGE_STATUSES[stage] and getattr(petition, f"{stage}_due_at")
    ]


def late_stages(petition: Petition, now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    return [stage for stage, due in stage_deadlines(petition) if due < now]


def next_deadline(petition: Petition, now: datetime | None = None):
    """(stage, due) of the first running deadline still ahead, else the last one passed."""
    now = now or timezone.now()
    running = stage_deadlines(petition)
    for stage, due in running:
        if due >= now:
            return stage, due
    return running[-1] if running else (None, None)


# ---------------------------------------------------------------------------------------
# The agency's actions


def _locked(petition: Petition, allowed: tuple[str, ...]) -> Petition:
    fresh = Petition.objects.select_for_update().get(pk=petition.pk)
    if fresh.status not in allowed:
        raise PetitionError(_("Phản ánh, kiến nghị này không còn ở bước cho phép thao tác này."))
    return fresh


def _check_officer(officer, petition: Petition) -> None:
    if not can_handle(officer, petition.agency_id):
        raise PermissionError("not an officer of the receiving agency")


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PetitionError(message)
    return value[:NOTE_MAX]


@transaction.atomic
def reject_petition(*, petition: Petition, officer: User, reason: str) -> Petition:
    """Not accepted (không tiếp nhận), with the reason told to the filer."""
    _check_officer(officer, petition)
    reason = _text(reason, _("Nhập lý do không tiếp nhận."))
    petition = _locked(petition, (Status.RECEIVED,))
    petition.status = Status.REJECTED
    petition.reject_reason = reason
    petition.version += 1
    petition.save(update_fields=["status", "reject_reason", "version"])
    _record(petition, action="rejected", actor=officer, note=reason)
    _tell(petition, "rejected")
    return petition


@transaction.atomic
def request_info(*, petition: Petition, officer: User, question: str) -> Petition:
    """Ask the filer for more information (once); the answer clock stops until it comes."""
    _check_officer(officer, petition)
    question = _text(question, _("Nhập thông tin cần người gửi bổ sung."))
    petition = _locked(petition, (Status.RECEIVED,))
    petition.status = Status.INFO_REQUESTED
    petition.question = question
    petition.resolve_due_at = None
    petition.version += 1
    petition.save(update_fields=["status", "question", "resolve_due_at", "version"])
    _record(petition, action="info_requested", actor=officer, note=question)
    _tell(petition, "info_requested")
    return petition


@transaction.atomic
def give_info(*, petition: Petition, info: str, user: User | None = None, now=None) -> Petition:
    """The filer's answer to the request: the agency has RESOLVE_DAYS working days again
    from now (decision 0047)."""
    info = _text(info, _("Nhập thông tin bổ sung."))
    now = now or timezone.now()
    petition = _locked(petition, (Status.INFO_REQUESTED,))
    petition.status = Status.INFO_GIVEN
    petition.info = info
    petition.resolve_due_at = add_working_days(now, RESOLVE_DAYS)
    petition.resolve_escalated_at = None
    petition.version += 1
    petition.save(
        update_fields=["status", "info", "resolve_due_at", "resolve_escalated_at", "version"]
    )
    _record(petition, action="info_given", actor=user, note=info, at=now)
    _tell(petition, "info_given", due_at=petition.resolve_due_at)
    return petition


@transaction.atomic
def answer_petition(*, petition: Petition, officer: User, answer: str, now=None) -> Petition:
    """The agency's answer (trả lời); it should be published within PUBLISH_DAYS."""
    _check_officer(officer, petition)
    answer = _text(answer, _("Nhập nội dung trả lời."))
    now = now or timezone.now()
    petition = _locked(petition, (Status.RECEIVED, Status.INFO_GIVEN))
    petition.status = Status.ANSWERED
    petition.answer = answer
    petition.answered_by = officer
    petition.answered_at = now
    petition.publish_due_at = add_working_days(now, PUBLISH_DAYS)
    petition.version += 1
    petition.save(
        update_fields=[
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "publish_due_at",
            "version",
        ]
    )
    _record(petition, action="answered", actor=officer, note=answer, at=now)
    _tell(petition, "answered")
    return petition


@transaction.atomic
def publish_petition(
    *, petition: Petition, officer: User, title: str, question: str, answer: str
) -> Petition:
    """Publish the answer on the public page, with the text the officer reviewed (the form
    is pre-filled by redact())."""
    _check_officer(officer, petition)
    title = _text(title, _("Nhập tiêu đề công khai."))[:TITLE_MAX]
    question = _text(question, _("Nhập nội dung phản ánh, kiến nghị công khai."))
    answer = _text(answer, _("Nhập nội dung trả lời công khai."))
    petition = _locked(petition, (Status.ANSWERED,))
    now = timezone.now()
    petition.status = Status.PUBLISHED
    petition.published_title = title
    petition.published_question = question
    petition.published_answer = answer
    petition.published_at = now
    petition.search_text = fold(f"{title} {question} {answer}")
    petition.version += 1
    petition.save(
        update_fields=[
            "status",
            "published_title",
            "published_question",
            "published_answer",
            "published_at",
            "search_text",
            "version",
        ]
    )
    _record(petition, action="published", actor=officer, at=now)
    _tell(petition, "published")
    return petition


@transaction.atomic
def close_petition(*, petition: Petition, officer: User, reason: str) -> Petition:
    """Answered, not to be published (a matter only of the filer): closed with the reason."""
    _check_officer(officer, petition)
    reason = _text(reason, _("Nhập lý do không công khai."))
    petition = _locked(petition, (Status.ANSWERED,))
    petition.status = Status.CLOSED
    petition.version += 1
    petition.save(update_fields=["status", "version"])
    _record(petition, action="closed", actor=officer, note=reason, is_public=False)
    _tell(petition, "closed")
    return petition


# ---------------------------------------------------------------------------------------
# Escalation


def escalate_late_petitions(now: datetime | None = None) -> int:
    """Mark each petition past a stage's deadline escalated for that stage, once, and
    publish PetitionLate for the agency's heads. Celery beat and
    `manage.py escalate_late_petitions` run it."""
    now = now or timezone.now()
    count = 0
    for stage in STAGES:
        due_field, mark = f"{stage}_due_at", f"{stage}_escalated_at"
        late = Petition.objects.filter(
            status__in=STAGE_STATUSES[stage],
            **{f"{due_field}__lt": now, f"{mark}__isnull": True},
        )
        for pk in late.values_list("pk", flat=True)[:500]:
            with transaction.atomic():
                petition = Petition.objects.select_for_update().get(pk=pk)
                due = getattr(petition, due_field)
                if (
                    getattr(petition, mark) is not None
                    or petition.status not in STAGE_STATUSES[stage]
                    or due is None
                    or due >= now
                ):
                    continue
                setattr(petition, mark, now)
                petition.save(update_fields=[mark])
                _record(
                    petition,
                    action="escalated",
                    note=_("Quá hạn bước “%(stage)s”; đã báo lãnh đạo cơ quan.")
                    % {"stage": STAGE_LABELS[stage]},
                    is_public=False,
                    at=now,
                )
                publish(
                    PetitionLate(
                        petition_id=petition.pk,
                        code=petition.code,
                        stage=stage,
                        agency_id=petition.agency_id,
                        due_at=due,
                    ),
                    subject=petition,
                )
                count += 1
    return count


# ---------------------------------------------------------------------------------------
# Redaction (decision 0048)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")
_PLATE = re.compile(r"(?<![\w])\d{2}[A-Z]{1,2}\d?[\s-]?\d{3}(?:\.?\d{2})?(?![\w])", re.IGNORECASE)
# An address typed after a cue word, up to the end of the sentence or line.
_ADDRESS = re.compile(
    r"(?i)\b(địa chỉ|trú tại|thường trú|tạm trú|cư trú tại|nhà tôi ở|nhà ở|số nhà)\b"
    r"\s*:?\s*[^.\n;]+"
)
HIDDEN = "[…]"


def redact(text: str, *, names: tuple[str, ...] = ()) -> str:
    """`text` without the personal data we can detect: e-mail addresses, phone numbers,
    9- and 12-digit ID numbers, vehicle plates, addresses after a cue word ("địa chỉ", "trú
    tại"...), and the given names. The officer reviews the result before publishing."""
    text = text or ""
    text = _EMAIL.sub(HIDDEN, text)
    text = _ADDRESS.sub(lambda m: f"{m.group(1)} {HIDDEN}", text)
    text = _PLATE.sub(HIDDEN, text)
    text = _PHONE.sub(HIDDEN, text)
    text = _ID_NUMBER.sub(HIDDEN, text)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            text = re.sub(re.escape(name), HIDDEN, text, flags=re.IGNORECASE)
    return text


def redacted_draft(petition: Petition) -> dict[str, str]:
    """The publication form's first values: the petition's text with personal data removed."""
    names = tuple(n for n in {petition.name, petition.user.full_name if petition.user else ""} if n)
    return {
        "title": redact(petition.title, names=names),
        "question": redact(petition.content, names=names),
        "answer": redact(petition.answer, names=names),
    }


# ---------------------------------------------------------------------------------------
# The public page


def published_petitions(query: str = ""):
    from motcua.core.text import search_terms

    found = Petition.objects.filter(status=Status.PUBLISHED).select_related("agency")
    for term in search_terms(query):
        found = found.filter(search_text__contains=term)
    return found.order_by("-published_at", "-id")
