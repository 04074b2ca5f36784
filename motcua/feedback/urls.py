from django.urls import path

from motcua.feedback import views_petitions

app_name = "feedback"

urlpatterns: list = [
    # Feedback and petitions (phản ánh, kiến nghị)
    path("feedback/new/", views_petitions.petition_new, name="petition_new"),
    path("feedback/new/verify/", views_petitions.petition_verify, name="petition_verify"),
    path("feedback/track/", views_petitions.petition_track, name="petition_track"),
    path(
        "feedback/track/<str:code>/",
        views_petitions.petition_track_detail,
        name="petition_track_detail",
    ),
    path("feedback/mine/", views_petitions.petition_mine, name="petition_mine"),
    path("feedback/answers/", views_petitions.answers, name="petition_answers"),
    path("officer/feedback/", views_petitions.officer_petitions, name="officer_petitions"),
    path("officer/feedback/<str:code>/", views_petitions.officer_petition, name="officer_petition"),
]
