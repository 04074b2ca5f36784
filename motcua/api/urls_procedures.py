"""API routes: the catalogue, the working-day calendar and the statistics (decision 0068)."""

from django.urls import path

from motcua.api import views_catalogue as views

urlpatterns = [
    path("procedures/", views.ProcedureList.as_view(), name="api-procedures"),
    path("procedures/<str:code>/", views.ProcedureDetail.as_view(), name="api-procedure"),
    path("calendar/", views.Calendar.as_view(), name="api-calendar"),
    path("calendar/add/", views.Deadline.as_view(), name="api-calendar-add"),
    path("statistics/", views.Statistics.as_view(), name="api-statistics"),
]
