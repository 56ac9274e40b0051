from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Subquery

from portal.sitemap_pages import IdRangeSitemap

from .models import Article, Section


class ArticleSitemap(IdRangeSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.published()
            .select_related("section")
            .only("slug", "updated_at", "section__slug")
            .order_by("pk")
        )

    def lastmod(self, article):
        return article.updated_at


class SectionSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published().filter(section=OuterRef("pk"))
        # A section's page changes when an article appears in it: the newest one's
        # time, read from the section's listing index.
        newest = published.order_by("-publish_at", "-pk").values("updated_at")[:1]
        return (
            Section.objects.filter(Exists(published))
            .annotate(last_change=Subquery(newest))
            .order_by("position", "name")
        )

    def lastmod(self, section):
        return section.last_change
