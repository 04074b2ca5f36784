from django.urls import path

from motcua.delivery import views

app_name = "delivery"
urlpatterns = [
    path("buu-chinh/callback/<slug:carrier_id>/", views.carrier_callback, name="callback"),
]
