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
    article = ArticleFactory(title="A headline", section=SectionFactory(name="News"))
    joke = JokeFactory(title="A joke title", tags=["rivers"])
    ArticleFactory(tags=["rivers"])
    pages = [
        "/",
        "/bulletin/",
        article.section.get_absolute_url(),
        article.get_absolute_url(),
        "/bulletin/archive/",
        "/jokes/",
        "/jokes/top/",
        joke.category.get_absolute_url(),
        joke.get_absolute_url(),
        "/tags/rivers/",
        "/submit/joke/",
        "/submit/article/",
    ]
    titles = []
    for url in pages:
        html = client.get(url).content.decode()
        titles.append(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())
        assert re.search(r'<meta name="description" content="[^"]+">', html), url
        assert meta(html, "og:title"), url
    assert len(set(titles)) == len(titles), titles
