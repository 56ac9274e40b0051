from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext

from bulletin.models import Article, Section
from jokes.models import Category

from . import pagecache


def site(request):
    """The site's name and, for the header, the sections that have something
    published (lazy: pages that do not show the header do not look them up)."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(header_sections),
        "vote_labels": vote_labels(get_language()),
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


@lru_cache(maxsize=64)
def vote_labels(language):  # language: part of the key only
    """The words of a vote form (includes/jokes.html), translated once per language:
    a list of twenty jokes asks for each of them twenty times. Attributes, not a lazy
    dict: Jinja looks a name up as an attribute first, and a dict's miss raised and
    caught an exception for every word of every form."""
    return SimpleNamespace(
        up=gettext("Vote up"),
        up_title=gettext("Funny: vote up (press again to take it back)"),
        down=gettext("Vote down"),
        down_title=gettext("Not funny: vote down (press again to take it back)"),
        score=gettext("Score"),
    )


@receiver(setting_changed)
def forget_vote_labels(setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        vote_labels.cache_clear()
