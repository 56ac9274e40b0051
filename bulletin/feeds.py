"""RSS and Atom feeds of published headlines: all, and per section."""

from datetime import datetime

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from portal.prepared import prepared
from portal.syndication import AtomFeedMixin, SiteFeed

from .models import Article, section_by_slug

FEED_LENGTH = 30


class LatestHeadlinesFeed(SiteFeed):
    title = _("Latest headlines")
    description = _("The newest bulletin headlines.")

    def link(self):
        return reverse("bulletin:article-list")

    def articles(self):
        return Article.objects.published().for_listing()

    def items(self):
        return newest_headlines(now=timezone.now())

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # Readers take a description as HTML; the summary is plain text.
        return escape(article.summary or article.title)

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        author = article.author
        return (author.get_full_name() or author.get_username()) if author else None

    def item_categories(self, article):
        return [article.section.name]


class LatestHeadlinesAtomFeed(AtomFeedMixin, LatestHeadlinesFeed):
    subtitle = LatestHeadlinesFeed.description


class SectionFeed(LatestHeadlinesFeed):
    def get_object(self, request, section):
        found = section_by_slug(slug=section)
        if not found:
            raise Http404(_("No section found matching the query"))
        return found[0]

    def title(self, section):
        return _("Headlines: %(section)s") % {"section": section.name}

    def description(self, section):
        return section.description or self.title(section)

    def link(self, section):
        return section.get_absolute_url()

    def items(self, section):
        return newest_in_section(now=timezone.now(), section=section.pk)


class SectionAtomFeed(AtomFeedMixin, SectionFeed):
    def subtitle(self, section):
        return self.description(section)


# The feeds' queries, compiled once per process (portal/prepared.py).


@prepared(plan_once=True)
def newest_headlines(now: datetime):
    return Article.objects.published(now).for_listing()[:FEED_LENGTH]


@prepared(plan_once=True)
def newest_in_section(now: datetime, section: int):
    return Article.objects.published(now).for_listing().filter(section=section)[:FEED_LENGTH]
