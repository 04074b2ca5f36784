from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose default site also asks officers for their second factor."""

    default = False
    default_site = "motcua.accounts.admin_site.AdminSite"
