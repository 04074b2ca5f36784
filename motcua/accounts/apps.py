from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    default = True
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        # Models (and the modules that import them) load once the app registry is ready.
        from django.apps import apps
        from django_otp.models import Device

        from motcua.accounts import identity
        from motcua.accounts.backends import forget_session_user
        from motcua.accounts.members import bind_on_sign_in
        from motcua.accounts.middleware import forget_device
        from motcua.accounts.models import User

        # The session's user is cached per id (EmailOrPhoneBackend.get_user).
        post_save.connect(forget_session_user, sender=User, dispatch_uid="session-user-saved")
        post_delete.connect(forget_session_user, sender=User, dispatch_uid="session-user-deleted")
        # Whatever signed the person in (password, VNeID), grants waiting for the ID number
        # an identity provider vouched for are bound to the account (decision 0076).
        user_logged_in.connect(bind_on_sign_in, dispatch_uid="bind-grants-on-sign-in")
        # A session's confirmed second-factor device is cached (middleware._confirmed_device).
        for model in apps.get_models():
            if issubclass(model, Device):
                label = model._meta.label_lower
                post_save.connect(forget_device, sender=model, dispatch_uid=f"otp-{label}-saved")
                post_delete.connect(
                    forget_device, sender=model, dispatch_uid=f"otp-{label}-deleted"
                )
        # Sign-in providers (VNeID): each plugin module registers itself.
        identity.registry.load(settings.IDENTITY_PROVIDER_PLUGINS)
        identity.registry.register_check(
            active_setting="IDENTITY_PROVIDERS",
            plugins_setting="IDENTITY_PROVIDER_PLUGINS",
            check_id="accounts",
        )


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose default site also asks officers for their second factor."""

    default = False
    default_site = "motcua.accounts.admin_site.AdminSite"
