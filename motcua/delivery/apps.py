from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.delivery import carriers


class DeliveryConfig(AppConfig):
    name = "motcua.delivery"
    verbose_name = _("Trả kết quả qua bưu chính")

    def ready(self):
        from motcua.delivery import retention  # noqa: F401 - registers its purger

        carriers.carriers.load(settings.POSTAL_PLUGINS)
