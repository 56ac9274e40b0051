"""The read-only JSON API at /api/ (portal/api/): published content only, every
endpoint, its filters, pages, errors, CORS, rate limit and query counts.

The schema conformance and the fuzzing are in test_api_schema.py."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article, Section
from jokes import ratelimit
from jokes.models import FLAG_FIELDS, Joke, JokeOfTheDay
from portal.api.schemas import JokeFlags
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROUTES = {
    "index": "/api/",
    "joke-list": "/api/jokes",
    "joke-random": "/api/jokes/random",
    "joke-today": "/api/jokes/today",
    "article-list": "/api/articles",
    "section-list": "/api/sections",
    "category-list": "/api/categories",
    "tag-list": "/api/tags",
    "openapi-json": "/api/openapi.json",
    "openapi-view": "/api/docs",
}


def get(client, url, **params):
    return client.get(url, params)


def ids(response):
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def jokes(now):
    """One joke of each kind that must (or must not) be seen."""
    puns = CategoryFactory(name="Puns", slug="puns")
    return {
        "plain": JokeFactory(category=puns, title="Plain", tags=["animals"]),
        "visitor": JokeFactory(
            category=puns,
            submitter_name="Ann",
            submitter_email="ann@example.org",
            status_token="secret-token-of-ann",
        ),
        "flagged": JokeFactory(category=puns, nsfw=True, tags=["animals", "rude"]),
        "draft": JokeFactory(category=puns, status=Joke.Status.DRAFT, published_at=None),
        "scheduled": JokeFactory(category=puns, published_at=now + timedelta(days=1)),
        "hidden": JokeFactory(category=puns, hidden_by_reports=True, tags=["hidden-only"]),
        "pending": JokeFactory(category=puns, pending=True, tags=["pending-only"]),
        "archived": JokeFactory(category=puns, status=Joke.Status.ARCHIVED),
    }


@pytest.fixture
def articles(now):
    news = SectionFactory(name="News", slug="news")
    author = UserFactory(
        username="ada", first_name="Ada", last_name="Lovelace", email="ada@example.com"
    )
    return {
        "published": ArticleFactory(section=news, author=author, tags=["animals"]),
        "anonymous": ArticleFactory(section=news, author=None),
        "draft": ArticleFactory(section=news, draft=True, tags=["draft-only"]),
        "scheduled": ArticleFactory(section=news, scheduled=True),
        "expired": ArticleFactory(
            section=news, publish_at=now - timedelta(days=3), expires_at=now - timedelta(days=1)
        ),
        "archived": ArticleFactory(section=news, status=Article.Status.ARCHIVED),
        "review": ArticleFactory(section=news, status=Article.Status.REVIEW, publish_at=None),
    }


# Routes


@pytest.mark.parametrize(("name", "path"), ROUTES.items())
def test_routes(name, path):
    assert reverse(f"api:{name}") == path


def test_detail_routes():
    assert reverse("api:joke-detail", kwargs={"joke_id": 7}) == "/api/jokes/7"
    assert reverse("api:article-detail", kwargs={"article_id": 7}) == "/api/articles/7"


def test_index_names_every_list_and_the_docs(client):
    data = client.get("/api/").json()
    assert data == {
        "jokes": "/api/jokes",
        "random_joke": "/api/jokes/random",
        "joke_of_the_day": "/api/jokes/today",
        "articles": "/api/articles",
        "sections": "/api/sections",
        "categories": "/api/categories",
        "tags": "/api/tags",
        "openapi": "/api/openapi.json",
        "docs": "/api/docs",
    }


# Jokes: what is seen


def test_joke_list_shows_published_safe_jokes_newest_first(client, jokes):
    response = client.get("/api/jokes")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert ids(response) == [jokes["visitor"].pk, jokes["plain"].pk]


def test_safe_false_adds_flagged_jokes_and_nothing_unpublished(client, jokes):
    response = get(client, "/api/jokes", safe="false")
    assert set(ids(response)) == {jokes["plain"].pk, jokes["visitor"].pk, jokes["flagged"].pk}
    flagged = next(j for j in response.json()["results"] if j["id"] == jokes["flagged"].pk)
    assert flagged["safe"] is False and flagged["flags"]["nsfw"] is True


@pytest.mark.parametrize("value", ["0", "no", "off", "False"])
def test_safe_takes_the_usual_spellings_of_false(client, jokes, value):
    assert jokes["flagged"].pk in ids(get(client, "/api/jokes", safe=value))


def test_a_joke_is_exactly_what_its_page_answers_in_json(client, jokes):
    for joke in (jokes["plain"], jokes["visitor"], jokes["flagged"]):
        api = client.get(f"/api/jokes/{joke.pk}")
        page = client.get(joke.get_absolute_url(), HTTP_ACCEPT="application/json")
        assert api.status_code == page.status_code == 200
        assert api.json() == page.json() == Joke.objects.get(pk=joke.pk).as_json()
    listed = get(client, "/api/jokes", safe="false").json()["results"]
    assert {j["id"]: j for j in listed}[jokes["plain"].pk] == jokes["plain"].as_json()


def test_the_flags_schema_has_every_flag():
    assert list(JokeFlags.model_fields) == FLAG_FIELDS


@pytest.mark.parametrize("kind", ["draft", "scheduled", "hidden", "pending", "archived"])
def test_unpublished_jokes_are_a_json_404(client, jokes, kind):
    response = client.get(f"/api/jokes/{jokes[kind].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such joke."}


def test_a_missing_joke_is_a_json_404(client):
    response = client.get("/api/jokes/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such joke."


def test_random_joke_is_published_and_safe(client, jokes):
    seen = {client.get("/api/jokes/random").json()["id"] for _ in range(15)}
    assert seen <= {jokes["plain"].pk, jokes["visitor"].pk}


def test_random_joke_with_safe_false_may_be_flagged(client):
    flagged = JokeFactory(nsfw=True)
    assert client.get("/api/jokes/random").status_code == 404
    assert get(client, "/api/jokes/random", safe="false").json()["id"] == flagged.pk


def test_random_joke_without_jokes_is_a_json_404(client):
    response = client.get("/api/jokes/random")
    assert response.status_code == 404
    assert response.json() == {"detail": "There are no jokes to pick from yet."}
    assert "no-store" in response["Cache-Control"]


def test_random_joke_is_not_cached(client, jokes):
    assert "no-store" in client.get("/api/jokes/random")["Cache-Control"]


def test_joke_of_the_day_is_the_home_pages(client, jokes):
    first = client.get("/api/jokes/today").json()
    chosen = JokeOfTheDay.objects.get(date=timezone.localdate()).joke
    assert first["id"] == chosen.pk
    assert chosen.pk in {jokes["plain"].pk, jokes["visitor"].pk}
    assert client.get("/api/jokes/today").json() == first


def test_joke_of_the_day_is_never_flagged(client):
    JokeFactory(nsfw=True)
    response = client.get("/api/jokes/today")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no joke of the day yet."}


# Jokes: filters and search


def test_jokes_by_category(client, jokes):
    other = JokeFactory(category=CategoryFactory(slug="knock-knock"))
    assert ids(get(client, "/api/jokes", category="knock-knock")) == [other.pk]
    assert set(ids(get(client, "/api/jokes", category="puns"))) == {
        jokes["plain"].pk,
        jokes["visitor"].pk,
    }


def test_an_unknown_category_or_tag_is_an_empty_list(client, jokes):
    for params in ({"category": "nope"}, {"tag": "nope"}, {"category": "ünïcode-☃"}):
        data = get(client, "/api/jokes", **params).json()
        assert data["results"] == [] and data["next"] is None and data["page"] == 1


def test_jokes_by_tag(client, jokes):
    assert ids(get(client, "/api/jokes", tag="animals")) == [jokes["plain"].pk]
    assert set(ids(get(client, "/api/jokes", tag="animals", safe="false"))) == {
        jokes["plain"].pk,
        jokes["flagged"].pk,
    }
    assert ids(get(client, "/api/jokes", tag="hidden-only")) == []


def test_search_finds_published_jokes_only(client, jokes):
    found = JokeFactory(title="The penguin", text="A penguin walks into a bar.", tags=["birds"])
    in_text = JokeFactory(title="", text="Why did the penguin cross the ice?")
    JokeFactory(text="A penguin draft.", status=Joke.Status.DRAFT, published_at=None)
    JokeFactory(text="A rude penguin.", explicit=True)
    JokeFactory(text="A penguin nobody sees.", hidden_by_reports=True)
    response = get(client, "/api/jokes", q="penguin")
    assert response.status_code == 200
    # Best match first: the title outweighs the text (portal/search.py).
    assert ids(response) == [found.pk, in_text.pk]
    assert ids(get(client, "/api/jokes", q="penguin", tag="birds")) == [found.pk]
    assert len(ids(get(client, "/api/jokes", q="penguin", safe="false"))) == 3
    assert ids(get(client, "/api/jokes", q="walrus")) == []


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1 --", '"penguin', "penguin*", "a AND NOT b", "%_\\", "日本語", "🐧", "   ", "!!!"],
)
def test_search_takes_any_text(client, jokes, q):
    response = get(client, "/api/jokes", q=q)
    assert response.status_code == 200
    assert response.json()["results"] is not None


def test_a_blank_search_lists_everything(client, jokes):
    assert len(ids(get(client, "/api/jokes", q="  "))) == 2


# Pages


def test_pages_of_jokes(client, now):
    made = [JokeFactory(published_at=now - timedelta(minutes=n)) for n in range(5)]
    first = get(client, "/api/jokes", page_size=2).json()
    assert first["page"] == 1 and "count" not in first  # lists are not counted
    assert [j["id"] for j in first["results"]] == [made[0].pk, made[1].pk]
    assert first["previous"] is None
    assert first["next"] == "/api/jokes?page_size=2&page=2"
    second = client.get(first["next"]).json()
    assert [j["id"] for j in second["results"]] == [made[2].pk, made[3].pk]
    assert second["previous"] == "/api/jokes?page_size=2&page=1"
    last = client.get(second["next"]).json()
    assert [j["id"] for j in last["results"]] == [made[4].pk] and last["next"] is None


def test_page_links_keep_the_filters(client):
    category = CategoryFactory(slug="puns")
    JokeFactory.create_batch(3, category=category)
    data = get(client, "/api/jokes", category="puns", page_size=1, page=2).json()
    assert data["next"] == "/api/jokes?category=puns&page_size=1&page=3"
    assert data["previous"] == "/api/jokes?category=puns&page_size=1&page=1"


def test_a_page_past_the_last_is_a_json_404(client, jokes):
    response = get(client, "/api/jokes", page=2)
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 2 is past the last page."}
    assert get(client, "/api/articles", page=10**30).status_code == 404


def test_the_first_page_of_nothing_is_empty(client):
    for url in ("/api/jokes", "/api/articles"):
        data = client.get(url).json()
        assert data == {
            "page": 1,
            "next": None,
            "previous": None,
            "results": [],
        }


def test_page_size_is_capped(client):
    JokeFactory.create_batch(3)
    assert len(ids(get(client, "/api/jokes", page_size=100))) == 3
    assert get(client, "/api/jokes", page_size=101).status_code == 422


# Bad input: a clear 4xx in JSON, never a 500


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/jokes", {"page": "abc"}, "page"),
        ("/api/jokes", {"page": "0"}, "page"),
        ("/api/jokes", {"page": "-1"}, "page"),
        ("/api/jokes", {"page": "1.5"}, "page"),
        ("/api/jokes", {"page": "9" * 5000}, "page"),
        ("/api/jokes", {"page_size": "0"}, "page_size"),
        ("/api/jokes", {"page_size": str(10**12)}, "page_size"),
        ("/api/jokes", {"safe": "maybe"}, "safe"),
        ("/api/jokes", {"category": "x" * 101}, "category"),
        ("/api/jokes", {"q": "word " * 100}, "q"),
        ("/api/jokes/random", {"safe": ""}, "safe"),
        ("/api/articles", {"page": "two"}, "page"),
        ("/api/articles", {"section": "s" * 500}, "section"),
        ("/api/categories", {"safe": "2"}, "safe"),
        ("/api/tags", {"safe": "yes please"}, "safe"),
        ("/api/jokes/-1", {}, "joke_id"),
        ("/api/jokes/0", {}, "joke_id"),
        ("/api/jokes/abc", {}, "joke_id"),
        ("/api/jokes/" + "9" * 30, {}, "joke_id"),
        ("/api/articles/9223372036854775808", {}, "article_id"),
        ("/api/articles/1e3", {}, "article_id"),
    ],
)
def test_invalid_parameters_are_a_json_422(client, url, params, parameter):
    response = client.get(url, params)
    assert response.status_code == 422
    data = response.json()
    assert [error["parameter"] for error in data["errors"]] == [parameter]
    assert data["detail"].startswith("Invalid parameters (") and parameter in data["detail"]


def test_the_largest_id_is_a_404_not_an_overflow(client):
    assert client.get("/api/jokes/9223372036854775807").status_code == 404
    assert client.get("/api/articles/9223372036854775807").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/api/jokes?q=%00", "/api/jokes?category=a%00b", "/api/articles?tag=%00", "/api/jokes/1%00"],
)
def test_a_nul_byte_is_a_400(client, url):
    # Refused by portal.middleware.RejectNulBytesMiddleware before the API sees it.
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "q=%27%3B+DROP+TABLE+jokes_joke%3B+--",
        "category=%27+OR+%271%27%3D%271",
        "tag=%25%27+OR+1%3D1+--",
        "category=%C3%BCn%C3%AFc%C3%B6d%C3%A9&tag=%E3%82%BF%E3%82%B0&q=%F0%9F%98%80",
        "q=%FF%FE%C3",  # not UTF-8
        "page=1&page=1&unknown=ignored",
        "q=" + "%E2%98%83" * 60,
    ],
)
def test_hostile_text_is_just_text(client, jokes, query):
    response = client.get(f"/api/jokes?{query}")
    assert response.status_code == 200
    assert Joke.objects.filter(pk=jokes["plain"].pk).exists()


def test_an_unknown_api_address_is_a_json_404(client):
    for url in ("/api/nothing", "/api/jokes/", "/api/jokes/1/votes"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert "/api/docs" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_only_reads(client, jokes, method):
    response = getattr(client, method)(f"/api/jokes/{jokes['plain'].pk}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert Joke.objects.filter(pk=jokes["plain"].pk).exists()


# Articles


def test_article_list_shows_published_articles_newest_first(client, articles):
    response = client.get("/api/articles")
    assert response.status_code == 200
    assert ids(response) == [articles["anonymous"].pk, articles["published"].pk]


def test_article_fields(client, articles):
    article = articles["published"]
    data = client.get(f"/api/articles/{article.pk}").json()
    article.refresh_from_db()
    assert data == {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "section": {"slug": "news", "name": "News"},
        "summary": "A short summary.",
        "body": "<p>Body text.</p>",
        "tags": ["animals"],
        "author": "Ada Lovelace",
        "published_at": article.publish_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
        "url": article.get_absolute_url(),
    }
    assert client.get(f"/api/articles/{articles['anonymous'].pk}").json()["author"] is None


def test_article_author_without_a_full_name_is_the_user_name(client):
    article = ArticleFactory(author=UserFactory(username="scribe", email="scribe@example.com"))
    assert client.get(f"/api/articles/{article.pk}").json()["author"] == "scribe"


def test_article_body_is_the_stored_sanitised_html(client):
    article = ArticleFactory(body='<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>')
    article.refresh_from_db()
    body = client.get(f"/api/articles/{article.pk}").json()["body"]
    assert body == article.body
    assert "<script" not in body and "onclick" not in body


@pytest.mark.parametrize("kind", ["draft", "scheduled", "expired", "archived", "review"])
def test_unpublished_articles_are_a_json_404(client, articles, kind):
    response = client.get(f"/api/articles/{articles[kind].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such article."}


def test_articles_by_section_and_tag(client, articles):
    other = ArticleFactory(section=SectionFactory(slug="sport"), tags=["animals"])
    assert ids(get(client, "/api/articles", section="sport")) == [other.pk]
    assert set(ids(get(client, "/api/articles", section="news"))) == {
        articles["published"].pk,
        articles["anonymous"].pk,
    }
    assert set(ids(get(client, "/api/articles", tag="animals"))) == {
        articles["published"].pk,
        other.pk,
    }
    assert ids(get(client, "/api/articles", tag="draft-only")) == []
    assert ids(get(client, "/api/articles", section="nope")) == []


@pytest.mark.parametrize("kind", ["jokes", "articles"])
def test_a_lists_tags_are_each_items_own_in_the_order_given(client, kind):
    """A page reads its items' tag names in one query: each item gets its own, in the
    order they were given (as its own address shows them), none for an untagged one."""
    factory = JokeFactory if kind == "jokes" else ArticleFactory
    tagged = factory(tags=["zebra", "aardvark", "moose"])
    other = factory(tags=["aardvark"])
    untagged = factory()
    results = {item["id"]: item["tags"] for item in get(client, f"/api/{kind}").json()["results"]}
    assert results == {tagged.pk: ["zebra", "aardvark", "moose"], other.pk: ["aardvark"],
                       untagged.pk: []}  # fmt: skip
    assert client.get(f"/api/{kind}/{tagged.pk}").json()["tags"] == ["zebra", "aardvark", "moose"]


def test_pages_of_articles(client, now):
    made = [ArticleFactory(publish_at=now - timedelta(hours=n)) for n in range(3)]
    data = get(client, "/api/articles", page_size=2, page=2).json()
    assert data["page"] == 2
    assert [a["id"] for a in data["results"]] == [made[2].pk]
    assert data["previous"] == "/api/articles?page_size=2&page=1" and data["next"] is None


# Sections, categories, tags


def test_sections_with_their_published_articles_counted(client, articles):
    empty = SectionFactory(name="Empty", slug="empty", position=9)
    data = client.get("/api/sections").json()
    assert data == [
        {
            "slug": "news",
            "name": "News",
            "description": "A section for tests.",
            "article_count": 2,
            "url": "/bulletin/news/",
        },
        {
            "slug": "empty",
            "name": "Empty",
            "description": empty.description,
            "article_count": 0,
            "url": "/bulletin/empty/",
        },
    ]


def test_categories_with_their_published_jokes_counted(client, jokes):
    CategoryFactory(name="Zero", slug="zero")
    data = client.get("/api/categories").json()
    assert [(c["slug"], c["joke_count"]) for c in data] == [("puns", 2), ("zero", 0)]
    assert data[0]["url"] == "/jokes/category/puns/"
    unsafe = get(client, "/api/categories", safe="false").json()
    assert [(c["slug"], c["joke_count"]) for c in unsafe] == [("puns", 3), ("zero", 0)]


def test_tags_are_those_of_published_content(client, jokes, articles):
    data = client.get("/api/tags").json()
    assert data == [
        {
            "slug": "animals",
            "name": "animals",
            "article_count": 1,
            "joke_count": 1,
            "url": "/tags/animals/",
        }
    ]
    unsafe = {t["slug"]: t for t in get(client, "/api/tags", safe="false").json()}
    assert set(unsafe) == {"animals", "rude"}
    assert unsafe["animals"]["joke_count"] == 2 and unsafe["rude"]["joke_count"] == 1


def test_tag_counts_match_the_filtered_lists(client, jokes, articles):
    def everything(url, **params):
        found, data = [], get(client, url, page_size=100, **params).json()
        found += data["results"]
        while data["next"]:
            data = client.get(data["next"]).json()
            found += data["results"]
        return found

    for tag in client.get("/api/tags").json():
        assert len(everything("/api/jokes", tag=tag["slug"])) == tag["joke_count"]
        assert len(everything("/api/articles", tag=tag["slug"])) == tag["article_count"]


# Nothing private, ever


def every_answer(client, jokes, articles):
    urls = [*ROUTES.values()]
    urls += [f"/api/jokes/{joke.pk}" for joke in jokes.values()]
    urls += [f"/api/articles/{article.pk}" for article in articles.values()]
    urls += ["/api/jokes?safe=false", "/api/tags?safe=false", "/api/categories?safe=false"]
    urls += ["/api/jokes/random?safe=false"] * 5
    return [client.get(url) for url in urls]


def test_no_email_token_or_internal_field_in_any_answer(client, jokes, articles):
    for response in every_answer(client, jokes, articles):
        assert response.status_code in (200, 404), response.request
        content = response.content.decode()
        assert "@" not in content and "example.org" not in content
        assert "secret-token-of-ann" not in content
        for private in ("fingerprint", "sketch", "status_token", "submitter_email", "password"):
            assert private not in content
        data = response.json() if response["Content-Type"].startswith("application/json") else {}
        for item in data.get("results", []) if isinstance(data, dict) else data:
            assert "status" not in item and "email" not in item


# The OpenAPI document and the docs page


def test_the_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Joke Collection Website API"
    assert schema["info"]["version"] == "1.0.0"
    assert "Rate limit" in schema["info"]["description"]
    assert set(schema["paths"]) == {
        "/api/",
        "/api/jokes",
        "/api/jokes/random",
        "/api/jokes/today",
        "/api/jokes/{joke_id}",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/sections",
        "/api/categories",
        "/api/tags",
    }
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())


class AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_page_uses_local_static_files_only(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    parser = AssetLinks()
    parser.feed(html)
    assert parser.links, "the page links its script and style sheet"
    for link in parser.links:
        assert link.startswith("/static/"), link
        assert finders.find(link.removeprefix("/static/")), link
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", html)
    assert "/api/openapi.json" in html


# CORS: any origin may read /api/, nothing else


def test_an_api_answer_allows_any_origin_without_credentials(client, jokes):
    response = client.get("/api/jokes", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Access-Control-Expose-Headers"] == "Retry-After"


def test_api_errors_carry_cors_headers_too(client):
    response = client.get("/api/jokes/999", HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_api_preflight_is_answered(client):
    response = client.options(
        "/api/jokes",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", ["/", "/jokes/", "/bulletin/", "/admin/login/", "/feeds/jokes/"])
def test_the_rest_of_the_site_is_not_shared_across_origins(client, url):
    response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in response
    preflight = client.options(
        url, HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Methods" not in preflight


# Rate limit


def test_past_the_limit_the_api_answers_429_with_retry_after(client, settings, jokes):
    settings.API_REQUESTS_PER_MINUTE = 3
    for url in ("/api/jokes", "/api/jokes?page=abc", "/api/openapi.json"):
        assert client.get(url).status_code in (200, 422)
    response = client.get("/api/jokes", HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["detail"].startswith("Too many requests: at most 3 a minute.")
    # A script on another site can read the answer and how long to wait.
    assert response["Access-Control-Allow-Origin"] == "*"
    for url in ("/api/docs", "/api/nothing", f"/api/jokes/{jokes['plain'].pk}"):
        assert client.get(url).status_code == 429
    # Other clients and the site's pages are not affected.
    assert client.get("/api/jokes", REMOTE_ADDR="10.9.8.7").status_code == 200
    assert client.get("/jokes/").status_code == 200


def test_preflights_do_not_count(client, settings):
    settings.API_REQUESTS_PER_MINUTE = 1
    for _ in range(3):
        client.options(
            "/api/jokes", HTTP_ORIGIN="https://x.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )
    assert client.get("/api/jokes").status_code == 200


def test_without_the_counter_the_api_still_answers(client, monkeypatch):
    """Reads fail open when the cache that counts is down, like the pages."""

    def unavailable(*args, **kwargs):
        raise ratelimit.CounterUnavailable

    monkeypatch.setattr(ratelimit, "hit", unavailable)
    JokeFactory()
    response = client.get("/api/jokes")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


# Query counts: fixed, whatever the number of items


def add_content(n):
    section = SectionFactory()
    category = CategoryFactory()
    for i in range(n):
        JokeFactory(category=category, tags=[f"t{i}", "shared"], submitter_name=f"V{i}")
        JokeFactory(category=category, nsfw=True, tags=["shared"])
        ArticleFactory(section=section, tags=[f"t{i}", "shared"], author=UserFactory())
    SectionFactory.create_batch(n)
    CategoryFactory.create_batch(n)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/", 0),
        ("/api/openapi.json", 0),
        ("/api/docs", 0),
        # the page (never a count), its tags
        ("/api/jokes", 2),
        ("/api/jokes?safe=false&tag=shared&page_size=50", 2),
        ("/api/jokes?q=joke", 3),  # + the newest matches
        ("/api/articles", 2),
        ("/api/articles?tag=shared&page_size=50", 2),
        ("/api/jokes?safe=false&page=2&page_size=1", 2),
        # the lowest and highest id, the joke, its tags (pick_random: with every joke
        # a candidate, the first try finds one)
        ("/api/jokes/random?safe=false", 4),
        # one query each, with the counts as subqueries
        ("/api/sections", 1),
        ("/api/categories", 1),
        ("/api/tags?safe=false", 1),
    ],
)
def test_list_query_counts_do_not_grow(client, django_assert_num_queries, url, expected):
    add_content(1)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    add_content(12)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_detail_query_counts_do_not_grow(client, django_assert_num_queries):
    joke = JokeFactory(tags=["a"])
    article = ArticleFactory(tags=["a"], author=UserFactory())
    # the item, its tags
    for url in (f"/api/jokes/{joke.pk}", f"/api/articles/{article.pk}"):
        with django_assert_num_queries(2):
            assert client.get(url).status_code == 200
    joke.tags.add("b", "c", "d")
    article.tags.add("b", "c", "d")
    add_content(5)
    for url in (f"/api/jokes/{joke.pk}", f"/api/articles/{article.pk}"):
        with django_assert_num_queries(2):
            assert client.get(url).status_code == 200


def test_joke_of_the_day_query_count(client, django_assert_num_queries):
    JokeFactory(tags=["a"])
    client.get("/api/jokes/today")  # chooses the day's joke (a write, once a day)
    # the day's choice with its joke, its tags
    with django_assert_num_queries(2):
        assert client.get("/api/jokes/today").status_code == 200
    add_content(5)
    with django_assert_num_queries(2):
        assert client.get("/api/jokes/today").status_code == 200


def test_without_the_database_the_api_says_try_again(client, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Section.objects, "annotate", unavailable)
    response = client.get("/api/sections")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "The API is busy; please try again in a moment."}
