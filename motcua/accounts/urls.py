from django.urls import path

from motcua.accounts import identity_views, views, views_representation

app_name = "accounts"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("verify/", views.verify, name="verify"),
    path("verify/resend/", views.verify_resend, name="verify_resend"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        views.two_factor_regenerate,
        name="two_factor_regenerate",
    ),
    path("profile/", views.profile, name="profile"),
    # Sign-in with VNeID (docs/identity.md).
    path("vneid/login/", identity_views.vneid_login, name="vneid_login"),
    path("vneid/callback/", identity_views.vneid_callback, name="vneid_callback"),
    path("vneid/continue/", identity_views.vneid_continue, name="vneid_continue"),
    path("vneid/logged-out/", identity_views.vneid_logged_out, name="vneid_logged_out"),
    path("organisation/members/", views_representation.members_page, name="members"),
    path(
        "organisation/members/<int:member_id>/",
        views_representation.member_change,
        name="member_change",
    ),
    path(
        "organisation/members/<int:member_id>/end/",
        views_representation.member_end,
        name="member_end",
    ),
    path("authorisations/", views_representation.authorisations_page, name="authorisations"),
    path(
        "authorisations/<int:authorisation_id>/revoke/",
        views_representation.authorisation_revoke,
        name="authorisation_revoke",
    ),
    path(
        "authorisations/<int:authorisation_id>/document/",
        views_representation.authorisation_document,
        name="authorisation_document",
    ),
    path(
        "invitations/<str:kind>/<int:grant_id>/accept/",
        views_representation.invitation_accept,
        name="invitation_accept",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
