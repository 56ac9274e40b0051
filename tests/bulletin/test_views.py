from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article
from tests.factories import ArticleFactory, PreviewLinkFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(name="News", slug="news")


def test_every_route_reverses():
    assert reverse("bulletin:article-list") == "/bulletin/"
    assert reverse("bulletin:archive-index") == "/bulletin/archive/"
    assert reverse("bulletin:archive-year", kwargs={"year": 2026}) == "/bulletin/archive/2026/"
    assert (
        reverse("bulletin:archive-month", kwargs={"year": 2026, "month": 3})
        == "/bulletin/archive/2026/03/"
    )
    assert reverse("bulletin:section-detail", kwargs={"section": "news"}) == "/bulletin/news/"
    assert (
        unquote(reverse("bulletin:article-detail", kwargs={"section": "news", "slug": "标题"}))
        == "/bulletin/news/标题/"
    )
    assert reverse("bulletin:article-preview", kwargs={"token": "abc"}) == "/bulletin/preview/abc/"


def test_lists_show_published_only(client, section):
    public = ArticleFactory(section=section, title="Public headline")
    hidden = [
        ArticleFactory(section=section, title="Draft headline", draft=True),
        ArticleFactory(section=section, title="Review headline", status=Article.Status.REVIEW),
        ArticleFactory(section=section, title="Scheduled headline", scheduled=True),
        ArticleFactory(section=section, title="Archived headline", status=Article.Status.ARCHIVED),
    ]
    expired = ArticleFactory(section=section, title="Expired headline")
    Article.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    year = public.publish_at.year
    pages = [
        reverse("bulletin:article-list"),
        section.get_absolute_url(),
        reverse("bulletin:archive-index"),
        reverse("bulletin:archive-year", kwargs={"year": year}),
        reverse("bulletin:archive-month", kwargs={"year": year, "month": public.publish_at.month}),
        reverse("portal:home"),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "Public headline" in content, url
        for article in [*hidden, expired]:
            assert article.title not in content, url


@pytest.mark.parametrize(
    "fields",
    [
        {"draft": True},
        {"status": Article.Status.REVIEW},
        {"scheduled": True},
        {"status": Article.Status.ARCHIVED},
        {"expired": True},
    ],
    ids=["draft", "review", "scheduled", "archived", "expired"],
)
def test_unpublished_article_is_a_404_for_visitors(client, visitor, fields):
    if fields.pop("expired", False):
        now = timezone.now()
        fields = {"publish_at": now - timedelta(days=2), "expires_at": now - timedelta(days=1)}
    article = ArticleFactory(**fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(visitor)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_on_its_own(client):
    article = ArticleFactory(publish_at=timezone.now() + timedelta(seconds=30))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 200


def test_article_page_shows_everything_a_reader_expects(client, section, editor):
    editor.first_name, editor.last_name = "Ada", "Reporter"
    editor.save()
    now = timezone.now()
    older = ArticleFactory(section=section, title="Older one", publish_at=now - timedelta(days=3))
    article = ArticleFactory(
        section=section,
        title="The main story",
        author=editor,
        summary="What happened.",
        body="<p>First <strong>paragraph</strong>.</p>",
        publish_at=now - timedelta(days=2),
        tags=["town", "rivers"],
    )
    newer = ArticleFactory(section=section, title="Newer one", publish_at=now - timedelta(days=1))
    related = ArticleFactory(title="Another river story", tags=["rivers"])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The main story</h1>" in html
    assert "Ada Reporter" in html
    assert "<strong>paragraph</strong>" in html
    assert 'href="/tags/town/"' in html and 'href="/tags/rivers/"' in html
    assert f'rel="prev" href="{older.get_absolute_url()}"' in html
    assert f'rel="next" href="{newer.get_absolute_url()}"' in html
    assert related.get_absolute_url() in html
    assert 'href="/bulletin/news/"' in html
    assert "noindex" not in html


def test_staff_preview_of_a_draft(client, editor):
    article = ArticleFactory(draft=True, title="Not yet")
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview: this article is not public" in response.content
    assert b'<meta name="robots" content="noindex, nofollow">' in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_preview_link_shows_a_draft_without_an_account(client):
    link = PreviewLinkFactory(article__title="Shared draft")
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert b"Shared draft" in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    link.revoke()
    assert client.get(link.get_absolute_url()).status_code == 404
    expired = PreviewLinkFactory(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(expired.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("bulletin:article-preview", args=["no-such-token"])).status_code == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/bulletin/no-such-section/",
        "/bulletin/no-such-section/no-such-article/",
        "/bulletin/archive/9999/",
        "/bulletin/archive/2026/13/",
        "/bulletin/archive/0000/",
        "/bulletin/archive/123456789012345678901234567890/",
        "/bulletin/news/%3Cscript%3E/",
        "/tags/no-such-tag/",
        "/bulletin/preview/" + "a" * 65 + "/",
        "/bulletin/" + "x" * 3000 + "/",
    ],
)
def test_bad_addresses_are_404_in_the_sites_look(client, section, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/bulletin/%00/",
        "/tags/%00/",
        "/bulletin/preview/%00/",
        "/bulletin/?page=%00",
        "/admin/autocomplete/?app_label=bulletin&model_name=article&field_name=section&term=%00",
        "/admin/bulletin/article/?q=%00",
    ],
)
def test_a_nul_byte_in_the_address_is_a_400(client, editor, url):
    """PostgreSQL refuses NUL in a query; no address needs one (middleware)."""
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_an_empty_section_is_not_there_for_visitors(client, section):
    ArticleFactory(section=section, draft=True)
    assert client.get(section.get_absolute_url()).status_code == 404
    assert b'href="/bulletin/news/"' not in client.get("/bulletin/").content
    ArticleFactory(section=section)
    assert client.get(section.get_absolute_url()).status_code == 200
    assert b'href="/bulletin/news/"' in client.get("/bulletin/").content


