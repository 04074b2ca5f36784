"""Sign-in with a national identity provider (VNeID): the redirect there, the return, the
choice between a new account and linking an existing one, and the end of the provider's
session at logout (docs/identity.md)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from motcua.accounts import identity, linking
from motcua.accounts.identity import IdentityError, SignInResult, VerifiedIdentity
from motcua.accounts.models import User
from motcua.core.audit import record_audit

VNEID = "vneid"
BACKEND = "motcua.accounts.backends.EmailOrPhoneBackend"
# Where the person was going, kept while they are at the provider.
NEXT_KEY = "identity_next"
# An identity verified by the provider, not yet tied to an account: {"identity", "at", ...}.
PENDING_KEY = "identity_pending"
# The session was opened with the provider: which, at which level, and the ID token to name
# when ending the provider's session at logout.
PROVIDER_KEY = "identity_provider"
ASSURANCE_KEY = "identity_assurance"
LOGOUT_HINT_KEY = "identity_logout_hint"


def _error_message(error: IdentityError) -> str:
    return {
        "unavailable": _(
            "Không kết nối được với VNeID. Vui lòng thử lại sau ít phút, hoặc đăng nhập bằng "
            "thư điện tử hoặc số điện thoại và mật khẩu."
        ),
        "denied": _("Quý vị chưa đồng ý đăng nhập bằng VNeID nên chưa đăng nhập."),
        "state": _(
            "Phiên đăng nhập bằng VNeID không hợp lệ hoặc đã hết hạn. Vui lòng bấm lại nút "
            "đăng nhập bằng VNeID."
        ),
    }.get(
        error.code,
        _("VNeID trả về thông tin không hợp lệ nên chưa thể đăng nhập. Vui lòng thử lại."),
    )


def _provider(provider_id: str) -> identity.BaseProvider:
    provider = identity.active(provider_id)
    if provider is None:
        raise Http404
    return provider


def _absolute(view_name: str) -> str:
    return f"{settings.SITE_URL}{reverse(view_name)}"


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _failed(request, error_message: str, *, code: str, provider_id: str):
    """Back to where the person came from with the message; nobody is signed in."""
    record_audit(
        action="identity_sign_in_failed",
        actor=request.user,
        target=provider_id,
        request=request,
        reason=code,
    )
    messages.error(request, error_message)
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    return redirect("accounts:login")


def _remember_provider_session(request, provider_id: str, result_or_pending) -> None:
    if isinstance(result_or_pending, SignInResult):
        assurance, hint = result_or_pending.identity.assurance, result_or_pending.logout_hint
    else:
        assurance, hint = result_or_pending["identity"]["assurance"], result_or_pending["hint"]
    request.session[PROVIDER_KEY] = provider_id
    request.session[ASSURANCE_KEY] = assurance
    request.session[LOGOUT_HINT_KEY] = hint


def _sign_in(request, user: User, provider_id: str, result_or_pending, next_url: str = ""):
    login(request, user, backend=BACKEND)
    _remember_provider_session(request, provider_id, result_or_pending)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@never_cache
def vneid_login(request):
    """Send the browser to VNeID (also from the profile page, to link a signed-in account)."""
    provider = _provider(VNEID)
    if request.user.is_authenticated and not request.user.is_applicant:
        messages.error(request, linking.officer_refusal().message)
        return redirect("accounts:profile")
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    try:
        return provider.start(request, redirect_uri=_absolute("accounts:vneid_callback"))
    except IdentityError as error:
        return _failed(request, _error_message(error), code=error.code, provider_id=VNEID)


@never_cache
def vneid_callback(request):
    provider = _provider(VNEID)
    try:
        result = provider.finish(request)
    except IdentityError as error:
        return _failed(request, _error_message(error), code=error.code, provider_id=VNEID)
    verified = result.identity
    next_url = _safe_next(request, request.session.pop(NEXT_KEY, ""))
    user = request.user if request.user.is_authenticated else None
    link = linking.find_link(verified)
    try:
        if user is not None and not user.is_applicant:
            raise linking.officer_refusal()
        if link is not None:
            if user is not None and link.user_id != user.pk:
                raise linking.LinkRefused(
                    _("Tài khoản VNeID này đã liên kết với một tài khoản MotCua khác."),
                    "subject_taken",
                )
            account = linking.record_sign_in(link=link, identity=verified, request=request)
            if user is None:
                return _sign_in(request, account, VNEID, result, next_url)
            _remember_provider_session(request, VNEID, result)
            messages.info(request, _("Tài khoản đã liên kết với VNeID từ trước."))
            return redirect(next_url or "accounts:profile")
        if user is not None:
            linking.link_identity(user=user, identity=verified, request=request)
            _remember_provider_session(request, VNEID, result)
            messages.success(request, _("Đã liên kết tài khoản với VNeID."))
            return redirect(next_url or "accounts:profile")
    except linking.LinkRefused as refused:
        return _failed(request, refused.message, code=refused.code, provider_id=VNEID)
    request.session[PENDING_KEY] = {
        "identity": verified.to_session(),
        "hint": result.logout_hint,
        "next": next_url,
        "at": int(time.time()),
    }
    return redirect("accounts:vneid_continue")


def pending_identity(request) -> dict | None:
    """The identity waiting in the session for an account, if it is fresh enough."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > settings.VNEID_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return pending


