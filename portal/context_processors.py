from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from bulletin.models import Article, Section
from jokes.models import Category

from . import pagecache


def site(request):
    """The site's name and, for the header, the sections that have something
    published (lazy: pages that do not show the header do not look them up)."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(header_sections),
        "vote_labels": SimpleLazyObject(vote_labels),
    }


def header_sections():
    """The same on every page: read from the cache (pagecache.shared), not the database,
    while no content has changed. On an article's page the query and the building of it
    had been a seventh of the time."""
    return pagecache.shared("header-sections", sections_with_something_published)


def sections_with_something_published():
    published = Article.objects.published().filter(section=OuterRef("pk"))
    return list(Section.objects.filter(Exists(published)).only("name", "slug"))


def joke_categories():
    """Every joke category, for the jokes' menu and the search form: from the cache
    while no content has changed, like the header's sections."""
    return pagecache.shared("joke-categories", lambda: list(Category.objects.only("name", "slug")))


def vote_labels():
    """The words of a vote form (includes/vote_form.html), translated once a page:
    a list of twenty jokes asked for each of them twenty times."""
    return {
        "up": gettext("Vote up"),
        "up_title": gettext("Funny: vote up (press again to take it back)"),
        "down": gettext("Vote down"),
        "down_title": gettext("Not funny: vote down (press again to take it back)"),
        "score": gettext("Score"),
    }
