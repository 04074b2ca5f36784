from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "motcua.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục thủ tục hành chính"
