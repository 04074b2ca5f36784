from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self):
        # Models (and the modules that import them) load once the app registry is ready.
        from motcua.accounts.models import Membership, Unit
        from motcua.dossiers import (
            access,
            panels,  # noqa: F401 - registers them
            retention,  # noqa: F401 - registers its purger
            subscribers,  # noqa: F401 - registers them
        )

        # Officers' memberships are cached per user (access.memberships).
        for model, receiver in (
            (Membership, access.membership_changed),
            (Unit, access.unit_changed),
        ):
            label = model._meta.model_name
            post_save.connect(receiver, sender=model, dispatch_uid=f"access-{label}-saved")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"access-{label}-deleted")
