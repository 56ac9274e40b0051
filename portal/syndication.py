"""What every Atom feed of the site shares."""

from django.conf import settings
from django.utils.feedgenerator import Atom1Feed


class AtomFeedMixin:
    """Before a Feed class: its Atom form. Atom wants an author on the feed or on every
    entry (RFC 4287, 4.1.1), and a joke sent in anonymously or an article without a
    byline has none: the site is the feed's author."""

    feed_type = Atom1Feed

    def author_name(self):
        return settings.SITE_NAME
