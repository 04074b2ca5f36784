import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from motcua.accounts import forms, identity, identity_views, services, two_factor
from motcua.accounts.decorators import officer_required, verified_login_required
from motcua.accounts.models import User
from motcua.core import ratelimit
from motcua.core.audit import record_audit
from motcua.core.qr import qr_data_uri

# Between a correct password and a correct code the officer is not logged in yet: the
# session only remembers who they are, for this long.
PENDING_SESSION_KEY = "accounts_2fa_pending"
PENDING_SECONDS = 600
NEW_CODES_SESSION_KEY = "accounts_2fa_new_codes"


def _next_url(request) -> str:
    """The `next` parameter when it points at this site, else ''."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _posted(request):
    return request.POST if request.method == "POST" else None


def _with_next(view_name: str, next_url: str) -> str:
    url = reverse(view_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _home_url(user) -> str:
    if two_factor.is_officer(user):
        return settings.OFFICER_HOME_URL
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:profile")
    form = forms.RegistrationForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not services.registration_allowed(request=request):
            form.add_error(
                None,
                _(
                    "Đã có quá nhiều lượt đăng ký từ địa chỉ mạng của quý vị. "
                    "Vui lòng thử lại sau một giờ."
                ),
            )
            status = 429
        else:
            # The same answer whether the address or phone already had an account: the
            # mail says which (decision 26). So nobody is logged in here.
            services.register_applicant(
                kind=data["kind"],
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                phone=data["phone"],
                organisation_name=data["organisation_name"],
                tax_code=data["tax_code"],
                representative=data["representative"],
                request=request,
            )
            messages.success(
                request,
                _(
                    "Chúng tôi đã gửi thư đến %(email)s. Hãy làm theo hướng dẫn trong thư: "
                    "với tài khoản mới, đăng nhập bằng địa chỉ này và mật khẩu vừa đặt rồi "
                    "nhập mã xác thực trong thư."
                )
                % {"email": data["email"]},
            )
            return redirect(_with_next("accounts:login", next_url))
    return render(
        request, "accounts/register.html", {"form": form, "next": next_url}, status=status
    )


@login_required
@never_cache
def verify(request):
    next_url = _next_url(request)
    if not services.user_must_verify(request.user):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = forms.VerificationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_email(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _("Đã xác thực địa chỉ thư điện tử."))
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/verify.html",
        {
            "form": form,
            "next": next_url,
            "resend_wait": services.seconds_until_resend(user=request.user),
        },
    )


@require_POST
@login_required
def verify_resend(request):
    next_url = _next_url(request)
    if not services.user_must_verify(request.user):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    try:
        services.issue_verification_code(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Đã gửi mã xác thực mới đến %(email)s.") % {"email": request.user.email},
        )
    return redirect(_with_next("accounts:verify", next_url))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_url(request)
    form = forms.LoginForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.attempt_login(
                request=request,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
            )
        except services.LoginLocked as locked:
            form.add_error(
                None,
                _(
                    "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. "
                    "Vui lòng thử lại sau %(wait)s, hoặc đặt lại mật khẩu."
                )
                % {"wait": ratelimit.wait_text(locked.seconds)},
            )
        else:
            if user is None:
                form.add_error(None, _("Thư điện tử, số điện thoại hoặc mật khẩu không đúng."))
            elif two_factor.required_for(user):
                _begin_second_factor(request, user)
                return redirect(two_factor.challenge_url(user, next_url))
            else:
                login(request, user)
                record_audit(action="login", actor=user, target=f"user:{user.pk}", request=request)
                # Came from VNeID with an identity no account had: link it to this one.
                identity_views.complete_pending_link(request, user)
                user.refresh_from_db()
                if services.user_must_verify(user):
                    return redirect(_with_next("accounts:verify", next_url))
                return redirect(next_url or _home_url(user))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": next_url,
            "vneid": identity.active(identity_views.VNEID) is not None,
            "vneid_pending": identity_views.pending_link_person(request),
        },
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        user = request.user
        record_audit(action="logout", actor=user, target=f"user:{user.pk}", request=request)
    provider_id = request.session.get(identity_views.PROVIDER_KEY, "")
    hint = request.session.get(identity_views.LOGOUT_HINT_KEY, "")
    logout(request)
    # Signed in with VNeID: end the session there too (RP-initiated logout), then back home.
    if provider_id:
        response = identity_views.provider_logout(request, provider_id=provider_id, hint=hint)
        if response is not None:
            return response
    messages.info(request, _("Quý vị đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@verified_login_required
def profile(request):
    user = request.user
    form = forms.ProfileForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.update_profile(
                user=user,
                **{name: data[name] for name in services.PROFILE_FIELDS if name in data},
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("Đã lưu thông tin tài khoản."))
            else:
                messages.info(request, _("Không có thông tin nào thay đổi."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "vneid": identity.active(identity_views.VNEID) is not None,
            "vneid_linked": user.external_identities.filter(provider=identity_views.VNEID).exists(),
            "identity_note": forms.verified_identity_note(user),
        },
    )


class _RequestOnFormMixin:
    """Give the form the request, for the audit row of services.set_password."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.request = self.request
        return form


