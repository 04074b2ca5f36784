from django.urls import path

from motcua.accounts.contrib.vneid_sandbox import views

app_name = "vneid_sandbox"
urlpatterns = [
    path(".well-known/openid-configuration", views.configuration, name="configuration"),
    path("authorize/", views.authorize, name="authorize"),
    path("token/", views.token, name="token"),
    path("userinfo/", views.userinfo, name="userinfo"),
    path("jwks/", views.jwks, name="jwks"),
    path("logout/", views.end_session, name="end_session"),
]
