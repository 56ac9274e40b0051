"""What every feed of the site shares."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed


class SiteFeed(Feed):
    """Django's Feed, its answer in one piece: the feed generator writes each element
    and each text on its own (844 pieces for 20 entries), and gunicorn sends every
    piece in a write of its own. Under load a feed had spent half its time in them."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response.content = response.content
        return response


class AtomFeedMixin:
    """Before a Feed class: its Atom form. Atom wants an author on the feed or on every
    entry (RFC 4287, 4.1.1), and a joke sent in anonymously or an article without a
    byline has none: the site is the feed's author."""

    feed_type = Atom1Feed

    def author_name(self):
        return settings.SITE_NAME
