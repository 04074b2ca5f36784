"""Dossier operations (nộp hồ sơ, tra cứu): the only place that writes dossiers."""

import uuid
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts import representation
from motcua.accounts.validators import normalise_phone
from motcua.catalogue.forms_schema import form_size, prefill, too_many_items, validate_form
from motcua.catalogue.models import Component, Procedure
from motcua.core import ratelimit, uploads
from motcua.core.uploads import CheckedUpload
from motcua.dossiers import acting, intake, once_only, quotas, selectors
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Status


class DossierError(ValidationError):
    """A request about a dossier that cannot be carried out; the message is for the applicant."""


class EmailNotVerified(DossierError):
    """Only applicants with a verified e-mail address may submit (the receipt goes there)."""


class PreparedNotConfirmed(DossierError):
    """A draft the agency prepared goes only once the person said they checked it."""


def dossier_start(
    *,
    procedure: Procedure,
    applicant,
    token: uuid.UUID | None = None,
    principal=None,
    from_registers: bool = True,
) -> Dossier:
    """Create a draft for `procedure` prefilled from the applicant's profile and, for the keys
    the profile gives, from the registers (decision 0079).

    `applicant` is the person starting it; `principal`, when given, the organisation or
    person they act for (accounts.representation), who becomes the applicant of record and
    whose profile prefills the form. `token` comes from the start form: the same token twice
    (a double click, a retried request) returns the draft made the first time instead of a
    second one. `from_registers=False`: no look-up (a caller inside a transaction, or one
    that brings its own answers).
    """
    if not procedure.accepts_online:
        raise DossierError(_("Thủ tục này chưa nhận hồ sơ trực tuyến."))
    if not applicant.is_applicant:
        raise PermissionDenied
    principal = principal or applicant
    standing = representation.standing(
        applicant, principal.pk, procedure_code=procedure.code, act=True
    )
    if standing is None:
        raise PermissionDenied
    token = token or uuid.uuid4()
    existing = Dossier.objects.filter(uuid=token).first()
    if existing is not None:
        if existing.applicant_id != principal.pk or existing.started_by_id not in (
            None,
            applicant.pk,
        ):
            raise PermissionDenied
        return existing
    data, sources = prefill(procedure.form_schema, procedure.form_ui, principal)
    delivery = "online" if "online" in (procedure.delivery_options or []) else ""
    try:
        with transaction.atomic():
            quotas.check_new_draft(principal)
            dossier = Dossier.objects.create(
                uuid=token,
                procedure=procedure,
                applicant=principal,
                receiving_agency=procedure.receiving_agency,
                form_data=data,
                form_bytes=form_size(data),
                prefill_sources=sources,
                delivery_method=delivery,
                started_by=applicant,
                **_acted(standing),
            )
    except IntegrityError:  # the same token raced in from a parallel request
        return Dossier.objects.get(uuid=token, applicant=principal)
    # Once the draft exists (each look-up is recorded against it), outside the transaction:
    # the keys the profile already gave (the tax code, a verified ID number) fill the rest.
    # Past the account's quota (ValidationError) the draft stays as the profile filled it.
    if from_registers:
        with suppress(ValidationError):
            dossier.prefill_outcome = once_only.fill_from_registers(dossier=dossier, user=applicant)
    return dossier


