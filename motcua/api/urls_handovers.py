"""API routes: liên thông between MotCua installations (decision 0071)."""

from django.urls import path

from motcua.api import views_handovers as views

urlpatterns = [
    path("handovers/", views.HandoverView.as_view(), name="api-handovers"),
    path("handovers/callback/", views.CallbackView.as_view(), name="api-handover-callback"),
    path("handovers/<uuid:key>/cancel/", views.CancelView.as_view(), name="api-handover-cancel"),
    # The lead officer's download (a page's session, not an API token): not in the schema.
    path("handovers/<uuid:key>/result/", views.result_file, name="api-handover-result"),
]
