from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from bulletin import converters  # noqa: F401 - registers the path converters

from . import views
from .sitemaps import SITEMAPS

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "portal:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("tags/<uslug:slug>/jokes/", views.TagJokesView.as_view(), name="tag-jokes"),
    path("submit/joke/", views.submit_joke, name="submit-joke"),
    path("submit/article/", views.submit_article, name="submit-article"),
    path(
        "submit/status/<token:token>/",
        views.submission_status,
        name="submission-status",
    ),
]
