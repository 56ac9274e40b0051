from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from .models import Category, Joke


class JokeSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Joke.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, joke):
        return joke.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        published = Joke.objects.published().filter(category=OuterRef("pk"))
        return (
            Category.objects.filter(Exists(published))
            .annotate(last_change=Max("jokes__updated_at"))
            .order_by("name")
        )

    def lastmod(self, category):
        return category.last_change