def dossier_prepare(
    *,
    procedure: Procedure,
    applicant,
    form_data: dict,
    prepared_from: Dossier | None,
    proactive: dict,
    level: int,
    expires_at,
    token: uuid.UUID | None = None,
    prefill_sources: dict | None = None,
    replacing: Dossier | None = None,
) -> Dossier:
    """Create a draft the agency prepared for `applicant` (proactive services level 2 or 3,
    decision 0085): started by no one (the agency), with the answers it already holds, marked
    with `proactive` ({"reminder": uuid, ...}) and kept until `expires_at` unless the person
    takes it up. Nothing is looked up here (the caller refreshes from the registers once the
    draft exists, outside any transaction) and nothing is ever submitted.

    The same `token` twice returns the draft made the first time (a rerun of the job), in
    whatever state it now is. The form's list limits and the account's form-data total apply
    as to the person's own answers (DossierError, QuotaExceeded). A new draft starts
    untouched: its updated_at is its prepared_at. `prefill_sources`: where values came from
    (the person's earlier draft, when they chose another procedure). `replacing`: that
    earlier draft, deleted once this one is made: not counted against the account's limits
    (a switch needs no spare draft)."""
    if not procedure.accepts_online:
        raise DossierError(_("Thủ tục này chưa nhận hồ sơ trực tuyến."))
    token = token or uuid.uuid4()
    existing = Dossier.objects.filter(uuid=token).first()
    if existing is not None:
        return existing
    over = too_many_items(procedure.form_schema, form_data)
    if over:
        label, limit = over[0]
        raise DossierError(
            _("“%(label)s” có tối đa %(n)s mục. Nội dung vừa nhập chưa được lưu.")
            % {"label": label, "n": limit}
        )
    size = form_size(form_data)
    options = procedure.delivery_options or []
    earlier_delivery = prepared_from.delivery_method if prepared_from is not None else ""
    delivery = earlier_delivery if earlier_delivery in options else ""
    if not delivery and "online" in options:
        delivery = "online"
    now = timezone.now()
    try:
        with transaction.atomic():
            quotas.check_new_draft(applicant, replacing=replacing)
            # In place of `replacing`'s answers: no more than those always fits.
            quotas.check_form_bytes(applicant, replacing or Dossier(form_bytes=0), size)
            dossier = Dossier.objects.create(
                uuid=token,
                procedure=procedure,
                applicant=applicant,
                receiving_agency=procedure.receiving_agency,
                form_data=form_data,
                form_bytes=size,
                prefill_sources=prefill_sources or {},
                delivery_method=delivery,
                postal_address=(
                    prepared_from.postal_address
                    if prepared_from is not None and delivery == "post"
                    else ""
                ),
                started_by=None,
                proactive_level=level,
                prepared_at=now,
                prepared_from=prepared_from,
                prepared_expires_at=expires_at,
                proactive=proactive,
            )
            Dossier.objects.filter(pk=dossier.pk).update(updated_at=now)
            dossier.updated_at = now
            return dossier
    except IntegrityError:  # the same token raced in from a parallel run
        return Dossier.objects.get(uuid=token, applicant=applicant)


def dossier_prepared(*, dossier: Dossier, proactive: dict, changed: bool = False) -> None:
    """The agency finished preparing `dossier`: record what it did (merged into
    Dossier.proactive) and start the "untouched" clock: a prepared draft whose updated_at is
    still its prepared_at was not changed by the person (dossiers.expiry). `changed`: the
    person already made it theirs (prepared again under the procedure they chose): it is
    counted as changed, an ordinary draft."""
    now = timezone.now()
    merged = {**(dossier.proactive or {}), **proactive}
    if changed:
        Dossier.objects.filter(pk=dossier.pk, status=Status.DRAFT).update(
            proactive=merged, updated_at=now
        )
        dossier.proactive, dossier.updated_at = merged, now
        return
    Dossier.objects.filter(pk=dossier.pk, status=Status.DRAFT).update(
        proactive=merged, prepared_at=now, updated_at=now
    )
    dossier.proactive, dossier.prepared_at, dossier.updated_at = merged, now, now


def dossier_preparing(*, dossier: Dossier) -> None:
    """The agency changed the draft it is preparing (answers from the registers, a file it
    holds): still untouched by the person, so that a run that broke off part-way and is run
    again tells the agency's changes from the person's (proactive.preparing)."""
    Dossier.objects.filter(pk=dossier.pk, status=Status.DRAFT).update(prepared_at=F("updated_at"))


def dossier_prepared_keep(*, dossier: Dossier, until) -> None:
    """A prepared draft offered again by a later reminder: kept at least until `until`."""
    if dossier.prepared_expires_at is None or dossier.prepared_expires_at < until:
        Dossier.objects.filter(pk=dossier.pk, status=Status.DRAFT).update(prepared_expires_at=until)
        dossier.prepared_expires_at = until


def dossier_mark_proactive(*, dossier: Dossier, reminder: str) -> None:
    """A draft the person started from a reminder's link (proactive level 1): say so, for
    the desk and the statistics. A draft already marked keeps its level."""
    if dossier.proactive_level:
        return
    proactive = {**(dossier.proactive or {}), "reminder": reminder}
    Dossier.objects.filter(pk=dossier.pk, proactive_level=0).update(
        proactive_level=1, proactive=proactive
    )
    dossier.proactive_level, dossier.proactive = 1, proactive


def _acted(standing) -> dict:
    """The fields recording under what a person acted for the applicant of record."""
    return {
        "acted_via": standing.via,
        "acting_member": standing.member,
        "acting_authorisation": standing.authorisation,
    }


def _editable(dossier: Dossier, applicant) -> None:
    if acting.applicant_may(applicant, dossier, act=True) is None:
        raise PermissionDenied
    if not dossier.is_draft:
        raise DossierError(_("Hồ sơ đã nộp, không sửa được nữa."))


