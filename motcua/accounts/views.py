from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from motcua.accounts import forms, services
from motcua.core.audit import record_audit


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_applicant(
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
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            login(request, user)
            messages.success(
                request,
                _("Đã tạo tài khoản. Chúng tôi vừa gửi mã xác thực đến %(email)s.")
                % {"email": user.email},
            )
            return redirect(_with_next("accounts:verify", next_url))
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


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
                    "Vui lòng thử lại sau %(minutes)d phút, hoặc đặt lại mật khẩu."
                )
                % {"minutes": locked.minutes},
            )
        else:
            if user is None:
                form.add_error(None, _("Thư điện tử, số điện thoại hoặc mật khẩu không đúng."))
            else:
                login(request, user)
                record_audit(action="login", actor=user, target=f"user:{user.pk}", request=request)
                if services.user_must_verify(user):
                    return redirect(_with_next("accounts:verify", next_url))
                return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        user = request.user
        record_audit(action="logout", actor=user, target=f"user:{user.pk}", request=request)
    logout(request)
    messages.info(request, _("Quý vị đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
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
    return render(request, "accounts/profile.html", {"form": form})


class _RequestOnFormMixin:
    """Give the form the request, for the audit row of services.set_password."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.request = self.request
        return form


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
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("Quên mật khẩu")

    def form_valid(self, form):
        # Over the limit, answer as usual but send nothing: no mail bombing, no account probing.
        if not services.password_reset_allowed(request=self.request):
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(_RequestOnFormMixin, auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
