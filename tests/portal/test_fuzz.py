"""Every public address and form, fed generated input (hypothesis).

Whatever arrives, the answer is never a server error, and a refused request (a 4xx,
or a form shown again with its errors) stores nothing: the counts of jokes,
contributions, votes and reports stay as they were. An accepted one stores what it
should and no more.

The routes come from the URL configuration itself (everything outside /admin/), so a
new page is fuzzed without a change here. The runs are repeatable (derandomize) and
bounded (max_examples); each example runs in a transaction that is rolled back, so
examples do not see each other's writes. The function-scoped fixtures (the database,
the content, raised rate limits) are shared by all examples of a test on purpose.
"""

import re
from contextlib import contextmanager
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.contrib.redirects.models import Redirect
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jokes.models import Joke, Report, Vote
from portal.models import Contribution
from portal.sitemaps import SITEMAPS
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    PreviewLinkFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def fuzz(max_examples):
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,  # nothing written into the project
        print_blob=False,
        # The database and content fixtures are meant to be shared by the examples;
        # each example rolls its own writes back (see `isolated`).
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# The routes


def public_routes():
    """(route, {parameter: converter}) of every public URL pattern: all but the admin
    and the media files that only the development server serves."""

    def walk(patterns, prefix, converters):
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue
            route = prefix + str(pattern.pattern)
            found = {**converters, **pattern.pattern.converters}
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, found)
            elif isinstance(pattern, URLPattern):
                yield route, found

    return [
        (route, converters)
        for route, converters in walk(get_resolver().url_patterns, "", {})
        if not route.startswith("admin/")
    ]


ROUTES = public_routes()
PARAMETER = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def fill(route, values):
    """The path of `route` with each parameter replaced by its value, percent-encoded
    (so anything, a slash or a NUL included, reaches the server as sent)."""

    def value(match):
        name = match.group("name")
        return quote(values[name], safe="/" if name == "rest" else "")

    return "/" + PARAMETER.sub(value, route)


# Generated values

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
SHORT_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e9",
        "99999999999999999999999",
        "NaN",
        "null",
        "None",
        "true",
        "\x00",
        "%00",
        "'",
        '"',
        "' OR 1=1 --",
        "'; DROP TABLE jokes_joke; --",
        '"quoted" AND NOT NEAR(x y) OR title:* ^prefix',
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "//evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example",
        "%",
        "%%",
        "{{ 7*7 }}",
        "😀" * 30,
        "标题 笑话",
        "a" * 5000,
        "\u202e\u200b\ufeff",
        "\r\n\r\nSet-Cookie: x=y",
    ]
)
NUMBER = st.integers(min_value=-(10**20), max_value=10**20).map(str)
KNOWN_KEYS = [
    "page",
    "period",
    "q",
    "kind",
    "section",
    "category",
    "not",
    "from",
    "next",
    "safe",
    "page_size",
    "format",
]


def real_values(content, route, name):
    """Values that exist, for this route's parameter: the tag pages get tag slugs, the
    category pages category slugs, and so on."""
    values = content["values"]
    if name == "slug":
        for prefix, kind in [
            ("tags/", "tag"),
            ("feeds/tags/", "tag"),
            ("jokes/category/", "category"),
            ("feeds/categories/", "category"),
        ]:
            if route.startswith(prefix):
                return values[kind]
        return values["article"]
    if name == "section" and route.startswith("sitemap"):
        return values["sitemap"]
    return values.get(name, [])


def mostly(likely, other, percent=70):
    """`likely` about `percent` of the time, else `other`."""
    return st.integers(0, 99).flatmap(lambda n: likely if n < percent else other)


def values_from(content, route, name, converter):
    made_up = st.one_of(TEXT, HOSTILE, NUMBER, st.from_regex(converter.regex, fullmatch=True))
    real = real_values(content, route, name)
    # Mostly real values: they reach the views' own code, not just the 404.
    return mostly(st.sampled_from(real), made_up) if real else made_up


