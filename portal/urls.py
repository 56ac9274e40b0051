from django.urls import path

from bulletin import converters  # noqa: F401 - registers the path converters

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("favicon.ico", views.favicon),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("submit/joke/", views.submit_joke, name="submit-joke"),
    path("submit/article/", views.submit_article, name="submit-article"),
    path(
        "submit/status/<token:token>/",
        views.submission_status,
        name="submission-status",
    ),
]
