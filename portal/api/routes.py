"""The API's operations: published content only, read through each app's
`published()` / `for_visitor()`, as every page of the site reads it."""

from datetime import datetime
from typing import Annotated

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Path, Query, Router
from ninja.decorators import decorate_view
from taggit.models import Tag

from bulletin.models import Article, Section, TaggedArticle
from jokes.models import Category, Joke, JokeOfTheDay, TaggedJoke, pick_random
from portal.paging import PreparedPages, slice_by_id
from portal.prepared import prepared
from portal.search import matching

from .pagination import paginate
from .schemas import (
    MAX_ID,
    ApiIndex,
    ArticleFilters,
    ArticleOut,
    ArticlePage,
    CategoryOut,
    ErrorOut,
    JokeFilters,
    JokeOut,
    JokePage,
    SafeParams,
    SectionOut,
    TagOut,
    ValidationErrorOut,
    article_as_json,
)

router = Router()

# A database id: refused as invalid (422) above the largest one, before any query,
# where it would overflow.
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id.")]

# What an operation may answer besides its result, so that the OpenAPI document
# lists every answer: the rate limit (429) and its counter out of reach (503), for
# all; something not there (404); a parameter that is not valid (422).
LIMITED = {429: ErrorOut, 503: ErrorOut}
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ValidationErrorOut}


def count_of(queryset: QuerySet, field: str) -> Coalesce:
    """How many rows of `queryset` point at the outer row through `field` (a
    correlated subquery: one query for the whole list, however long)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@router.get("", response={200: ApiIndex, **LIMITED}, url_name="index", tags=["about"])
def index(request: HttpRequest):
    """Where each list and the documentation are."""
    return {
        "jokes": reverse("api:joke-list"),
        "random_joke": reverse("api:joke-random"),
        "joke_of_the_day": reverse("api:joke-today"),
        "articles": reverse("api:article-list"),
        "sections": reverse("api:section-list"),
        "categories": reverse("api:category-list"),
        "tags": reverse("api:tag-list"),
        "openapi": reverse("api:openapi-json"),
        "docs": reverse("api:openapi-view"),
    }


# Jokes. /jokes/random and /jokes/today come before /jokes/{joke_id}, which would
# take them for ids.


@router.get(
    "/jokes/random",
    response={200: JokeOut, **NOT_FOUND, **INVALID, **LIMITED},
    url_name="joke-random",
    tags=["jokes"],
)
@decorate_view(never_cache)  # a new pick on every call, never a cached one
def random_joke(request: HttpRequest, params: Query[SafeParams]):
    """A random published joke, a different one (most likely) on each call.

    404 when there is no joke to pick from."""
    joke = pick_random(params.safe)
    if joke is None:
        raise Http404(_("There are no jokes to pick from yet."))
    return joke.as_json()


@router.get(
    "/jokes/today",
    response={200: JokeOut, **NOT_FOUND, **LIMITED},
    url_name="joke-today",
    tags=["jokes"],
)
def joke_of_the_day(request: HttpRequest):
    """The joke of the day: the same for everybody all day, as on the home page
    (always a safe one). 404 when there is no joke to choose."""
    joke = JokeOfTheDay.for_date(timezone.localdate())
    if joke is None:
        raise Http404(_("There is no joke of the day yet."))
    return joke.as_json()


@router.get(
    "/jokes",
    response={200: JokePage, **NOT_FOUND, **INVALID, **LIMITED},
    url_name="joke-list",
    tags=["jokes"],
)
def list_jokes(request: HttpRequest, params: Query[JokeFilters]):
    """Published jokes, newest first; with `q`, those matching it, best first."""
    q = (params.q or "").strip()
    if not q:
        jokes = PreparedPages(
            newest_jokes,
            now=timezone.now(),
            safe=params.safe,
            category=params.category or None,
            tag=params.tag or None,
        )
        return paginate(request, jokes, params, Joke.as_json)
    found = matching(visible_jokes(timezone.now(), params.safe, params.category, params.tag), q)
    return paginate(request, found.select_related("category"), params, Joke.as_json)


def visible_jokes(now, safe, category, tag):
    jokes = Joke.objects.for_visitor(safe, now)
    if category:
        jokes = jokes.filter(category__slug=category)
    if tag:
        jokes = jokes.filter(tags__slug=tag)
    return jokes


@prepared
def newest_jokes(
    now: datetime, safe: bool, category: str | None, tag: str | None, offset: int, limit: int
):
    """A page of the API's list of jokes (for PreparedPages)."""
    jokes = visible_jokes(now, safe, category, tag).order_by("-published_at", "-pk")
    return slice_by_id(jokes.select_related("category"), offset, offset + limit)