def query_values(content):
    return st.one_of(
        TEXT,
        HOSTILE,
        NUMBER,
        st.sampled_from(["1", "2", "last", "week", "month", "all", "articles", "jokes"]),
        st.sampled_from(content["values"]["section"] + content["values"]["category"]),
        st.sampled_from(["random", "false", "true", "on", "off"]),
    )


def query_strings(content):
    keys = st.one_of(st.sampled_from(KNOWN_KEYS), SHORT_TEXT)
    pairs = st.lists(st.tuples(keys, query_values(content)), min_size=1, max_size=6)
    return mostly(st.just(""), pairs.map(urlencode), percent=40)


ACCEPT = st.sampled_from(["text/html", "application/json", "*/*", "", "application/xml"])


# Content and checks


@pytest.fixture
def content(settings):
    """Some of each thing a public address can name, and no rate limit in the way."""
    settings.SUBMISSIONS_PER_HOUR = settings.VOTES_PER_HOUR = settings.REPORTS_PER_HOUR = 10**9
    settings.API_REQUESTS_PER_MINUTE = 10**9
    news = SectionFactory(name="Local news")
    unicode_section = SectionFactory(name="Nouvelles é 新闻")
    articles = [
        ArticleFactory(section=news, title="Harbour reopens", tags=["sea", "people"]),
        ArticleFactory(section=unicode_section, title="标题 新闻", tags=["世界"]),
        ArticleFactory(section=news, title="A draft", draft=True),
        ArticleFactory(section=news, title="Tomorrow", scheduled=True),
    ]
    preview = PreviewLinkFactory(article=articles[2])
    puns = CategoryFactory(name="Puns")
    jokes = [
        JokeFactory(category=puns, title="Seagull", tags=["sea"]),
        JokeFactory(category=puns, nsfw=True),
        JokeFactory(category=CategoryFactory(name="Knock-knock"), tags=["people"]),
        JokeFactory(category=puns, pending=True),
    ]
    contribution = ContributionFactory(section=news)
    Redirect.objects.create(site_id=1, old_path="/old/", new_path=articles[0].get_absolute_url())
    years = sorted({str(a.publish_at.year) for a in articles if a.publish_at})
    return {
        "jokes": jokes,
        "articles": [(a.section.slug, a.slug) for a in articles],
        "sections": [news, unicode_section],
        "category": puns,
        "values": {
            "section": [news.slug, unicode_section.slug],
            "sitemap": list(SITEMAPS),
            "article": [a.slug for a in articles],
            "category": [puns.slug, "knock-knock"],
            "tag": ["sea", "people", "世界"],
            "pk": [str(j.pk) for j in jokes],
            "joke_id": [str(j.pk) for j in jokes],
            "article_id": [str(a.pk) for a in articles] + [a.slug for a in articles],
            "token": [preview.token, jokes[3].status_token, contribution.status_token],
            "year": [*years, "1999", "2999"],
            "month": ["1", "01", "06", "12"],
            "rest": ["jokes/1/2", "nope", ""],
        },
    }


def counts():
    return (
        Joke.objects.count(),
        Contribution.objects.count(),
        Vote.objects.count(),
        Report.objects.count(),
    )


