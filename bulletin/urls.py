from django.urls import path, register_converter

from . import views


class UnicodeSlugConverter:
    """Like the built-in `slug`, but letters of any script (Chinese titles, ...)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearConverter:
    """Four-digit years only: beyond 9999 date arithmetic overflows."""

    regex = r"[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class MonthConverter(YearConverter):
    regex = r"0?[1-9]|1[0-2]"

    def to_url(self, value):
        return f"{value:02d}"


register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")

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
    path("preview/<str:token>/", views.PreviewLinkView.as_view(), name="article-preview"),
    path("<uslug:section>/", views.SectionDetailView.as_view(), name="section-detail"),
    path("<uslug:section>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
]
