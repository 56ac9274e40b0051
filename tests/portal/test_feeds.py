"""Feeds, sitemaps and robots.txt: valid, published content only, fixed query counts."""

from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article
from jokes.models import Joke
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def content():
    section = SectionFactory(name="News", slug="news")
    category = CategoryFactory(name="Puns", slug="puns")
    author = UserFactory(username="reporter", first_name="Rita", last_name="Porter")
    public = ArticleFactory(
        section=section, title="Public headline", author=author, tags=["rivers"]
    )
    ArticleFactory(section=section, title="Draft headline", draft=True, tags=["rivers"])
    ArticleFactory(section=section, title="Scheduled headline", scheduled=True, tags=["rivers"])
    joke = JokeFactory(
        category=category,
        title="Public joke",
        submitter_name="Zoe",
        submitter_email="zoe@example.org",
        tags=["rivers"],
    )
    JokeFactory(category=category, title="Pending joke", pending=True, tags=["rivers"])
    JokeFactory(category=category, title="Flagged joke", nsfw=True, tags=["rivers"])
    return {"section": section, "category": category, "article": public, "joke": joke}


FEEDS = {
    "headlines": lambda c: reverse("feeds:headlines"),
    "headlines-atom": lambda c: reverse("feeds:headlines-atom"),
    "section": lambda c: reverse("feeds:section", kwargs={"section": "news"}),
    "section-atom": lambda c: reverse("feeds:section-atom", kwargs={"section": "news"}),
    "jokes": lambda c: reverse("feeds:jokes"),
    "jokes-atom": lambda c: reverse("feeds:jokes-atom"),
    "category": lambda c: reverse("feeds:category", kwargs={"slug": "puns"}),
    "category-atom": lambda c: reverse("feeds:category-atom", kwargs={"slug": "puns"}),
    "tag": lambda c: reverse("feeds:tag", kwargs={"slug": "rivers"}),
    "tag-atom": lambda c: reverse("feeds:tag-atom", kwargs={"slug": "rivers"}),
}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def assert_valid_atom(xml):
    """What RFC 4287 requires, which feedparser lets pass: id, title and updated on
    the feed and on each entry, a link on each, an author on the feed or on each."""
    feed = ElementTree.fromstring(xml)  # noqa: S314 - our own output
    assert feed.tag == f"{ATOM}feed"
    for element in [feed, *feed.iter(f"{ATOM}entry")]:
        for child in ("id", "title", "updated"):
            assert (element.findtext(f"{ATOM}{child}") or "").strip(), (element.tag, child)
    entries = list(feed.iter(f"{ATOM}entry"))
    assert all(entry.find(f"{ATOM}link") is not None for entry in entries)
    author = feed.find(f"{ATOM}author/{ATOM}name")
    assert (author is not None and author.text) or all(
        entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries
    )


def assert_valid_rss(xml):
    """What RSS 2.0 requires: a channel with title, link and description; items with a
    title or a description."""
    rss = ElementTree.fromstring(xml)  # noqa: S314 - our own output
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    for child in ("title", "link", "description"):
        assert (channel.findtext(child) or "").strip(), child
    for item in channel.iter("item"):
        assert item.findtext("title") or item.findtext("description")


@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_is_valid_and_shows_published_content_only(client, content, name, settings):
    url = FEEDS[name](content)
    (assert_valid_atom if name.endswith("atom") else assert_valid_rss)(client.get(url).content)
    feed = parse(client, url)
    assert feed.version == ("atom10" if name.endswith("atom") else "rss20")
    titles = [entry.title for entry in feed.entries]
    assert titles, name
    for hidden in ["Draft headline", "Scheduled headline", "Pending joke", "Flagged joke"]:
        assert hidden not in titles
    for entry in feed.entries:
        assert entry.link.startswith(f"http://{settings.SITE_DOMAIN}/")
        assert entry.published_parsed
    raw = client.get(FEEDS[name](content)).content.decode()
    assert "zoe@example.org" not in raw


@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_is_answered_in_one_piece(client, content, name):
    """gunicorn sends each piece of an answer in a write of its own (SiteFeed)."""
    response = client.get(FEEDS[name](content))
    assert response.status_code == 200
    assert len(list(response)) == 1


def test_feed_entries_carry_what_a_reader_needs(client, content):
    [entry] = parse(client, reverse("feeds:headlines")).entries
    article = content["article"]
    assert entry.title == "Public headline"
    assert entry.link.endswith(article.get_absolute_url())
    assert entry.summary == article.summary
    assert entry.author == "Rita Porter"
    assert [tag.term for tag in entry.tags] == ["News"]
    [joke_entry] = parse(client, reverse("feeds:jokes-atom")).entries
    assert joke_entry.author == "Zoe"
    assert "Its punchline" in joke_entry.summary