@contextmanager
def isolated():
    """One example's writes, rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_no_server_error(response, request):
    # Shown by --hypothesis-show-statistics: how much got past the forms.
    event(f"status {response.status_code}")
    assert response.status_code < 500, (response.status_code, request)


def assert_local_redirect(response):
    """A redirect never leads off the site (an open redirect through `next`)."""
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"])
        assert target.scheme in ("", "http", "https") and target.netloc in ("", "testserver"), (
            response["Location"]
        )


def post(client, path, pairs, accept=""):
    """A form post as a browser sends it (url-encoded), whatever the keys and values."""
    return client.post(
        path,
        urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT=accept,
    )


# Addresses: every route, with generated path segments and query strings


@pytest.mark.parametrize(
    ("route", "converters"), ROUTES, ids=[route or "home" for route, _ in ROUTES]
)
def test_every_public_route_carries_the_security_headers(
    client, content, settings, route, converters
):
    """Each public URL pattern, with values that exist, over HTTPS as in production:
    whatever it answers (a page, a redirect, a 404, a 405), the headers are there."""
    from tests.portal.test_hardening import assert_security_headers

    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    values = {name: (real_values(content, route, name) or ["1"])[0] for name in converters}
    url = fill(route, values)
    response = client.get(url, secure=True)
    assert response.status_code < 500, url
    assert_security_headers(response, url)


def test_the_earliest_month_archive_is_not_a_server_error(client):
    """January 1000 has no previous month an address can name: no link to it."""
    response = client.get("/bulletin/archive/1000/01/")
    assert response.status_code == 200
    assert "/bulletin/archive/999/" not in response.content.decode()


@pytest.mark.parametrize(
    ("route", "converters"), ROUTES, ids=[route or "home" for route, _ in ROUTES]
)
@fuzz(max_examples=18)
@given(data=st.data())
def test_every_public_route_with_generated_segments_and_queries(content, route, converters, data):
    values = {
        name: data.draw(values_from(content, route, name, converter), label=name)
        for name, converter in converters.items()
    }
    if route == "bulletin/<uslug:section>/<uslug:slug>/" and data.draw(st.booleans()):
        # An article's own section and slug, or its slug under another section.
        section, values["slug"] = data.draw(st.sampled_from(content["articles"]), label="article")
        values["section"] = data.draw(mostly(st.just(section), st.just(values["section"])))
    path = fill(route, values)
    query = data.draw(query_strings(content), label="query")
    method = data.draw(st.sampled_from(["get", "get", "head"]), label="method")
    accept = data.draw(ACCEPT, label="accept")
    before = counts()
    with isolated():
        response = getattr(Client(), method)(f"{path}?{query}", HTTP_ACCEPT=accept)
        assert_no_server_error(response, (method, path, query))
        assert counts() == before  # reading stores nothing


@fuzz(max_examples=300)
@given(data=st.data())
def test_any_path_at_all(content, data):
    """Paths made of anything: what no route matches is a 404, never a 500."""
    segments = data.draw(
        st.lists(st.one_of(TEXT, HOSTILE, st.sampled_from(["bulletin", "jokes", "feeds",
                                                           "tags", "submit", "api"])),
                 min_size=1, max_size=4),
        label="segments",
    )  # fmt: skip
    path = "/" + "/".join(quote(segment, safe="") for segment in segments) + "/"
    before = counts()
    with isolated():
        response = Client().get(path)
        assert_no_server_error(response, path)
        assert counts() == before


@fuzz(max_examples=200)
@given(data=st.data())
def test_search_with_generated_queries_and_filters(content, data):
    """The search reads words only: quotes, operators and FTS or tsquery syntax are
    never syntax, on SQLite or PostgreSQL."""
    q = data.draw(st.one_of(TEXT, HOSTILE, st.sampled_from(["sea", "seagull harbour"])))
    params = {"q": q, "kind": data.draw(st.sampled_from(["", "articles", "jokes", "both"]))}
    # Mostly filters that exist (or none), so that most searches run.
    which = data.draw(st.sampled_from(["none", "none", "section", "category", "made-up"]))
    if which == "section":
        params["section"] = data.draw(st.sampled_from(content["values"]["section"]))
    elif which == "category":
        params["category"] = data.draw(st.sampled_from(content["values"]["category"]))
    elif which == "made-up":
        params["section"] = data.draw(st.one_of(SHORT_TEXT, HOSTILE))
        params["category"] = data.draw(st.one_of(SHORT_TEXT, HOSTILE))
    if data.draw(st.booleans()):
        params["page"] = data.draw(st.one_of(NUMBER, st.sampled_from(["1", "2", "last", ""])))
    before = counts()
    with isolated():
        response = Client().get("/search/", params)
        assert_no_server_error(response, params)
        assert response.status_code in (200, 400), params
        assert counts() == before


# Forms: submissions, votes, reports, safe mode


def form_pairs(fields, extra_keys=("status", "score", "published_at", "id", "author")):
    """Url-encoded pairs: a plausible form, then none to a few changes: a field left
    out, emptied, made hostile or sent twice, and keys the form does not have (which
    must change nothing)."""

    @st.composite
    def build(draw):
        pairs = [(name, draw(plausible)) for name, plausible in fields.items()]
        for _ in range(draw(st.integers(0, 3))):
            change = draw(st.sampled_from(["drop", "junk", "junk", "twice", "extra", "unknown"]))
            if change == "drop" and pairs:
                pairs.pop(draw(st.integers(0, len(pairs) - 1)))
            elif change == "junk" and pairs:
                index = draw(st.integers(0, len(pairs) - 1))
                pairs[index] = (pairs[index][0], draw(st.one_of(TEXT, HOSTILE, NUMBER)))
            elif change == "twice":
                name = draw(st.sampled_from(list(fields)))
                pairs.append((name, draw(st.one_of(fields[name], TEXT))))
            elif change == "extra":
                pairs.append((draw(st.sampled_from(extra_keys)), draw(st.one_of(TEXT, HOSTILE))))
            else:
                pairs.append((draw(SHORT_TEXT), draw(TEXT)))
        return pairs

    return build()


WORDS = st.text(st.characters(categories=("L", "Nd")), min_size=1, max_size=10)
NAMES = st.lists(WORDS, max_size=4).map(" ".join)


def joke_texts():
    words = st.lists(
        st.sampled_from(["why", "did", "the", "seagull", "cross", "road", "bread", "pun", "🙂"]),
        min_size=4,
        max_size=30,
    ).map(" ".join)
    return st.one_of(words, words.map(lambda text: text + "\r\n" + text.upper()))


@fuzz(max_examples=150)
@given(data=st.data())
def test_joke_submissions(content, data):
    category = content["category"]
    pairs = data.draw(
        form_pairs(
            {
                "text": joke_texts(),
                "title": NAMES,
                "category": st.just(str(category.pk)),
                "submitter_name": NAMES,
                "submitter_email": st.sampled_from(["", "a@example.org"]),
                "website": st.just(""),  # the honeypot
            }
        )
    )
    before = counts()
    with isolated():
        response = post(Client(), "/submit/joke/", pairs)
        assert_no_server_error(response, pairs)
        after = counts()
        if response.status_code == 302:
            assert after == (before[0] + 1, *before[1:])
            joke = Joke.objects.latest("pk")
            # Nothing posted can publish, score or attribute a visitor's joke.
            assert (joke.status, joke.published_at, joke.score, joke.author) == (
                Joke.Status.PENDING,
                None,
                0,
                None,
            )
            assert response["Location"] == f"/submit/status/{joke.status_token}/"
        else:
            assert response.status_code == 400, pairs  # the form again, with its errors
            assert after == before


@fuzz(max_examples=150)
@given(data=st.data())
def test_article_submissions(content, data):
    section = content["sections"][0]
    long_text = st.lists(WORDS, min_size=12, max_size=60).map(" ".join)
    pairs = data.draw(
        form_pairs(
            {
                "title": NAMES.filter(str.strip),
                "section": st.just(str(section.pk)),
                "text": st.one_of(long_text, long_text.map(lambda t: t + "\n\n" + t)),
                "submitter_name": NAMES,
                "submitter_email": st.sampled_from(["", "a@example.org"]),
                "website": st.just(""),
            },
            extra_keys=("status", "article", "decided_by", "status_token"),
        )
    )
    before = counts()
    with isolated():
        response = post(Client(), "/submit/article/", pairs)
        assert_no_server_error(response, pairs)
        after = counts()
        if response.status_code == 302:
            assert after == (before[0], before[1] + 1, *before[2:])
            contribution = Contribution.objects.latest("pk")
            assert contribution.status == Contribution.Status.PENDING
            assert contribution.article is None and contribution.decided_by is None
        else:
            assert response.status_code == 400, pairs
            assert after == before


def joke_ids(content):
    public = [str(joke.pk) for joke in content["jokes"][:3]]
    others = [str(content["jokes"][3].pk), "0", "999999999", "999999999999999999"]
    return mostly(st.sampled_from(public), st.sampled_from(others), percent=80)


@fuzz(max_examples=150)
@given(data=st.data())
def test_votes(content, data):
    pk = data.draw(joke_ids(content), label="joke")
    pairs = data.draw(
        form_pairs({"vote": st.sampled_from(["up", "down", "clear"]),
                    "next": st.one_of(HOSTILE, st.sampled_from(["/jokes/", "/"]))},
                   extra_keys=("value", "score", "voter")),
    )  # fmt: skip
    accept = data.draw(ACCEPT, label="accept")
    before = counts()
    score = Joke.objects.filter(pk=pk).values_list("score", flat=True).first()
    with isolated():
        response = post(Client(), f"/jokes/{pk}/vote/", pairs, accept)
        assert_no_server_error(response, (pk, pairs))
        assert_local_redirect(response)
        after = counts()
        assert after[:2] == before[:2] and after[3] == before[3]
        if response.status_code >= 400:
            assert after == before
            assert Joke.objects.filter(pk=pk).values_list("score", flat=True).first() == score
        else:
            # One visitor, one vote at most; the score is the sum of the votes.
            assert after[2] - before[2] in (-1, 0, 1)
            joke = Joke.objects.get(pk=pk)
            assert joke.score == sum(joke.votes.values_list("value", flat=True))


@fuzz(max_examples=120)
@given(data=st.data())
def test_reports(content, data):
    pk = data.draw(joke_ids(content), label="joke")
    pairs = data.draw(
        form_pairs(
            {
                "reason": st.sampled_from(Report.Reason.values),
                "details": st.one_of(NAMES, TEXT),
            },
            extra_keys=("resolved_at", "client", "reporter"),
        )
    )
    before = counts()
    with isolated():
        response = post(Client(), f"/jokes/{pk}/report/", pairs)
        assert_no_server_error(response, (pk, pairs))
        assert_local_redirect(response)
        after = counts()
        if response.status_code == 302:
            assert after == (*before[:3], before[3] + 1)
            assert Report.objects.latest("pk").resolved_at is None
        else:
            assert response.status_code in (400, 404), (response.status_code, pairs)
            assert after == before


@fuzz(max_examples=80)
@given(data=st.data())
def test_safe_mode_switch(content, data):
    pairs = data.draw(
        form_pairs({"safe_mode": st.sampled_from(["on", "off", "", "ON", "1"]),
                    "next": st.one_of(HOSTILE, TEXT, st.sampled_from(["/jokes/top/", "/"]))}),
    )  # fmt: skip
    query = data.draw(st.one_of(st.just(""), HOSTILE.map(lambda n: urlencode({"next": n}))))
    before = counts()
    with isolated():
        response = post(Client(), f"/jokes/safe-mode/?{query}", pairs)
        assert_no_server_error(response, pairs)
        assert_local_redirect(response)
        assert response.status_code in (302, 400)
        assert counts() == before


def test_the_fuzzed_routes_cover_every_public_page():
    """A guard on the discovery: the pages the product lists are all among them."""
    routes = {route for route, _ in ROUTES}
    for expected in [
        "",
        "bulletin/",
        "bulletin/<uslug:section>/<uslug:slug>/",
        "bulletin/archive/<year:year>/<month:month>/",
        "bulletin/preview/<token:token>/",
        "jokes/<id:pk>/vote/",
        "jokes/<id:pk>/report/",
        "jokes/safe-mode/",
        "jokes/category/<jokes-slug:slug>/",
        "submit/joke/",
        "submit/article/",
        "submit/status/<token:token>/",
        "tags/<uslug:slug>/",
        "search/",
        "feeds/tags/<uslug:slug>/atom/",
        "sitemap.xml",
        "robots.txt",
    ]:
        assert expected in routes
    assert not any(route.startswith("admin/") for route in routes)
