"""What shared links and search engines read: canonical URL, OpenGraph, JSON-LD, titles."""

import json
import re

import pytest

from tests.factories import ArticleFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db


def ld_blocks(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def meta(html, prop):
    match = re.search(rf'<meta property="{prop}" content="([^"]*)"', html)
    return match.group(1) if match else None


def test_an_article_page_carries_news_article_data(client, settings, editor):
    editor.first_name, editor.last_name = "Ada", "Reporter"
    editor.save()
    article = ArticleFactory(
        title="River </script><script>alert(1)</script> rises",
        author=editor,
        summary="Water levels.",
        tags=["rivers"],
        section=SectionFactory(name="News", slug="news"),
    )
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"http://{settings.SITE_DOMAIN}{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:url") == url
    assert meta(html, "og:description") == "Water levels."
    [data] = ld_blocks(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["author"] == {"@type": "Person", "name": "Ada Reporter"}
    assert data["articleSection"] == "News"
    assert data["keywords"] == ["rivers"]
    assert data["mainEntityOfPage"] == url
    assert "<script>alert(1)</script>" not in html


def test_a_joke_page_carries_creative_work_data(client):
    joke = JokeFactory(title="Orchestra", submitter_name="Zoe", submitter_email="z@example.org")
    html = client.get(joke.get_absolute_url()).content.decode()
    [data] = ld_blocks(html)
    assert data["@type"] == "CreativeWork" and data["genre"] == "joke"
    assert data["author"] == {"@type": "Person", "name": "Zoe"}
    assert "z@example.org" not in html
    assert meta(html, "og:title") == "Orchestra"


def test_previews_carry_no_structured_data(client, editor):
    article = ArticleFactory(draft=True)
    client.force_login(editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert ld_blocks(html) == []


def test_canonical_keeps_only_the_page_number(client, settings):
    ArticleFactory.create_batch(21)
    html = client.get("/bulletin/?page=2&utm_source=x").content.decode()
    assert f'<link rel="canonical" href="http://{settings.SITE_DOMAIN}/bulletin/?page=2">' in html
    html = client.get("/bulletin/?page=1").content.decode()
    assert f'<link rel="canonical" href="http://{settings.SITE_DOMAIN}/bulletin/">' in html


def test_every_page_type_has_its_own_title_and_a_description(client):
    section = SectionFactory(name="News")
    article = ArticleFactory(title="A headline", section=section)
    joke = JokeFactory(title="A joke title", tags=["rivers"])
    for _ in range(21):  # a second page of each list
        ArticleFactory(section=section, tags=["rivers"])
        JokeFactory(category=joke.category, tags=["rivers"])
    pages = [
        "/",
        "/bulletin/",
        "/bulletin/?page=2",
        article.section.get_absolute_url(),
        f"{article.section.get_absolute_url()}?page=2",
        article.get_absolute_url(),
        "/bulletin/archive/",
        "/jokes/",
        "/jokes/?page=2",
        "/jokes/top/",
        "/jokes/top/?page=2",
        "/jokes/top/?period=week",
        joke.category.get_absolute_url(),
        f"{joke.category.get_absolute_url()}?page=2",
        joke.get_absolute_url(),
        "/tags/rivers/",
        "/tags/rivers/?page=2",
        "/search/?q=headline",
        "/submit/joke/",
        "/submit/article/",
    ]
    titles = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        titles.append(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())
        assert re.search(r'<meta name="description" content="[^"]+">', html), url
        assert meta(html, "og:title"), url
        # Twitter reads its title, description and image from the OpenGraph tags.
        assert '<meta name="twitter:card" content="summary">' in html, url
    assert len(set(titles)) == len(titles), titles


BREADCRUMB = re.compile(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', re.S)


def test_listing_and_detail_pages_carry_breadcrumbs_from_home(client):
    article = ArticleFactory(title="A headline", tags=["rivers"])
    joke = JokeFactory(title="A joke title", tags=["rivers"])
    trails = {
        "/bulletin/": ["Home"],
        article.section.get_absolute_url(): ["Home", "All headlines"],
        article.get_absolute_url(): ["Home", article.section.name],
        "/bulletin/archive/": ["Home"],
        "/jokes/": ["Home"],
        "/jokes/top/": ["Home", "Jokes"],
        joke.category.get_absolute_url(): ["Home", "Jokes"],
        joke.get_absolute_url(): ["Home", "Jokes", joke.category.name],
        "/tags/rivers/": ["Home"],
        "/search/?q=headline": ["Home"],
    }
    for url, links in trails.items():
        trail = BREADCRUMB.search(client.get(url).content.decode())
        assert trail, url
        names = re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", trail.group(1))
        assert names[: len(links)] == links, (url, names)
