"""API routes: webhook subscriptions, deliveries and replays (decision 0070)."""

from django.urls import path

from motcua.api import views_webhooks as views

urlpatterns = [
    path("webhooks/", views.SubscriptionList.as_view(), name="api-webhooks"),
    path("webhooks/event-types/", views.EventTypes.as_view(), name="api-webhook-event-types"),
    path("webhooks/<int:pk>/", views.SubscriptionDetail.as_view(), name="api-webhook"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        views.RotateSecret.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path(
        "webhooks/<int:pk>/deliveries/",
        views.SubscriptionDeliveries.as_view(),
        name="api-webhook-deliveries",
    ),
    path("webhooks/<int:pk>/replay/", views.ReplaySince.as_view(), name="api-webhook-replay"),
    path(
        "webhook-deliveries/<int:pk>/",
        views.DeliveryDetail.as_view(),
        name="api-webhook-delivery",
    ),
    path(
        "webhook-deliveries/<int:pk>/replay/",
        views.ReplayDelivery.as_view(),
        name="api-webhook-delivery-replay",
    ),
]
