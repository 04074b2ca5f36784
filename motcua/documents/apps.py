from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Giấy tờ, biểu mẫu"

    def ready(self):
        from motcua.documents import retention  # noqa: F401 - registers its purger
