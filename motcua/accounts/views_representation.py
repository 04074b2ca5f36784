"""Pages of an organisation's members and of letters of authorisation (decision 0076)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import members, representation
from motcua.accounts.decorators import verified_login_required
from motcua.accounts.forms_representation import AuthorisationForm, MemberChangeForm, MemberForm
from motcua.accounts.models import Authorisation, OrganisationMember, User
from motcua.accounts.representation import bound_to, in_force
from motcua.core.boundary import accepts_files
from motcua.core.files import stored_file


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _organisation(request) -> User:
    """The organisation whose members the page shows: the account's own, or (`?org=`) one
    the person administers; anyone else's is a 404."""
    managed = representation.managed_organisations(request.user)
    wanted = request.GET.get("org") or request.POST.get("org")
    if wanted:
        found = next((o for o in managed if str(o.pk) == wanted), None)
    else:
        found = managed[0] if managed else None
    if found is None:
        raise Http404
    return found


def _members_url(organisation, user) -> str:
    url = reverse("accounts:members")
    return url if organisation.pk == user.pk else f"{url}?org={organisation.pk}"


@verified_login_required
def members_page(request):
    organisation = _organisation(request)
    form = MemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = members.member_add(
                organisation=organisation,
                citizen_id=data["citizen_id"],
                full_name=data["full_name"],
                role=data["role"],
                valid_until=data["valid_until"],
                invited_email=data["invited_email"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Đã thêm thành viên %(name)s.") % {"name": member.full_name}
            )
            return redirect(_members_url(organisation, request.user))
    rows = list(
        OrganisationMember.objects.filter(organisation=organisation)
        .select_related("user", "ended_by")
        .order_by("ended_at", "full_name", "id")
    )
    today = representation.today()
    for row in rows:
        row.in_force = row.holds_on(today)
        row.change_form = None if row.is_ended else MemberChangeForm(member=row)
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "form": form,
            "rows": rows,
            "org_param": "" if organisation.pk == request.user.pk else organisation.pk,
        },
        status=400 if form.errors else 200,
    )


def _member(request, member_id) -> OrganisationMember:
    member = get_object_or_404(
        OrganisationMember.objects.select_related("organisation"), pk=member_id
    )
    if not representation.may_manage_members(request.user, member.organisation):
        raise Http404
    return member


@verified_login_required
@require_POST
def member_change(request, member_id):
    member = _member(request, member_id)
    form = MemberChangeForm(request.POST, member=member)
    if form.is_valid():
        try:
            changed = members.member_change(
                member=member,
                role=form.cleaned_data["role"],
                valid_until=form.cleaned_data["valid_until"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if changed:
                messages.success(
                    request, _("Đã lưu thay đổi của %(name)s.") % {"name": member.full_name}
                )
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect(_members_url(member.organisation, request.user))


@verified_login_required
@require_POST
def member_end(request, member_id):
    member = _member(request, member_id)
    try:
        members.member_end(member=member, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s không còn là thành viên từ bây giờ.") % {"name": member.full_name}
        )
    url = reverse("accounts:members")
    if member.organisation_id != request.user.pk and representation.may_manage_members(
        request.user, member.organisation
    ):
        url = _members_url(member.organisation, request.user)
    elif member.organisation_id != request.user.pk:
        url = reverse("accounts:authorisations")
    return redirect(url)


@accepts_files("UPLOAD_MAX_BYTES")
@verified_login_required
def authorisations_page(request):
    user = request.user
    if not user.is_applicant:
        raise PermissionDenied
    form = AuthorisationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            authorisation = members.authorisation_create(
                principal=user,
                citizen_id=data["citizen_id"],
                full_name=data["full_name"],
                valid_until=data["valid_until"],
                all_procedures=data["scope"] == "all",
                procedure_codes=form.codes(),
                number=data["number"],
                document=data["document"],
                invited_email=data["invited_email"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã lập giấy ủy quyền cho %(name)s đến ngày %(until)s.")
                % {
                    "name": authorisation.full_name,
                    "until": authorisation.valid_until.strftime("%d/%m/%Y"),
                },
            )
            return redirect("accounts:authorisations")
    today = representation.today()
    given = list(Authorisation.objects.filter(principal=user).select_related("user"))
    received = list(
        Authorisation.objects.filter(bound_to(user)).select_related("principal")
        if user.kind == User.Kind.CITIZEN
        else []
    )
    for row in given + received:
        row.in_force = row.holds_on(today)
    memberships = [s.member for s in representation.standings(user) if s.member is not None]
    return render(
        request,
        "accounts/authorisations.html",
        {
            "form": form,
            "given": given,
            "received": received,
            "memberships": memberships,
            "invitations": members.invitations_for(user),
            "managed": representation.managed_organisations(user),
        },
        status=400 if form.errors else 200,
    )


@verified_login_required
@require_POST
def authorisation_revoke(request, authorisation_id):
    authorisation = get_object_or_404(
        Authorisation, pk=authorisation_id, principal_id=request.user.pk
    )
    members.authorisation_revoke(authorisation=authorisation, actor=request.user, request=request)
    messages.success(
        request,
        _("Đã thu hồi giấy ủy quyền cho %(name)s.") % {"name": authorisation.full_name},
    )
    return redirect("accounts:authorisations")


@verified_login_required
def authorisation_document(request, authorisation_id):
    """The scanned letter, for its principal and its agent only."""
    authorisation = get_object_or_404(Authorisation, pk=authorisation_id)
    user = request.user
    # The agent while the letter is in force; the principal always.
    is_agent = Authorisation.objects.filter(
        bound_to(user) & in_force(), pk=authorisation.pk
    ).exists()
    if not authorisation.document or (authorisation.principal_id != user.pk and not is_agent):
        raise Http404
    return stored_file(
        authorisation.document,
        content_type=authorisation.document_type,
        filename=authorisation.document_name,
    )


@verified_login_required
@require_POST
def invitation_accept(request, kind, grant_id):
    model = {"member": OrganisationMember, "authorisation": Authorisation}.get(kind)
    if model is None:
        raise Http404
    grant = get_object_or_404(model, pk=grant_id, user__isnull=True)
    try:
        members.invitation_accept(grant=grant, user=request.user, request=request)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã nhận lời. Hồ sơ liên quan có trong “Hồ sơ của tôi”."))
    return redirect("accounts:authorisations")
