from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Subquery

from portal.sitemap_pages import IdRangeSitemap

from .models import Category, Joke


class JokeSitemap(IdRangeSitemap):
    changefreq = "monthly"

    def items(self):
        return Joke.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, joke):
        return joke.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        published = Joke.objects.published().filter(category=OuterRef("pk"))
        # A category's page changes when a joke appears in it: the newest one's time.
        newest = published.order_by("-published_at", "-pk").values("updated_at")[:1]
        return (
            Category.objects.filter(Exists(published))
            .annotate(last_change=Subquery(newest))
            .order_by("name")
        )

    def lastmod(self, category):
        return category.last_change
