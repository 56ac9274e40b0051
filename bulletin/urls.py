from django.urls import path

from . import converters, views  # noqa: F401 - converters registers the path converters

app_name = "bulletin"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article-list"),
    path("archive/", views.ArticleArchiveIndexView.as_view(), name="archive-index"),
    path("archive/<year:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<year:year>/<month:month>/",
        views.ArticleMonthArchiveView.as_view(),
        name="archive-month",
    ),
    path("preview/<token:token>/", views.PreviewLinkView.as_view(), name="article-preview"),
    path("<uslug:section>/", views.SectionDetailView.as_view(), name="section-detail"),
    path("<uslug:section>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
]
