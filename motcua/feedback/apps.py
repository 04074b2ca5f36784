from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """What the public tells the agencies: ratings of dossiers (D61 art.31), feedback and
    petitions (phản ánh, kiến nghị), and questions on procedures."""

    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Đánh giá, phản ánh, kiến nghị"

    def ready(self):
        from motcua.feedback import (
            panels,  # noqa: F401 - registers the page panels, once apps are loaded
            panels_petitions,  # noqa: F401 - the petition links
            retention,  # noqa: F401 - registers its purger
        )
