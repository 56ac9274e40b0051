from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from portal.prepared import prepared
from portal.sitemap_pages import IdRangeSitemap, ListedSitemap

from .models import Article, Section


class ArticleSitemap(IdRangeSitemap):
    model = Article
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


class SectionSitemap(ListedSitemap):
    changefreq = "daily"

    def listed(self):
        return sections_in_sitemap(now=timezone.now())

    def lastmod(self, section):
        return section.last_change


@prepared(plan_once=True)
def sections_in_sitemap(now: datetime):
    """The sections with something published, each with its `last_change`."""
    published = Article.objects.published(now).filter(section=OuterRef("pk"))
    # A section's page changes when an article appears in it: the newest one's time,
    # read from the section's listing index.
    newest = published.order_by("-publish_at", "-pk").values("updated_at")[:1]
    return (
        Section.objects.filter(Exists(published))
        .annotate(last_change=Subquery(newest))
        .order_by("position", "name")
    )
