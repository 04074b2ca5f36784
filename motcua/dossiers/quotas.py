"""What one account may keep in drafts: how many, how much form data, how many files.

Every check runs in the caller's transaction with the account's row locked, so parallel
requests of one account are counted one after the other and cannot all slip under a limit.
An account whose e-mail is not verified cannot submit yet: it gets fewer drafts and the
account-wide totals scaled down in the same proportion (decision 0030).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from motcua.dossiers.models import Attachment, Dossier, Status, untouched_prepared


class QuotaExceeded(ValidationError):
    """A limit of the account's drafts would be passed; the message is for the applicant."""


@dataclass(frozen=True)
class Quotas:
    drafts: int
    form_bytes: int
    files_per_draft: int
    file_bytes_per_draft: int
    files: int
    file_bytes: int


def quotas_for(user) -> Quotas:
    share = 1.0
    drafts = settings.DRAFTS_PER_ACCOUNT
    if not user.is_verified:
        drafts = min(drafts, settings.DRAFTS_PER_UNVERIFIED_ACCOUNT)
        share = drafts / settings.DRAFTS_PER_ACCOUNT
    return Quotas(
        drafts=drafts,
        form_bytes=int(settings.DRAFT_FORM_BYTES_PER_ACCOUNT * share),
        files_per_draft=settings.DRAFT_FILES_PER_DRAFT,
        file_bytes_per_draft=settings.DRAFT_FILE_BYTES_PER_DRAFT,
        files=max(1, int(settings.DRAFT_FILES_PER_ACCOUNT * share)),
        file_bytes=int(settings.DRAFT_FILE_BYTES_PER_ACCOUNT * share),
    )


def _lock_account(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _drafts_of(user):
    return Dossier.objects.filter(applicant_id=user.pk, status=Status.DRAFT)


def _own_drafts_of(user):
    """The drafts that count against the account's limits (their number, form data, files):
    a draft the agency prepared (proactive services) counts once the person changed it, not
    before (it is deleted by itself at its date, and the agency must not fill the person's
    quota; dossier_prepare checks each prepared draft against the limits when it makes it)."""
    return _drafts_of(user).exclude(untouched_prepared())


def check_new_draft(user, *, replacing: Dossier | None = None) -> None:
    """Refuse a new draft past the account's number of open drafts; `replacing`, a draft
    deleted once the new one is made, is not counted."""
    _lock_account(user)
    limit = quotas_for(user).drafts
    drafts = _own_drafts_of(user)
    if replacing is not None:
        drafts = drafts.exclude(pk=replacing.pk)
    if drafts.count() >= limit:
        if user.is_verified:
            message = _(
                "Quý vị đã có %(n)s bản nháp, là số tối đa. Hãy nộp hoặc xóa một bản nháp "
                "trong “Hồ sơ của tôi” trước khi tạo hồ sơ mới."
            )
        else:
            message = _(
                "Tài khoản chưa xác thực thư điện tử chỉ được giữ %(n)s bản nháp. Hãy xác thực "
                "thư điện tử, hoặc nộp hay xóa một bản nháp trước khi tạo hồ sơ mới."
            )
        raise QuotaExceeded(message % {"n": limit})


def check_form_bytes(user, dossier: Dossier, size: int) -> None:
    """Refuse answers that would take the account's drafts past their form-data total.

    `dossier.form_bytes` is the size saved so far: answers no bigger than that are always
    taken, so drafts over the total (made before it, or when it was higher) can be shortened.
    """
    if size <= dossier.form_bytes:
        return
    _lock_account(user)
    limit = quotas_for(user).form_bytes
    others = _own_drafts_of(user).exclude(pk=dossier.pk).aggregate(total=Sum("form_bytes"))["total"]
    if (others or 0) + size > limit:
        raise QuotaExceeded(
            _(
                "Tờ khai quá lớn: các bản nháp của quý vị chỉ được chứa tổng cộng %(limit)s dữ "
                "liệu. Nội dung vừa nhập chưa được lưu; phần đã lưu trước đó vẫn được giữ."
            )
            % {"limit": filesizeformat(limit)}
        )


def check_attachment(user, dossier: Dossier, size: int) -> None:
    """Refuse a file past the draft's or the account's number of files or bytes."""
    _lock_account(user)
    quotas = quotas_for(user)
    here = Attachment.objects.filter(dossier=dossier).aggregate(n=Count("id"), size=Sum("size"))
    if here["n"] + 1 > quotas.files_per_draft:
        raise QuotaExceeded(
            _("Mỗi hồ sơ chỉ được đính kèm tối đa %(n)s tệp.") % {"n": quotas.files_per_draft}
        )
    if (here["size"] or 0) + size > quotas.file_bytes_per_draft:
        raise QuotaExceeded(
            _("Các tệp đính kèm của một hồ sơ không được vượt quá %(limit)s.")
            % {"limit": filesizeformat(quotas.file_bytes_per_draft)}
        )
    # The account's own drafts, and this one (a file added makes an agency's draft theirs).
    everywhere = Attachment.objects.filter(
        Q(dossier__in=_own_drafts_of(user)) | Q(dossier=dossier)
    ).aggregate(n=Count("id"), size=Sum("size"))
    if everywhere["n"] + 1 > quotas.files or (everywhere["size"] or 0) + size > quotas.file_bytes:
        raise QuotaExceeded(
            _(
                "Các bản nháp của quý vị đã chứa %(n)s tệp, %(size)s: đã đến mức tối đa "
                "(%(max_n)s tệp, %(max_size)s). Hãy nộp hoặc xóa bớt bản nháp rồi tải lên lại."
            )
            % {
                "n": everywhere["n"],
                "size": filesizeformat(everywhere["size"] or 0),
                "max_n": quotas.files,
                "max_size": filesizeformat(quotas.file_bytes),
            }
        )