def check_form_size(*, dossier: Dossier, data: dict) -> None:
    """Refuse lists longer than the form allows (its maxItems, or FORM_MAX_ITEMS); a list
    already saved longer may stay as long, to be shortened."""
    over = too_many_items(dossier.procedure.form_schema, data, saved=dossier.form_data)
    if over:
        label, limit = over[0]
        raise DossierError(
            _("“%(label)s” có tối đa %(n)s mục. Nội dung vừa nhập chưa được lưu.")
            % {"label": label, "n": limit}
        )


def dossier_save_form(
    *, dossier: Dossier, applicant, data: dict, validate: bool = True
) -> dict[str, list[str]]:
    """Save the form as it stands (drafts keep invalid answers) and return its errors.

    Answers past the form's list limits or the account's form-data quota are refused whole
    (DossierError): the draft keeps what it had. `validate=False` skips the validation (an
    autosave does not show errors).
    """
    _editable(dossier, applicant)
    check_form_size(dossier=dossier, data=data)
    size = form_size(data)
    with transaction.atomic():
        quotas.check_form_bytes(dossier.applicant, dossier, size)
        dossier.form_data = data
        dossier.form_bytes = size
        dossier.save(update_fields=["form_data", "form_bytes", "updated_at"])
    if not validate:
        return {}
    return validate_form(dossier.procedure.form_schema, dossier.procedure.form_ui, data)


def dossier_save_delivery(*, dossier: Dossier, applicant, method: str, postal_address: str) -> None:
    _editable(dossier, applicant)
    allowed = dossier.procedure.delivery_options or []
    if method not in allowed:
        raise DossierError(_("Chọn một cách nhận kết quả mà thủ tục cho phép."))
    postal_address = postal_address.strip()
    if method == "post" and len(postal_address) < 10:
        raise DossierError(_("Nhập đầy đủ địa chỉ nhận kết quả qua bưu chính."))
    dossier.delivery_method = method
    dossier.postal_address = postal_address if method == "post" else ""
    dossier.save(update_fields=["delivery_method", "postal_address", "updated_at"])


def _attachments_editable(dossier: Dossier, applicant) -> None:
    """Files may change in a draft, and be added while a supplement is requested."""
    if acting.applicant_may(applicant, dossier, act=True) is None:
        raise PermissionDenied
    if dossier.status not in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED):
        raise DossierError(_("Hồ sơ đã nộp, không sửa được nữa."))


def attachment_add(*, dossier: Dossier, component: Component, upload, applicant) -> Attachment:
    """Check and store one file for one component of a draft (or of a supplement)."""
    _attachments_editable(dossier, applicant)
    if component.procedure_id != dossier.procedure_id:
        raise PermissionDenied
    since = (
        _supplement_requested_at(dossier) if dossier.status == Status.SUPPLEMENT_REQUESTED else None
    )
    limits = None
    if dossier.is_draft:

        def limits(size: int) -> None:
            quotas.check_attachment(dossier.applicant, dossier, size)

    return store_attachment(
        dossier, component, upload, uploaded_by=applicant, since=since, limits=limits
    )


def check_and_scan(upload, accepted_kinds: list[str]) -> CheckedUpload:
    """core.uploads.check_and_scan, refusals as DossierError."""
    return uploads.check_and_scan(upload, accepted_kinds, error=DossierError)


def store_attachment(
    dossier: Dossier, component: Component, upload, *, uploaded_by, since=None, limits=None
) -> Attachment:
    """Check a file by content, scan it when a scanner is configured, and store it safely.

    `since`: count only files added after that moment against the component's limit (a
    supplement may replace files the applicant can no longer delete). `limits(size)`, called
    in the transaction before the dossier is locked, raises when the file would pass a quota
    (an applicant's draft).
    """
    checked = check_and_scan(upload, component.file_types)
    with transaction.atomic():
        if limits is not None:  # first: it locks the account, before the dossier (lock order)
            limits(checked.size)
        # Lock the dossier row so two uploads in parallel cannot both pass the file-count check.
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        existing = Attachment.objects.filter(dossier=dossier, component=component)
        if since is not None:
            existing = existing.filter(uploaded_at__gte=since)
        count = existing.count()
        if count >= component.max_files:
            raise DossierError(
                _("Thành phần “%(c)s” chỉ nhận tối đa %(n)s tệp.")
                % {"c": component.name, "n": component.max_files}
            )
        attachment = Attachment(
            dossier=dossier,
            component=component,
            original_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=uploaded_by,
        )
        upload.seek(0)
        attachment.file.save(
            f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(upload.read()), save=False
        )
        attachment.save()
        Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now())
    return attachment


