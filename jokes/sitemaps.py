from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from portal.prepared import prepared
from portal.sitemap_pages import IdRangeSitemap, ListedSitemap

from .models import Category, Joke


class JokeSitemap(IdRangeSitemap):
    model = Joke
    changefreq = "monthly"

    def items(self):
        return Joke.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, joke):
        return joke.updated_at


class CategorySitemap(ListedSitemap):
    changefreq = "daily"

    def listed(self):
        return categories_in_sitemap(now=timezone.now())

    def lastmod(self, category):
        return category.last_change


@prepared(plan_once=True)
def categories_in_sitemap(now: datetime):
    """The categories with a published joke, each with its `last_change`."""
    published = Joke.objects.published(now).filter(category=OuterRef("pk"))
    # A category's page changes when a joke appears in it: the newest one's time.
    newest = published.order_by("-published_at", "-pk").values("updated_at")[:1]
    return (
        Category.objects.filter(Exists(published))
        .annotate(last_change=Subquery(newest))
        .order_by("name")
    )
