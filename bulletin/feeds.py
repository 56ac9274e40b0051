"""RSS and Atom feeds of published headlines: all, and per section."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from portal.syndication import AtomFeedMixin, SiteFeed

from .models import Article, Section

FEED_LENGTH = 30


class LatestHeadlinesFeed(SiteFeed):
    title = _("Latest headlines")
    description = _("The newest bulletin headlines.")

    def link(self):
        return reverse("bulletin:article-list")

    def articles(self):
        return Article.objects.published().for_listing()

    def items(self):
        return self.articles()[:FEED_LENGTH]

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
        return get_object_or_404(Section, slug=section)

    def title(self, section):
        return _("Headlines: %(section)s") % {"section": section.name}

    def description(self, section):
        return section.description or self.title(section)

    def link(self, section):
        return section.get_absolute_url()

    def items(self, section):
        return self.articles().filter(section=section)[:FEED_LENGTH]


class SectionAtomFeed(AtomFeedMixin, SectionFeed):
    def subtitle(self, section):
        return self.description(section)
