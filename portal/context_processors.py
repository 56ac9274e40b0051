from django.conf import settings
from django.db.models import Exists, OuterRef

from bulletin.models import Article, Section


def site(request):
    """The site's name and, for the header, the sections that have something
    published (a lazy query: pages that do not show the header do not run it)."""
    published = Article.objects.published().filter(section=OuterRef("pk"))
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": Section.objects.filter(Exists(published)).only("name", "slug"),
    }
