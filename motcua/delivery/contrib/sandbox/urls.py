from django.urls import path

from motcua.delivery.contrib.sandbox import views

app_name = "postal_sandbox"
urlpatterns = [
    path("", views.post_office, name="post_office"),
    path("api/order/createOrder", views.create_order, name="create_order"),
    path("api/order/tracking", views.tracking, name="tracking"),
    path("parcels/<slug:tracking_number>/", views.move, name="move"),
]
