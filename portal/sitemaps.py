"""The sitemap: an index of one sitemap per kind, each split into pages when large."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from bulletin import models as articles
from bulletin.models import TaggedArticle
from bulletin.sitemaps import ArticleSitemap, SectionSitemap
from jokes import models as jokes
from jokes.models import TaggedJoke
from jokes.sitemaps import CategorySitemap, JokeSitemap
from portal.sitemap_pages import IdRangePagesSitemap, latest_change


class StaticSitemap(Sitemap):
    """The listing pages; each last changed when the newest change to what it lists
    (read through the updated_at indexes: two queries, whatever the archive)."""

    changefreq = "daily"
    LISTS = {
        "portal:home": (articles.Article, jokes.Joke),
        "bulletin:article-list": (articles.Article,),
        "bulletin:archive-index": (articles.Article,),
        "jokes:joke-list": (jokes.Joke,),
        "jokes:joke-top": (jokes.Joke,),
    }

    def items(self):
        return list(self.LISTS)

    def location(self, name):
        return reverse(name)

    @cached_property
    def latest(self):
        return {model: latest_change(model) for model in (articles.Article, jokes.Joke)}

    def lastmod(self, name):
        return max(filter(None, (self.latest[model] for model in self.LISTS[name])), default=None)


class TagSitemap(IdRangePagesSitemap):
    model = Tag
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
