from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self):
        from motcua.dossiers import subscribers  # noqa: F401 - registers them, once apps are loaded
