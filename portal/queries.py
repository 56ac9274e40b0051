"""The prepared queries (portal/prepared.py) of the pages that read both apps: a tag's
page reads its headlines and its jokes."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from taggit.models import Tag

from bulletin.models import Article, TaggedArticle
from jokes.models import Joke, TaggedJoke

from .paging import FIRST_PAGES, popularity, slice_by_id, with_tag
from .prepared import prepared

# A tag's page shows this many of its newest jokes (its headlines are paginated); all
# of them are on the tag's jokes' pages, 20 a page.
TAG_JOKES = 5


@prepared(plan_once=True)
def tag_by_slug(slug: str):
    """The tag, with whether it is a common one among articles and among jokes
    (`popular_in_articles`, `popular_in_jokes`: paging.with_tag)."""
    return (
        Tag.objects.filter(slug=slug)
        .annotate(
            popular_in_articles=Exists(popularity(TaggedArticle, OuterRef("pk"))),
            popular_in_jokes=Exists(popularity(TaggedJoke, OuterRef("pk"))),
        )
        .order_by()
    )


# Planned once: a rare tag's lists, read through its taggings, and a common tag's first
# pages, read row by row down the list (paging.with_tag). A common tag's deeper pages
# are planned each time (without the tag, PostgreSQL hashed all its taggings: 45 ms, not
# 2.4), and so are a rare tag's jokes (their plan without the tag walked every public
# joke: 13 ms, not 3).


def by_page(query):
    """`query` (tagged_teasers, tagged_jokes) as PreparedPages calls it, with `offset`
    and `limit`: a common tag's page that starts among its first FIRST_PAGES items is
    read row by row down the list (paging.with_tag, `first_pages`)."""

    def page(*, popular, offset, limit, **values):
        first_pages = popular and offset < FIRST_PAGES
        return query(popular=popular, first_pages=first_pages, offset=offset, limit=limit, **values)

    return page


@prepared(plan_once=lambda popular, first_pages: first_pages or not popular)
def tagged_teasers(
    now: datetime, tag: int, popular: bool, first_pages: bool, offset: int, limit: int
):
    articles = with_tag(Article.objects.published(now), TaggedArticle, tag, popular, first_pages)
    return slice_by_id(articles.for_teasers(), offset, offset + limit)


@prepared(plan_once=lambda popular, first_pages: popular and first_pages)
def tagged_jokes(
    now: datetime,
    safe: bool,
    tag: int,
    popular: bool,
    first_pages: bool,
    offset: int,
    limit: int,
):
    jokes = with_tag(Joke.objects.for_visitor(safe, now), TaggedJoke, tag, popular, first_pages)
    return slice_by_id(jokes.for_listing(), offset, offset + limit)


# A page of a tag's published headlines, and of its jokes as a visitor sees them, newest
# first (for PreparedPages).
tag_page = by_page(tagged_teasers)
tag_jokes_page = by_page(tagged_jokes)
