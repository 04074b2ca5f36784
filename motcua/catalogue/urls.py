from django.urls import path

from motcua.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.procedure_list, name="list"),
    path("procedures/<str:code>/", views.procedure_detail, name="detail"),
]
