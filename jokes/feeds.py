"""RSS and Atom feeds of published jokes (safe ones: a feed reader has no switch)."""

from datetime import datetime

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from portal.prepared import prepared
from portal.syndication import AtomFeedMixin, SiteFeed

from .models import Joke, category_by_slug

FEED_LENGTH = 30


class LatestJokesFeed(SiteFeed):
    title = _("Latest jokes")
    description = _("The newest jokes in the collection.")

    def link(self):
        return reverse("jokes:joke-list")

    def jokes(self):
        return Joke.objects.for_visitor(safe_mode=True).for_listing()

    def items(self):
        return newest_jokes(now=timezone.now())

    def item_title(self, joke):
        return str(joke)

    def item_description(self, joke):
        # Readers take a description as HTML: the plain text is escaped into it, with
        # its line breaks as paragraphs (as on the joke's page).
        return linebreaks(joke.text, autoescape=True)

    def item_pubdate(self, joke):
        return joke.published_at

    def item_updateddate(self, joke):
        return joke.updated_at

    def item_author_name(self, joke):
        # Only the public name a visitor chose to show; never the e-mail address.
        return joke.submitter_name or None

    def item_categories(self, joke):
        return [joke.category.name]


class LatestJokesAtomFeed(AtomFeedMixin, LatestJokesFeed):
    subtitle = LatestJokesFeed.description


class CategoryFeed(LatestJokesFeed):
    def get_object(self, request, slug):
        found = category_by_slug(slug=slug)
        if not found:
            raise Http404(_("No category found matching the query"))
        return found[0]

    def title(self, category):
        return _("Jokes: %(category)s") % {"category": category.name}

    def description(self, category):
        return category.description or self.title(category)

    def link(self, category):
        return category.get_absolute_url()

    def items(self, category):
        return newest_in_category(now=timezone.now(), category=category.pk)


class CategoryAtomFeed(AtomFeedMixin, CategoryFeed):
    def subtitle(self, category):
        return self.description(category)


# The feeds' queries, compiled once per process (portal/prepared.py).


@prepared(plan_once=True)
def newest_jokes(now: datetime):
    return Joke.objects.for_visitor(True, now).for_listing()[:FEED_LENGTH]


@prepared(plan_once=True)
def newest_in_category(now: datetime, category: int):
    jokes = Joke.objects.for_visitor(True, now).for_listing()
    return jokes.filter(category=category)[:FEED_LENGTH]