def test_the_month_archive_breadcrumb_and_no_day_list(client):
    article = ArticleFactory()
    year, month = article.publish_at.year, article.publish_at.month
    html = client.get(f"/bulletin/archive/{year}/{month:02d}/").content.decode()
    assert f'href="/bulletin/archive/{year}/"' in html
    assert 'class="archive-dates"' not in html


def test_far_years_do_not_break_the_archive(client):
    ArticleFactory()
    assert client.get("/bulletin/archive/1000/").status_code == 200
    assert client.get("/bulletin/archive/2999/12/").status_code == 200


def test_pagination_and_bad_page_numbers(client, section):
    ArticleFactory.create_batch(21, section=section)
    assert client.get("/bulletin/?page=2").status_code == 200
    # Pages are not counted (portal/paging.py): there is no "last" to ask for.
    for bad in ("last", "99", "abc", "0", "-1", "1.5", "9" * 30):
        assert client.get(f"/bulletin/?page={bad}").status_code == 404, bad
    first = client.get(section.get_absolute_url())
    assert b'rel="next" href="?page=2"' in first.content
    assert b"Page 1<" in first.content and b'rel="prev"' not in first.content
    second = client.get(section.get_absolute_url() + "?page=2")
    assert b'rel="prev" href="?page=1"' in second.content
    assert b'rel="next"' not in second.content and b"Page 2<" in second.content


def test_wrong_method_is_refused(client, section):
    article = ArticleFactory(section=section)
    assert client.post(article.get_absolute_url()).status_code == 405
    assert client.post("/bulletin/").status_code == 405


def test_server_error_page_is_in_the_sites_look(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "/static/css/site.css" in html


# Query counts: fixed, whatever the number of items shown.


def assert_queries_do_not_grow(client, django_assert_num_queries, url, expected, add_more):
    with django_assert_num_queries(expected):
        assert client.get(url()).status_code == 200
    add_more()
    with django_assert_num_queries(expected):
        assert client.get(url()).status_code == 200


@pytest.mark.parametrize(
    ("name", "expected"),
    # sections for the header, the page (never a count); section: + the section (one
    # with nothing published is a 404 when its first page is empty); archives: + the dates
    [("list", 2), ("section", 3), ("archive-index", 3), ("archive-year", 3), ("archive-month", 3)],
)
def test_listing_query_counts(client, django_assert_num_queries, section, name, expected):
    first = ArticleFactory(section=section, tags=["a"])
    now = first.publish_at
    urls = {
        "list": reverse("bulletin:article-list"),
        "section": section.get_absolute_url(),
        "archive-index": reverse("bulletin:archive-index"),
        "archive-year": reverse("bulletin:archive-year", kwargs={"year": now.year}),
        "archive-month": reverse(
            "bulletin:archive-month", kwargs={"year": now.year, "month": now.month}
        ),
    }

    def add_more():
        for _ in range(15):
            ArticleFactory(section=section, publish_at=now, tags=["a", "b"])
        SectionFactory.create_batch(3)

    assert_queries_do_not_grow(
        client, django_assert_num_queries, lambda: urls[name], expected, add_more
    )


def test_article_query_count(client, django_assert_num_queries, section):
    article = ArticleFactory(section=section, tags=["a"])

    def add_more():
        article.tags.add("b", "c", "d")
        for _ in range(10):
            ArticleFactory(section=section, tags=["a", "b"])

    # article (with its neighbours), its tags, related, sections for the header
    assert_queries_do_not_grow(
        client, django_assert_num_queries, article.get_absolute_url, 4, add_more
    )


def test_an_untagged_article_asks_for_no_related_headlines(
    client, django_assert_num_queries, section
):
    article = ArticleFactory(section=section)
    ArticleFactory(section=section, tags=["a"])
    # article (with its neighbours), its tags (none), sections for the header
    with django_assert_num_queries(3):
        response = client.get(article.get_absolute_url())
    assert response.context["related_articles"] == []
    assert "related-heading" not in response.content.decode()


def test_article_links_its_published_neighbours_in_its_section(client, section):
    now = timezone.now()

    def article(title, days_ago, **fields):
        return ArticleFactory(
            title=title, section=fields.pop("section", section),
            publish_at=now - timedelta(days=days_ago), **fields,
        )  # fmt: skip

    oldest = article("Oldest", 9)
    article("Older draft", 8, draft=True)
    article("Elsewhere", 7, section=SectionFactory())
    middle = article("Middle", 6)
    article("Expired", 5, expires_at=now - timedelta(days=1))
    newest = article("Newest", 4)
    article("Scheduled", -1)
    twin = article("Twin of newest", 4)  # the same time: the id orders them

    def neighbours(item):
        response = client.get(item.get_absolute_url())
        return response.context["previous_article"], response.context["next_article"]

    assert neighbours(middle) == (oldest, newest)
    assert neighbours(oldest) == (None, middle)
    assert neighbours(newest) == (middle, twin)
    assert neighbours(twin) == (newest, None)
    previous, following = neighbours(middle)
    assert (previous.title, following.title) == ("Oldest", "Newest")
    html = client.get(middle.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{oldest.get_absolute_url()}"' in html
    assert f'rel="next" href="{newest.get_absolute_url()}"' in html
