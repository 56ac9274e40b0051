from django.conf import settings

from bulletin.models import Section


def site(request):
    """The site's name and its sections for the header navigation (lazily queried)."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": Section.objects.only("name", "slug"),
    }
