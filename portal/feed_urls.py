from django.urls import path

from bulletin import converters  # noqa: F401 - registers the path converters
from bulletin.feeds import (
    LatestHeadlinesAtomFeed,
    LatestHeadlinesFeed,
    SectionAtomFeed,
    SectionFeed,
)
from jokes.feeds import CategoryAtomFeed, CategoryFeed, LatestJokesAtomFeed, LatestJokesFeed

from .feeds import TagAtomFeed, TagFeed

app_name = "feeds"
urlpatterns = [
    path("headlines/", LatestHeadlinesFeed(), name="headlines"),
    path("headlines/atom/", LatestHeadlinesAtomFeed(), name="headlines-atom"),
    path("sections/<uslug:section>/", SectionFeed(), name="section"),
    path("sections/<uslug:section>/atom/", SectionAtomFeed(), name="section-atom"),
    path("jokes/", LatestJokesFeed(), name="jokes"),
    path("jokes/atom/", LatestJokesAtomFeed(), name="jokes-atom"),
    path("categories/<uslug:slug>/", CategoryFeed(), name="category"),
    path("categories/<uslug:slug>/atom/", CategoryAtomFeed(), name="category-atom"),
    path("tags/<uslug:slug>/", TagFeed(), name="tag"),
    path("tags/<uslug:slug>/atom/", TagAtomFeed(), name="tag-atom"),
]
