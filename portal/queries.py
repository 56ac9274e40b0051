"""The prepared queries (portal/prepared.py) of the pages that read both apps: a tag's
page reads its headlines and its jokes."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from taggit.models import Tag

from bulletin.models import Article, TaggedArticle
from jokes.models import Joke, TaggedJoke

from .paging import popularity, slice_by_id, with_tag
from .prepared import prepared

# A tag's page shows at most this many of its jokes (its headlines are paginated).
TAG_JOKES = 20


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


# A rare tag's headlines are planned once: the plan made without the tag reads them
# through the tag's taggings as well (paging.with_tag). A common tag's are planned each
# time (without the tag, PostgreSQL hashed all its taggings: 45 ms, not 2.4), and so
# are a tag's jokes (their plan without the tag walked every public joke: 13 ms, not 3).


@prepared(plan_once=lambda popular: not popular)
def tagged_teasers(now: datetime, tag: int, popular: bool, offset: int, limit: int):
    """A page of the tag's published headlines, newest first (for PreparedPages)."""
    articles = with_tag(Article.objects.published(now), TaggedArticle, tag, popular)
    return slice_by_id(articles.for_teasers(), offset, offset + limit)


@prepared
def tagged_jokes(now: datetime, safe: bool, tag: int, popular: bool):
    """The tag's newest TAG_JOKES jokes as a visitor sees them."""
    jokes = with_tag(Joke.objects.for_visitor(safe, now), TaggedJoke, tag, popular)
    return slice_by_id(jokes.for_listing(), 0, TAG_JOKES)
