from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from bulletin.models import Article, Section


def site(request):
    """The site's name and, for the header, the sections that have something
    published (a lazy query: pages that do not show the header do not run it)."""
    published = Article.objects.published().filter(section=OuterRef("pk"))
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": Section.objects.filter(Exists(published)).only("name", "slug"),
        "vote_labels": SimpleLazyObject(vote_labels),
    }


def vote_labels():
    """The words of a vote form (includes/vote_form.html), translated once a page:
    a list of twenty jokes asked for each of them twenty times."""
    return {
        "up": gettext("Vote up"),
        "up_title": gettext("Funny: vote up (press again to take it back)"),
        "down": gettext("Vote down"),
        "down_title": gettext("Not funny: vote down (press again to take it back)"),
        "score": gettext("Score"),
    }
