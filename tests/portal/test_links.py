"""Addresses built without reverse() (portal/links.py) are the ones reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from portal import links
from tests.factories import ArticleFactory, CategoryFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db

SLUGS = ["news", "ünïcode-nachrichten", "书法", "a_b-c9", "ça-va", "ελληνικά"]


@pytest.mark.parametrize("slug", SLUGS)
def test_articles_and_sections(slug):
    section = SectionFactory(slug=slug)
    article = ArticleFactory(section=section, slug=f"{slug}-2")
    assert section.get_absolute_url() == reverse(
        "bulletin:section-detail", kwargs={"section": slug}
    )
    assert article.get_absolute_url() == reverse(
        "bulletin:article-detail", kwargs={"section": slug, "slug": f"{slug}-2"}
    )
    assert CategoryFactory(slug=slug).get_absolute_url() == reverse(
        "jokes:category-detail", kwargs={"slug": slug}
    )


def test_jokes():
    for joke in JokeFactory.create_batch(3):
        assert joke.get_absolute_url() == reverse("jokes:joke-detail", kwargs={"pk": joke.pk})
        assert joke.get_vote_url() == reverse("jokes:joke-vote", kwargs={"pk": joke.pk})
    try:
        set_script_prefix("/site/")
        assert joke.get_vote_url() == f"/site/jokes/{joke.pk}/vote/"
    finally:
        set_script_prefix("/")


def test_under_a_script_prefix():
    """Behind a proxy that mounts the site under a path, each prefix has its own."""
    section = SectionFactory(slug="news")
    try:
        set_script_prefix("/site/")
        assert section.get_absolute_url() == "/site/bulletin/news/"
        assert links.reversed_url("portal:home") == "/site/"
    finally:
        set_script_prefix("/")
    assert section.get_absolute_url() == "/bulletin/news/"