@method_decorator(verified_login_required, name="dispatch")
class PasswordChangeView(_RequestOnFormMixin, auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("Quên mật khẩu")

    def form_valid(self, form):
        # Over the limit, answer as usual but send nothing: no mail bombing, no account probing.
        if services.password_reset_allowed(request=self.request):
            form.save(request=self.request)  # the mail goes after commit, through the outbox
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(_RequestOnFormMixin, auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Second factor for officers (xác thực hai lớp) -----------------------------------------


def _begin_second_factor(request, user) -> None:
    """Remember the officer who gave a correct password; the code will complete the login."""
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": int(time.time()),
    }


def _pending_officer(request) -> User | None:
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(
        pk=pending.get("user"), kind=User.Kind.OFFICER, is_active=True
    ).first()


def _complete_second_factor(request, officer, device, *, method: str) -> None:
    """Log the officer in (if only the password was given so far) and mark the session verified."""
    if request.user.is_authenticated:
        record_audit(
            action="otp_verified",
            actor=officer,
            target=f"user:{officer.pk}",
            request=request,
            second_factor=method,
        )
    else:
        pending = request.session[PENDING_SESSION_KEY]
        login(request, officer, backend=pending.get("backend"))
        record_audit(
            action="login",
            actor=officer,
            target=f"user:{officer.pk}",
            request=request,
            second_factor=method,
        )
    request.session.pop(PENDING_SESSION_KEY, None)
    otp_login(request, device)


def _asks_for_code(view_func):
    """For the code pages: find the officer being asked (logged in, or past the password step).

    Anyone else is sent away: applicants never see these pages, and an officer who owes
    no code goes on to `next`. The view receives (request, officer, next_url).
    """

    @wraps(view_func)
    def wrapper(request):
        next_url = _next_url(request)
        user = request.user
        if user.is_authenticated:
            if not two_factor.is_officer(user):
                return redirect(next_url or _home_url(user))
            if not two_factor.owes_second_factor(user):
                return redirect(next_url or settings.OFFICER_HOME_URL)
            officer = user
        else:
            officer = _pending_officer(request)
            if officer is None:
                return redirect(_with_next("accounts:login", next_url))
        return view_func(request, officer, next_url)

    return sensitive_post_parameters("code", "recovery_code")(never_cache(wrapper))


def _locked_message(locked: services.LoginLocked) -> str:
    return _("Nhập sai mã quá nhiều lần nên tạm thời bị khóa. Vui lòng thử lại sau %(wait)s.") % {
        "wait": ratelimit.wait_text(locked.seconds)
    }


def _check_code(form, field: str, check):
    """Run `check(code)` for a valid form; the device, or None with the error on the form."""
    if not form.is_valid():
        return None
    try:
        return check(form.cleaned_data[field])
    except services.LoginLocked as locked:
        form.add_error(None, _locked_message(locked))
    except ValidationError as exc:
        form.add_error(field, exc)
    return None


@_asks_for_code
def two_factor_verify(request, officer, next_url):
    if two_factor.confirmed_totp_device(officer) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    posted = _posted(request)
    with_recovery = posted is not None and "recovery_code" in posted
    code_form = forms.TOTPCodeForm(None if with_recovery else posted)
    recovery_form = forms.RecoveryCodeForm(posted if with_recovery else None)
    if with_recovery:
        device = _check_code(
            recovery_form,
            "recovery_code",
            lambda code: two_factor.verify_recovery_code(user=officer, code=code, request=request),
        )
    else:
        device = _check_code(
            code_form, "code", lambda code: two_factor.verify_totp(user=officer, code=code)
        )
    if device is not None:
        _complete_second_factor(
            request, officer, device, method="recovery_code" if with_recovery else "totp"
        )
        if with_recovery:
            left = two_factor.recovery_codes_left(officer)
            messages.warning(
                request,
                ngettext(
                    "Quý vị đã dùng một mã khôi phục và còn %(left)d mã. "
                    "Hãy tạo bộ mã mới nếu sắp hết.",
                    "Quý vị đã dùng một mã khôi phục và còn %(left)d mã. "
                    "Hãy tạo bộ mã mới nếu sắp hết.",
                    left,
                )
                % {"left": left},
            )
        return redirect(next_url or settings.OFFICER_HOME_URL)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": recovery_form if with_recovery else code_form,
            "code_form": code_form,
            "recovery_form": recovery_form,
            "next": next_url,
        },
    )


