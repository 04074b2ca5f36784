from django.urls import path

from motcua.delivery import views

app_name = "delivery"
urlpatterns = [
    path("delivery/callback/<slug:carrier_id>/", views.carrier_callback, name="callback"),
    # Carriers keep the webhook address they were given and follow no redirect (decision 0019).
    path(
        "buu-chinh/callback/<slug:carrier_id>/",
        views.carrier_callback,
        name="callback_old_path",
    ),
]
