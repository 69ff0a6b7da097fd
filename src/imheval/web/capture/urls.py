"""The questionnaire's addresses, all under the collection's link /q/<token>/."""

from django.urls import path

from imheval.web.capture import views

app_name = "capture"

urlpatterns = [
    path("<str:token>/", views.start, name="start"),
    path("<str:token>/no-thank-you/", views.declined, name="declined"),
    path("<str:token>/carry-on/", views.resume, name="resume"),
    path("<str:token>/someone-else/", views.someone_else, name="someone_else"),
    path("<str:token>/code/", views.code, name="code"),
    path("<str:token>/about-you/", views.about_you, name="about_you"),
    path("<str:token>/questions/<int:number>/", views.questions, name="questions"),
    path("<str:token>/check/", views.check, name="check"),
    path("<str:token>/thank-you/", views.thanks, name="thanks"),
]
