from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("submit/joke/", views.submit_joke, name="submit-joke"),
    path("submit/article/", views.submit_article, name="submit-article"),
    path("submit/status/<str:token>/", views.submission_status, name="submission-status"),
]
