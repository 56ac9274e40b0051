"""The sitemap: an index of one sitemap per kind, each split into pages when large."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from taggit.models import Tag

from bulletin import models as articles
from bulletin.models import TaggedArticle
from bulletin.sitemaps import ArticleSitemap, SectionSitemap
from jokes import models as jokes
from jokes.models import TaggedJoke
from jokes.sitemaps import CategorySitemap, JokeSitemap


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "portal:home",
            "bulletin:article-list",
            "bulletin:archive-index",
            "jokes:joke-list",
            "jokes:joke-top",
        ]

    def location(self, name):
        return reverse(name)


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        # Per tag: its taggings, each joined to its article or joke until a published
        # one is found (the first, nearly always), whatever the archive's size.
        published_articles = TaggedArticle.objects.filter(
            articles.published_q(prefix="content_object__"), tag=OuterRef("pk")
        )
        # Safe jokes only: a crawler is in safe mode, where a tag of flagged jokes
        # alone is a 404.
        published_jokes = TaggedJoke.objects.filter(
            jokes.published_q(prefix="content_object__", safe=True), tag=OuterRef("pk")
        )
        return Tag.objects.filter(
            Q(Exists(published_articles)) | Q(Exists(published_jokes))
        ).order_by("pk")

    def location(self, tag):
        return reverse("portal:tag-detail", kwargs={"slug": tag.slug})


SITEMAPS = {
    "pages": StaticSitemap,
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "jokes": JokeSitemap,
    "tags": TagSitemap,
}