@_asks_for_code
def two_factor_setup(request, officer, next_url):
    if two_factor.confirmed_totp_device(officer) is not None:
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    device = two_factor.unconfirmed_totp_device(officer)
    form = forms.TOTPCodeForm(_posted(request))
    codes = _check_code(
        form,
        "code",
        lambda code: two_factor.confirm_totp_device(
            user=officer, device=device, code=code, request=request
        ),
    )
    if codes:
        _complete_second_factor(request, officer, device, method="totp")
        request.session[NEW_CODES_SESSION_KEY] = codes
        messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản."))
        return redirect(_with_next("accounts:two_factor_recovery_codes", next_url))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": qr_data_uri(two_factor.otpauth_uri(device)),
            "secret": two_factor.secret_base32(device),
            "next": next_url,
        },
    )


@officer_required
@never_cache
def two_factor_recovery_codes(request):
    """The new recovery codes, once (they are taken out of the session), else how many are left."""
    next_url = _next_url(request)
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None) or []
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "codes": [two_factor.format_recovery_code(code) for code in codes],
            "codes_left": two_factor.recovery_codes_left(request.user),
            "next": next_url,
            "continue_url": next_url or settings.OFFICER_HOME_URL,
        },
    )


@officer_required
@sensitive_post_parameters("code")
@never_cache
def two_factor_regenerate(request):
    officer = request.user
    next_url = _next_url(request)
    if two_factor.confirmed_totp_device(officer) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = forms.TOTPCodeForm(_posted(request))
    codes = _check_code(
        form,
        "code",
        lambda code: two_factor.regenerate_recovery_codes(user=officer, code=code, request=request),
    )
    if codes:
        request.session[NEW_CODES_SESSION_KEY] = codes
        messages.success(request, _("Đã tạo bộ mã khôi phục mới; các mã cũ không còn dùng được."))
        return redirect(_with_next("accounts:two_factor_recovery_codes", next_url))
    return render(request, "accounts/two_factor_regenerate.html", {"form": form, "next": next_url})


def set_language(request):
    """Django's set_language, remembering the choice on the account of a logged-in user: the
    notifications they are sent are written in it (notifications.render)."""
    from django.utils.translation import check_for_language
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    code = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and code in dict(settings.LANGUAGES)
        and check_for_language(code)
        and request.user.language != code
    ):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response
