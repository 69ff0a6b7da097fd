from django.contrib.auth import views as auth_views
from django.urls import path

from imheval.web.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("privacy/", views.privacy, name="privacy"),
    path("account/password/", views.password_change, name="password_change"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("password-reset/<str:token>/", views.password_reset, name="password_reset"),
]