def attachment_remove(*, attachment: Attachment, applicant) -> None:
    dossier = attachment.dossier
    _attachments_editable(dossier, applicant)
    if (
        dossier.status == Status.SUPPLEMENT_REQUESTED
        and attachment.uploaded_at < _supplement_requested_at(dossier)
    ):
        raise DossierError(_("Chỉ xoá được tệp vừa bổ sung; các tệp đã nộp được giữ nguyên."))
    stored = attachment.file.name
    storage = attachment.file.storage
    with transaction.atomic():
        attachment.delete()
        # A change like any other: a prepared draft is no longer untouched (dossiers.expiry).
        Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now())
        transaction.on_commit(lambda: storage.delete(stored))


def _supplement_requested_at(dossier: Dossier):
    event = (
        DossierEvent.objects.filter(dossier=dossier, action="request_supplement")
        .order_by("-at")
        .only("at")
        .first()
    )
    return event.at if event else dossier.submitted_at


@dataclass
class Readiness:
    """What still stops a draft from being submitted."""

    form_errors: dict[str, list[str]]
    missing_components: list[Component]
    delivery_missing: bool

    @property
    def ready(self) -> bool:
        return not self.form_errors and not self.missing_components and not self.delivery_missing


def _condition_met(component: Component, data: dict) -> bool:
    """`vehicles.*.ownership=leased|cooperation`: true if any matching value is present."""
    if not component.condition_field or "=" not in component.condition_field:
        return False
    path, wanted = component.condition_field.split("=", 1)
    wanted_values = set(wanted.split("|"))
    nodes = [data]
    for part in path.split("."):
        next_nodes = []
        for node in nodes:
            if part == "*" and isinstance(node, list):
                next_nodes.extend(node)
            elif isinstance(node, dict) and part in node:
                next_nodes.append(node[part])
        nodes = next_nodes
    return any(str(node) in wanted_values for node in nodes)


def required_components(dossier: Dossier, components) -> list[Component]:
    required = []
    for component in components:
        if component.requirement == Component.Requirement.REQUIRED or (
            component.requirement == Component.Requirement.CONDITIONAL
            and _condition_met(component, dossier.form_data)
        ):
            required.append(component)
    return required


def dossier_readiness(dossier: Dossier, components=None, attachments=None) -> Readiness:
    procedure = dossier.procedure
    if components is None:
        # procedure_id too: the related manager reads it on every row (a query each if deferred).
        components = list(
            procedure.components.only(
                "id",
                "procedure_id",
                "name",
                "requirement",
                "condition_field",
                "obtained_from",
                "key_field",
            )
        )
    if attachments is None:
        present = set(dossier.attachments.values_list("component_id", flat=True))
    else:
        present = {a.component_id for a in attachments}
    # Obtained from a register for every key the answers hold: not asked for (decision 0079).
    present |= once_only.obtained_components(dossier, components)
    return Readiness(
        form_errors=validate_form(procedure.form_schema, procedure.form_ui, dossier.form_data),
        missing_components=[
            c for c in required_components(dossier, components) if c.pk not in present
        ],
        delivery_missing=not dossier.delivery_method,
    )


def _id_number(user) -> str:
    return (
        user.tax_code if user.kind == user.Kind.ORGANISATION and user.tax_code else user.citizen_id
    )


