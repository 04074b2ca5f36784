from django.urls import path

from motcua.feedback import views_questions, views_ratings

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
]