@router.get(
    "/jokes/{joke_id}",
    response={200: JokeOut, **NOT_FOUND, **INVALID, **LIMITED},
    url_name="joke-detail",
    tags=["jokes"],
)
def joke_detail(request: HttpRequest, joke_id: Id):
    """A published joke, flagged or not (its flags say); 404 for any other id."""
    joke = (
        Joke.objects.published()
        .select_related("category")
        .prefetch_related("tags")
        .filter(pk=joke_id)
        .first()
    )
    if joke is None:
        raise Http404(_("No such joke."))
    return joke.as_json()


# Articles


def articles_for_listing() -> QuerySet:
    return Article.objects.published().for_listing()


@router.get(
    "/articles",
    response={200: ArticlePage, **NOT_FOUND, **INVALID, **LIMITED},
    url_name="article-list",
    tags=["articles"],
)
def list_articles(request: HttpRequest, params: Query[ArticleFilters]):
    """Published articles, newest first."""
    articles = PreparedPages(
        newest_articles,
        now=timezone.now(),
        section=params.section or None,
        tag=params.tag or None,
    )
    return paginate(request, articles, params, article_as_json)


@prepared
def newest_articles(now: datetime, section: str | None, tag: str | None, offset: int, limit: int):
    """A page of the API's list of articles (for PreparedPages)."""
    articles = Article.objects.published(now).for_listing()
    if section is not None:
        articles = articles.filter(section__slug=section)
    if tag is not None:
        articles = articles.filter(tags__slug=tag)
    return slice_by_id(articles, offset, offset + limit)


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, **NOT_FOUND, **INVALID, **LIMITED},
    url_name="article-detail",
    tags=["articles"],
)
def article_detail(request: HttpRequest, article_id: Id):
    """A published article; 404 for any other id."""
    article = articles_for_listing().filter(pk=article_id).first()
    if article is None:
        raise Http404(_("No such article."))
    return article_as_json(article)


# Sections, categories and tags


@router.get(
    "/sections",
    response={200: list[SectionOut], **LIMITED},
    url_name="section-list",
    tags=["taxonomy"],
)
def list_sections(request: HttpRequest):
    """The bulletin's sections, in the site's order, with their published articles
    counted."""
    sections = Section.objects.annotate(
        article_count=count_of(Article.objects.published(), "section")
    )
    return [
        {
            "slug": section.slug,
            "name": section.name,
            "description": section.description,
            "article_count": section.article_count,
            "url": section.get_absolute_url(),
        }
        for section in sections
    ]


@router.get(
    "/categories",
    response={200: list[CategoryOut], **INVALID, **LIMITED},
    url_name="category-list",
    tags=["taxonomy"],
)
def list_categories(request: HttpRequest, params: Query[SafeParams]):
    """The joke categories, by name, with their published jokes counted."""
    categories = Category.objects.annotate(
        joke_count=count_of(Joke.objects.for_visitor(params.safe), "category")
    )
    return [
        {
            "slug": category.slug,
            "name": category.name,
            "description": category.description,
            "joke_count": category.joke_count,
            "url": category.get_absolute_url(),
        }
        for category in categories
    ]


@router.get(
    "/tags",
    response={200: list[TagOut], **INVALID, **LIMITED},
    url_name="tag-list",
    tags=["taxonomy"],
)
def list_tags(request: HttpRequest, params: Query[SafeParams]):
    """The tags that published articles or jokes carry, by name, with both counted."""
    articles = TaggedArticle.objects.filter(content_object__in=Article.objects.published())
    jokes = TaggedJoke.objects.filter(content_object__in=Joke.objects.for_visitor(params.safe))
    tags = (
        Tag.objects.annotate(
            article_count=count_of(articles, "tag"), joke_count=count_of(jokes, "tag")
        )
        .filter(Q(article_count__gt=0) | Q(joke_count__gt=0))
        .order_by("name")
    )
    return [
        {
            "slug": tag.slug,
            "name": tag.name,
            "article_count": tag.article_count,
            "joke_count": tag.joke_count,
            "url": reverse("portal:tag-detail", kwargs={"slug": tag.slug}),
        }
        for tag in tags
    ]


# Last: any other address under /api/ is a JSON 404 too, not the site's HTML page.
@router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown(request: HttpRequest, rest: str):
    raise Http404(
        _("No such API address; the list is at %(docs)s.") % {"docs": reverse("api:openapi-view")}
    )
