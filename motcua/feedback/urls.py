from django.urls import path

from motcua.feedback import views_petitions, views_questions, views_ratings

app_name = "feedback"

urlpatterns: list = [
    # Ratings of dossiers (decision 0045)
    path("dossiers/<uuid:dossier_uuid>/rating/", views_ratings.rate, name="rate"),
    path("officer/ratings/", views_ratings.officer_ratings, name="officer_ratings"),
    # Questions on procedures (decision 0046)
    path(
        "procedures/<str:code>/questions/",
        views_questions.procedure_questions,
        name="procedure_questions",
    ),
    path("questions/", views_questions.search, name="questions"),
    path("officer/questions/", views_questions.officer_questions, name="officer_questions"),
    path(
        "officer/questions/<int:question_id>/",
        views_questions.officer_question,
        name="officer_question",
    ),
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