def test_the_tag_feed_mixes_headlines_and_jokes(client, content):
    titles = {entry.title for entry in parse(client, reverse("feeds:tag", args=["rivers"])).entries}
    assert titles == {"Public headline", "Public joke"}


def test_a_scheduled_article_enters_the_feed_when_its_time_comes(client, content):
    article = Article.objects.get(title="Scheduled headline")
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    titles = [entry.title for entry in parse(client, reverse("feeds:headlines")).entries]
    assert "Scheduled headline" in titles


def test_an_atom_feed_without_bylines_has_the_site_as_its_author(client, settings):
    ArticleFactory(title="No byline", author=None)
    JokeFactory(title="Anonymous joke", submitter_name="")
    for url in (reverse("feeds:headlines-atom"), reverse("feeds:jokes-atom")):
        xml = client.get(url).content
        assert_valid_atom(xml)
        feed = ElementTree.fromstring(xml)  # noqa: S314 - our own output
        assert feed.findtext(f"{ATOM}author/{ATOM}name") == settings.SITE_NAME


def test_a_scheduled_joke_enters_the_feed_when_its_time_comes(client, content):
    joke = JokeFactory(category=content["category"], title="Scheduled joke")
    Joke.objects.filter(pk=joke.pk).update(published_at=timezone.now() + timedelta(hours=1))
    titles = [entry.title for entry in parse(client, reverse("feeds:jokes")).entries]
    assert "Scheduled joke" not in titles
    Joke.objects.filter(pk=joke.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    titles = [entry.title for entry in parse(client, reverse("feeds:jokes")).entries]
    assert "Scheduled joke" in titles


def test_the_feed_of_a_tag_nothing_public_carries_is_404(client):
    ArticleFactory(title="Draft", draft=True, tags=["secret"])
    JokeFactory(title="Flagged", nsfw=True, tags=["secret"])
    assert client.get("/tags/secret/").status_code == 404
    assert client.get(reverse("feeds:tag", args=["secret"])).status_code == 404
    assert client.get(reverse("feeds:tag-atom", args=["secret"])).status_code == 404
    _, tags = sitemap_locations(client, "/sitemap-tags.xml")
    assert not any(location.endswith("/tags/secret/") for location in tags)


@pytest.mark.parametrize(
    "url", ["/feeds/sections/nope/", "/feeds/categories/nope/", "/feeds/tags/nope/"]
)
def test_unknown_feeds_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", FEEDS)
def test_feed_query_counts_do_not_grow(client, content, django_assert_num_queries, name):
    url = FEEDS[name](content)
    client.get(url)  # the site's domain is read once, then cached
    with django_assert_num_queries(QUERIES[name]):
        client.get(url)
    for _ in range(5):
        ArticleFactory(section=content["section"], tags=["rivers"])
        JokeFactory(category=content["category"], tags=["rivers"])
    with django_assert_num_queries(QUERIES[name]):
        client.get(url)


# the items; + the section, category or tag; the tag feed reads headlines and jokes
QUERIES = {
    "headlines": 1,
    "headlines-atom": 1,
    "section": 2,
    "section-atom": 2,
    "jokes": 1,
    "jokes-atom": 1,
    "category": 2,
    "category-atom": 2,
    "tag": 3,
    "tag-atom": 3,
}


def test_pages_advertise_their_feeds(client, content):
    pages = {
        "/": "/feeds/headlines/",
        "/bulletin/news/": "/feeds/sections/news/",
        "/jokes/category/puns/": "/feeds/categories/puns/",
        "/tags/rivers/": "/feeds/tags/rivers/",
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert 'rel="alternate" type="application/rss+xml"' in html, page
        assert f'href="{feed}"' in html, page
        assert 'rel="alternate" type="application/atom+xml"' in html, page
    # Every page names the site-wide feeds, RSS and Atom.
    html = client.get("/jokes/").content.decode()
    for name in ("headlines", "headlines-atom", "jokes", "jokes-atom"):
        assert f'href="{reverse(f"feeds:{name}")}"' in html, name


# Sitemaps and robots.txt


def sitemap_locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    return root, [loc.text for loc in root.iterfind(".//sm:loc", SITEMAP_NS)]


def test_the_sitemap_index_and_its_parts(client, content, settings):
    root, parts = sitemap_locations(client, "/sitemap.xml")
    assert root.tag == f"{{{SITEMAP_NS['sm']}}}sitemapindex"
    base = f"http://{settings.SITE_DOMAIN}"
    assert {f"{base}/sitemap-{kind}.xml" for kind in ["pages", "articles", "jokes", "tags"]} <= set(
        parts
    )
    every = []
    for part in parts:
        part_root, locations = sitemap_locations(client, part.removeprefix(base))
        assert part_root.tag == f"{{{SITEMAP_NS['sm']}}}urlset"
        every += locations
    assert f"{base}{content['article'].get_absolute_url()}" in every
    assert f"{base}{content['joke'].get_absolute_url()}" in every
    assert f"{base}/tags/rivers/" in every
    assert f"{base}/bulletin/news/" in every
    for hidden in Article.objects.exclude(pk__in=Article.objects.published()):
        assert f"{base}{hidden.get_absolute_url()}" not in every
    for hidden in Joke.objects.exclude(pk__in=Joke.objects.published()):
        assert f"{base}{hidden.get_absolute_url()}" not in every
    _, articles = sitemap_locations(client, "/sitemap-articles.xml")
    assert client.get("/sitemap-articles.xml").content.count(b"<lastmod>") == len(articles)


def test_the_listing_pages_carry_the_day_of_their_newest_change(client, content, settings):
    root = ElementTree.fromstring(client.get("/sitemap-pages.xml").content)  # noqa: S314
    lastmods = {
        url.findtext("sm:loc", namespaces=SITEMAP_NS).removeprefix(f"http://{settings.SITE_DOMAIN}"):
        url.findtext("sm:lastmod", namespaces=SITEMAP_NS)
        for url in root.findall("sm:url", SITEMAP_NS)
    }  # fmt: skip

    def day(model):
        return timezone.localtime(model.objects.latest("updated_at").updated_at).date().isoformat()

    assert lastmods == {
        "/": max(day(Article), day(Joke)),
        "/bulletin/": day(Article),
        "/bulletin/archive/": day(Article),
        "/jokes/": day(Joke),
        "/jokes/top/": day(Joke),
    }


@pytest.mark.parametrize("kind", ["articles", "jokes", "tags", "sections", "categories", "pages"])
def test_sitemap_query_counts_do_not_grow(client, content, django_assert_num_queries, kind):
    url = f"/sitemap-{kind}.xml"
    client.get(url)  # the site's domain is read once, then cached
    with django_assert_num_queries(SITEMAP_QUERIES[kind]):
        client.get(url)
    for _ in range(5):
        ArticleFactory(section=SectionFactory(), tags=["more"])
        JokeFactory(category=CategoryFactory(), tags=["more"])
    with django_assert_num_queries(SITEMAP_QUERIES[kind]):
        client.get(url)


# articles, jokes, tags: the highest id for the paginator, the page's items; sections,
# categories: the list, once; pages: the latest change of articles and of jokes
SITEMAP_QUERIES = {"articles": 2, "jokes": 2, "tags": 2, "sections": 1, "categories": 1, "pages": 2}


def test_the_sitemap_index_asks_each_part_once(client, content, django_assert_num_queries):
    """pages: the latest change of articles and of jokes; articles, jokes: their
    highest id and their latest change; tags: their highest id; sections, categories:
    their list (its length and latest change)."""
    client.get("/sitemap.xml")  # the site's domain is read once, then cached
    with django_assert_num_queries(9):
        client.get("/sitemap.xml")
    for _ in range(5):
        ArticleFactory(section=SectionFactory(), tags=["more"])
        JokeFactory(category=CategoryFactory(), tags=["more"])
    with django_assert_num_queries(9):
        client.get("/sitemap.xml")


def test_robots_txt(client, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for path in ["/admin/", "/search/", "/submit/", "/api/", "/bulletin/preview/"]:
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: http://{settings.SITE_DOMAIN}/sitemap.xml" in lines


def test_large_sitemaps_are_split_by_id_range(client, content, monkeypatch, settings):
    """Pages hold ranges of ids (portal/sitemap_pages.py): every published item is on
    exactly one page, and the index lists the pages from the highest id."""
    from bulletin.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(5):
        ArticleFactory()
    base = f"http://{settings.SITE_DOMAIN}"
    _, parts = sitemap_locations(client, "/sitemap.xml")
    pages = [part for part in parts if "/sitemap-articles.xml" in part]
    highest = Article.objects.order_by("-pk").first().pk
    assert len(pages) == -(-highest // 2)
    listed = []
    for page in pages:
        listed += sitemap_locations(client, page.removeprefix(base))[1]
    published = [f"{base}{a.get_absolute_url()}" for a in Article.objects.published()]
    assert sorted(listed) == sorted(published)
    assert client.get(f"/sitemap-articles.xml?p={len(pages) + 1}").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