@csrf_protect
@never_cache
def vneid_continue(request):
    """First sign-in with an identity no account has: a new account, or link an existing one."""
    pending = pending_identity(request)
    if pending is None:
        messages.error(
            request,
            _("Phiên đăng nhập bằng VNeID đã hết hạn. Vui lòng bấm lại nút đăng nhập bằng VNeID."),
        )
        return redirect("accounts:login")
    if request.user.is_authenticated:
        # Signed in meanwhile in another tab: nothing to choose.
        return redirect("accounts:profile")
    verified = VerifiedIdentity.from_session(pending["identity"])
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            try:
                user = linking.create_account(identity=verified, request=request)
            except linking.LinkRefused as refused:
                request.session.pop(PENDING_KEY, None)
                return _failed(request, refused.message, code=refused.code, provider_id=VNEID)
            request.session.pop(PENDING_KEY, None)
            messages.success(
                request,
                _(
                    "Đã tạo tài khoản từ thông tin VNeID. Họ và tên, số định danh cá nhân và "
                    "ngày sinh đã được xác thực."
                ),
            )
            return _sign_in(request, user, VNEID, pending, pending.get("next") or "")
        if action == "link":
            # Only now may a password login on this browser take the identity: someone who
            # leaves the choice page unanswered does not hand it to the next person to log in.
            pending["link"] = True
            request.session[PENDING_KEY] = pending
            messages.info(
                request,
                _(
                    "Đăng nhập tài khoản MotCua của quý vị; tài khoản sẽ được liên kết với VNeID "
                    "ngay sau khi đăng nhập."
                ),
            )
            return redirect("accounts:login")
        if action == "cancel":
            request.session.pop(PENDING_KEY, None)
            messages.info(request, _("Đã hủy đăng nhập bằng VNeID."))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/vneid_continue.html",
        {"identity": verified, "minutes": settings.VNEID_PENDING_SECONDS // 60},
    )


def complete_pending_link(request, user: User) -> None:
    """After a password login: link the identity waiting in the session to `user`, if any."""
    pending = pending_identity(request)
    if pending is None or not pending.get("link"):
        return
    request.session.pop(PENDING_KEY, None)
    verified = VerifiedIdentity.from_session(pending["identity"])
    try:
        linking.link_identity(
            user=user, identity=verified, request=request, typed_id_must_match=True
        )
    except linking.LinkRefused as refused:
        record_audit(
            action="identity_sign_in_failed",
            actor=user,
            target=VNEID,
            request=request,
            reason=refused.code,
        )
        messages.error(request, refused.message)
        return
    _remember_provider_session(request, VNEID, pending)
    messages.success(request, _("Đã liên kết tài khoản với VNeID."))


def pending_link_person(request) -> str:
    """Whose VNeID identity the person chose to link to the account they are about to log in
    to ("Nguyễn Minh Khoa, 0460*****567"), or "" when none waits: the login page names it,
    so that nobody links another person's identity to their account unawares."""
    pending = pending_identity(request)
    if not (pending and pending.get("link")):
        return ""
    verified = VerifiedIdentity.from_session(pending["identity"])
    masked = verified.citizen_id[:4] + "*****" + verified.citizen_id[-3:]
    return f"{verified.full_name}, {masked}" if verified.citizen_id else verified.full_name


def provider_logout(request, *, provider_id: str, hint: str):
    """After the local logout: the redirect ending the provider's session too, or None."""
    provider = identity.active(provider_id)
    if provider is None or not hint:
        return None
    try:
        return provider.logout_redirect(
            request,
            logout_hint=hint,
            post_logout_redirect_uri=_absolute("accounts:vneid_logged_out"),
        )
    except IdentityError:
        return None


@never_cache
def vneid_logged_out(request):
    """The provider sends the browser back here once its session ended."""
    provider = identity.active(VNEID)
    try:
        if provider is None:
            raise IdentityError("protocol", "VNeID is off")
        provider.finish_logout(request)
    except IdentityError:
        messages.info(request, _("Quý vị đã đăng xuất."))
    else:
        messages.info(request, _("Quý vị đã đăng xuất khỏi MotCua và VNeID."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
