from django.urls import path

from motcua.core import bench_views

urlpatterns = [
    path("json", bench_views.trivial_json),
    path("insert", bench_views.one_insert_one_select),
]
