from django.urls import path, register_converter

from . import views


class IdConverter:
    """Database ids: at most 18 digits, so a huge number is a 404, not an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class UnicodeSlugConverter:
    """Slugs in any script; anything else (a NUL byte, punctuation) is a 404, not a query."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(IdConverter, "id")
register_converter(UnicodeSlugConverter, "jokes-slug")

app_name = "jokes"
urlpatterns = [
    path("", views.JokeListView.as_view(), name="joke-list"),
    path("top/", views.TopJokeListView.as_view(), name="joke-top"),
    path("random/", views.random_joke, name="joke-random"),
    path("safe-mode/", views.toggle_safe_mode, name="safe-mode"),
    path("category/<jokes-slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("<id:pk>/", views.JokeDetailView.as_view(), name="joke-detail"),
    path("<id:pk>/vote/", views.vote, name="joke-vote"),
    path("<id:pk>/report/", views.report, name="joke-report"),
]
