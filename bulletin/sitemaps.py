from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from .models import Article, Section


class ArticleSitemap(Sitemap):
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
        return (
            Section.objects.filter(Exists(published))
            .annotate(last_change=Max("articles__updated_at"))
            .order_by("position", "name")
        )

    def lastmod(self, section):
        return section.last_change
