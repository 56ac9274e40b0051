"""A tag's feed: its published headlines and (safe) jokes together, newest first."""

from heapq import merge
from itertools import islice

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from bulletin.feeds import FEED_LENGTH, LatestHeadlinesFeed
from bulletin.models import Article
from jokes.feeds import LatestJokesFeed

from .syndication import AtomFeedMixin, SiteFeed


def published_at(item):
    return item.publish_at if isinstance(item, Article) else item.published_at


class TagFeed(SiteFeed):
    articles = LatestHeadlinesFeed()
    jokes = LatestJokesFeed()

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return _("Tagged “%(tag)s”") % {"tag": tag.name}

    def description(self, tag):
        return _("Headlines and jokes tagged “%(tag)s”.") % {"tag": tag.name}

    def link(self, tag):
        return reverse("portal:tag-detail", kwargs={"slug": tag.slug})

    def items(self, tag):
        articles = self.articles.articles().filter(tags=tag)[:FEED_LENGTH]
        jokes = self.jokes.jokes().filter(tags=tag)[:FEED_LENGTH]
        newest_first = list(
            islice(merge(articles, jokes, key=published_at, reverse=True), FEED_LENGTH)
        )
        if not newest_first:
            # As the tag's page: a tag that only drafts (or flagged jokes) carry is
            # not there for readers.
            raise Http404
        return newest_first

    def _for(self, item):
        return self.articles if isinstance(item, Article) else self.jokes

    def item_title(self, item):
        return self._for(item).item_title(item)

    def item_description(self, item):
        return self._for(item).item_description(item)

    def item_pubdate(self, item):
        return published_at(item)

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return self._for(item).item_author_name(item)

    def item_categories(self, item):
        return self._for(item).item_categories(item)


class TagAtomFeed(AtomFeedMixin, TagFeed):
    def subtitle(self, tag):
        return self.description(tag)
