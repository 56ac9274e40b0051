"""What the API takes (query parameters) and gives (response bodies).

The response schemas are the API's contract: the OpenAPI document is generated from
them and every response is validated against them before it leaves. Field names are
stable snake_case; a joke has exactly the fields of `Joke.as_json()`, which the
joke's own page also answers with.
"""

from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from bulletin.models import Article
from portal.paging import tag_names
from portal.search import MAX_QUERY_LENGTH

# Times are written as `datetime.isoformat()` gives them, as `Joke.as_json()` does,
# so that the joke page and the API answer with the same text.
DateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# The largest id a database can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1
# Slugs are at most 100 characters long (sections, categories, tags); a longer one
# cannot match.
MAX_SLUG_LENGTH = 100


# Query parameters


class SafeParams(Schema):
    safe: bool = Field(
        True,
        description="Safe mode: `true` (the default) leaves out jokes with a content flag; "
        "`false` includes them (their flags say why).",
    )


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page, 1 to {MAX_PAGE_SIZE}.",
    )


class JokeFilters(PageParams, SafeParams):
    category: str | None = Field(
        None, max_length=MAX_SLUG_LENGTH, description="Only this category (its slug)."
    )
    tag: str | None = Field(
        None, max_length=MAX_SLUG_LENGTH, description="Only this tag (its slug)."
    )
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Search words: only matching jokes, the best matches first.",
    )


class ArticleFilters(PageParams):
    section: str | None = Field(
        None, max_length=MAX_SLUG_LENGTH, description="Only this section (its slug)."
    )
    tag: str | None = Field(
        None, max_length=MAX_SLUG_LENGTH, description="Only this tag (its slug)."
    )


# Responses


class Ref(Schema):
    """A category or section, named inside a joke or an article."""

    slug: str
    name: str


class JokeFlags(Schema):
    nsfw: bool
    religious: bool
    political: bool
    racist: bool
    sexist: bool
    explicit: bool


class JokeOut(Schema):
    """A published joke: the fields of `Joke.as_json()`."""

    id: int
    title: str = Field(description="May be empty: most jokes have no title.")
    text: str = Field(description="Plain text; line breaks are part of the joke.")
    category: Ref
    tags: list[str] = Field(description="Tag names.")
    flags: JokeFlags
    safe: bool = Field(description="True when no flag is set.")
    score: int = Field(description="Up votes minus down votes.")
    votes: int = Field(description="Number of votes.")
    published_at: DateTimeText
    submitted_by: str | None = Field(description="The name a visitor sent it in under.")
    url: str = Field(description="The joke's page on this site (a path).")


class ArticleOut(Schema):
    """A published article of the bulletin."""

    id: int
    title: str
    slug: str
    section: Ref
    summary: str
    body: str = Field(description="HTML, sanitised when it was saved.")
    tags: list[str] = Field(description="Tag names.")
    author: str | None = Field(description="The author's name as the site shows it.")
    published_at: DateTimeText
    updated_at: DateTimeText
    url: str = Field(description="The article's page on this site (a path).")


def article_as_json(article: Article) -> dict:
    """The public fields of an article (section and author loaded beforehand)."""
    author = article.author
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "section": {"slug": article.section.slug, "name": article.section.name},
        "summary": article.summary,
        "body": article.body,
        "tags": tag_names(article),
        # As the article's page and the feeds name the author; never the e-mail.
        "author": (author.get_full_name() or author.get_username()) if author else None,
        "published_at": article.publish_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
        "url": article.get_absolute_url(),
    }


class Page(Schema):
    page: int
    next: str | None = Field(description="The next page's address, if there is one.")
    previous: str | None = Field(description="The previous page's address, if there is one.")


class JokePage(Page):
    results: list[JokeOut]


class ArticlePage(Page):
    results: list[ArticleOut]


class SectionOut(Schema):
    slug: str
    name: str
    description: str
    article_count: int = Field(description="Published articles in the section.")
    url: str


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    joke_count: int = Field(description="Published jokes in the category (safe mode applies).")
    url: str


class TagOut(Schema):
    slug: str
    name: str
    article_count: int = Field(description="Published articles with the tag.")
    joke_count: int = Field(description="Published jokes with the tag (safe mode applies).")
    url: str = Field(description="The tag's page on this site (a path).")


class ApiIndex(Schema):
    """Where everything is."""

    jokes: str
    random_joke: str
    joke_of_the_day: str
    articles: str
    sections: str
    categories: str
    tags: str
    openapi: str
    docs: str


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words.")


class ParameterError(Schema):
    location: str = Field(description="`query` or `path`.")
    parameter: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[ParameterError]