def dossier_submit(*, dossier_uuid, applicant, confirmed_prepared: bool = False) -> Dossier:
    """Submit a complete draft (nộp hồ sơ): status 1, a dossier code, an acknowledgement e-mail.

    `applicant` is the person submitting: the applicant of record or someone who may act for
    them now (acting.applicant_may), recorded on the dossier with what they acted under.
    Submitting twice (double click, retried request) returns the dossier submitted the first
    time; the draft row is locked, so two parallel submissions cannot both go through.
    A dossier the person may not act on raises Dossier.DoesNotExist, like an unknown one.
    A draft the agency prepared (prepared_at) goes only with `confirmed_prepared`: the person
    said they checked it (decision 0085), else PreparedNotConfirmed; when is kept in
    Dossier.proactive["confirmed_at"].
    """
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "receiving_agency")
            .only(
                *(f.name for f in Dossier._meta.concrete_fields),
                "procedure__code",
                "procedure__form_schema",
                "procedure__form_ui",
                "receiving_agency__identifier",
                "receiving_agency__name",
            )
            .get(uuid=dossier_uuid)
        )
        standing = acting.applicant_may(applicant, dossier, act=True)
        if standing is None:
            raise Dossier.DoesNotExist
        if not dossier.is_draft:
            return dossier
        if dossier.prepared_at is not None and not confirmed_prepared:
            raise PreparedNotConfirmed(
                _("Hồ sơ do cơ quan chuẩn bị sẵn: quý vị xác nhận đã kiểm tra hồ sơ trước khi nộp.")
            )
        principal = applicant if dossier.applicant_id == applicant.pk else dossier.applicant
        if not applicant.is_verified:
            raise EmailNotVerified(_("Xác thực địa chỉ thư điện tử trước khi nộp hồ sơ."))
        if not principal.is_verified:
            # The receipt goes to the applicant of record's address.
            raise DossierError(
                _(
                    "Tài khoản của %(name)s chưa xác thực thư điện tử: hồ sơ chỉ nộp được sau "
                    "khi tài khoản đó xác thực."
                )
                % {"name": principal.display_name}
            )
        readiness = dossier_readiness(dossier)
        if not readiness.ready:
            raise DossierError(_("Hồ sơ chưa đầy đủ, vui lòng kiểm tra lại các mục được đánh dấu."))
        if dossier.prepared_at is not None:
            dossier.proactive = {
                **(dossier.proactive or {}),
                "confirmed_at": timezone.now().isoformat(),
            }
            dossier.save(update_fields=["proactive"])
        dossier.applicant_name = principal.display_name
        dossier.applicant_phone = normalise_phone(principal.phone or "")
        dossier.applicant_id_number = _id_number(principal)
        dossier.applicant_email = principal.email or ""
        dossier.submitted_by = applicant
        for name, value in _acted(standing).items():
            setattr(dossier, name, value)
        intake.submit(dossier=dossier, actor=applicant, note=_("Nộp hồ sơ trực tuyến"))
    return dossier


def dossier_discard(*, dossier: Dossier, applicant) -> None:
    """Delete a draft the applicant no longer wants (drafts only; submitted dossiers stay)."""
    _editable(dossier, applicant)
    delete_draft(dossier)


def delete_draft(dossier: Dossier) -> None:
    """Delete a draft, its attachments and, once that commits, their stored files."""
    with transaction.atomic():
        names = [a.file.name for a in dossier.attachments.all()]
        storage = Attachment._meta.get_field("file").storage
        dossier.attachments.all().delete()
        dossier.delete()
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


def track_dossier(*, code: str, secret: str, client_ip: str):
    """Public tracking (tra cứu hồ sơ): the dossier whose code and phone or ID number match.

    A wrong pair and an unknown code give the same answer. Each try is counted first
    (docs/decisions/0025): the code from this address is refused for the window past
    TRACKING_MAX_FAILURES; the address, and the code from anywhere, are slowed down past it
    (at most TRACKING_DELAY_MAX_SECONDS a try), so a stranger cannot lock a citizen out of
    their own dossier. Raises TrackingLimited (with the seconds to wait), or
    ratelimit.Unavailable without the counters. Returns a selectors.TrackedDossier (what
    the public may see) or None.
    """
    code = (code or "").strip().upper()
    secret = (secret or "").strip()
    limit = settings.TRACKING_MAX_FAILURES
    window = settings.TRACKING_WINDOW_SECONDS
    cap = settings.TRACKING_DELAY_MAX_SECONDS
    pair = f"{code}|{client_ip}"
    try:
        ratelimit.limit("track-pair", pair, limit=limit, window=window)
        ratelimit.throttle("track-ip", client_ip, free=limit, window=window, cap=cap)
        ratelimit.throttle("track-code", code, free=limit, window=window, cap=cap)
    except ratelimit.Limited as limited:
        raise TrackingLimited(limited.seconds) from None
    dossier = None
    if code and secret:
        candidate = selectors.tracked_dossier(code)
        phone = normalise_phone(secret)
        if candidate is not None and (
            (candidate.applicant_phone and phone == candidate.applicant_phone)
            or (candidate.applicant_id_number and secret == candidate.applicant_id_number)
        ):
            dossier = candidate
    if dossier is not None:
        # Whoever knows the pair may look as often as they like: only failures count.
        ratelimit.reset("track-pair", pair)
        ratelimit.reset("track-code", code)
        ratelimit.forgive("track-ip", client_ip, window=window)
    return dossier


class TrackingLimited(Exception):
    """Too many tracking attempts from this client or for this code; `seconds` to wait."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds
