from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jokes.models import Joke
from portal import paging, queries
from tests.factories import ArticleFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_home_shows_featured_and_latest_per_section(client):
    news = SectionFactory(name="News", position=0)
    culture = SectionFactory(name="Culture", position=1)
    now = timezone.now()
    for day in range(7):
        ArticleFactory(section=news, title=f"News {day}", publish_at=now - timedelta(days=day + 1))
    ArticleFactory(section=culture, title="Culture story", featured=True)
    ArticleFactory(section=culture, title="Featured draft", featured=True, draft=True)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert [a.title for a in response.context["featured"]] == ["Culture story"]
    sections = response.context["sections"]
    assert [section.name for section, _ in sections] == ["News", "Culture"]
    # the five newest of each section, newest first
    assert [a.title for a in sections[0][1]] == [f"News {d}" for d in range(5)]
    html = response.content.decode()
    assert "Featured draft" not in html
    assert "News 6" not in html


def test_home_when_nothing_is_published(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert b"Nothing has been published yet." in response.content


def test_home_query_count_does_not_grow(client, django_assert_num_queries):
    ArticleFactory(featured=True)
    JokeFactory()
    client.get(reverse("portal:home"))  # the first visit of the day picks its joke
    # sections for the header, featured, latest per section, joke of the day, top jokes
    with django_assert_num_queries(5):
        client.get(reverse("portal:home"))
    for _ in range(4):
        section = SectionFactory()
        ArticleFactory.create_batch(6, section=section, featured=True)
    JokeFactory.create_batch(8)
    with django_assert_num_queries(5):
        client.get(reverse("portal:home"))


def test_tag_page_lists_published_articles_with_the_tag(client, django_assert_num_queries):
    ArticleFactory(title="Tagged public", tags=["rivers"])
    ArticleFactory(title="Tagged draft", tags=["rivers"], draft=True)
    ArticleFactory(title="Untagged", tags=["other"])
    url = reverse("portal:tag-detail", kwargs={"slug": "rivers"})
    # tag, with whether it is a common one (portal/paging.py, with_tag) per kind; per
    # kind, the list (never a count); sections for the header
    with django_assert_num_queries(4):
        response = client.get(url)
    html = response.content.decode()
    assert "Tagged public" in html
    assert "Tagged draft" not in html and "Untagged" not in html
    ArticleFactory.create_batch(10, tags=["rivers", "other"])
    with django_assert_num_queries(4):
        client.get(url)


def test_tag_page_reads_a_common_tag_the_other_way_to_the_same_items(client, monkeypatch):
    """A tag with POPULAR_TAG taggings or more is read down the lists' own indexes
    (portal/paging.py, with_tag): the page shows what the rarer tag's way shows."""
    for n in range(4):
        ArticleFactory(title=f"Boat {n}", tags=["boats"])
        JokeFactory(text=f"A boat joke {n}", tags=["boats"])
    ArticleFactory(title="Draft boat", tags=["boats"], draft=True)
    JokeFactory(text="A pending boat joke", tags=["boats"], status=Joke.Status.PENDING)
    url = reverse("portal:tag-detail", kwargs={"slug": "boats"})

    def shown():
        html = client.get(url).content.decode()
        return [line for line in html.splitlines() if "Boat " in line or "boat joke" in line]

    rare = shown()
    monkeypatch.setattr(paging, "POPULAR_TAG", 3)
    queries.tag_by_slug.forget()
    try:
        tag = queries.tag_by_slug(slug="boats")[0]
        assert tag.popular_in_articles and tag.popular_in_jokes
        assert shown() == rare
    finally:
        monkeypatch.undo()
        queries.tag_by_slug.forget()
    assert not queries.tag_by_slug(slug="boats")[0].popular_in_articles
    assert len(rare) == 8 and not any("Draft" in line or "pending" in line for line in rare)


def tag_jokes(n, tag="rivers", **kwargs):
    """`n` jokes with the tag, "Joke 0" the newest."""
    now = timezone.now()
    return [
        JokeFactory(
            text=f"Joke {i} here", tags=[tag], published_at=now - timedelta(minutes=i), **kwargs
        )
        for i in range(n)
    ]


def test_tag_page_shows_its_newest_jokes_and_links_to_all_of_them(client):
    tag_jokes(7)
    JokeFactory(text="A pending one", tags=["rivers"], status=Joke.Status.PENDING)
    JokeFactory(text="Another tag's", tags=["boats"])
    response = client.get("/tags/rivers/")
    assert [joke.text for joke in response.context["jokes"]] == [
        f"Joke {i} here" for i in range(queries.TAG_JOKES)
    ]
    html = response.content.decode()
    assert '<a href="/tags/rivers/jokes/">All jokes tagged “rivers”</a>' in html
    assert "pending" not in html and "Another tag" not in html
    Joke.objects.filter(text__in=["Joke 5 here", "Joke 6 here"]).delete()
    html = client.get("/tags/rivers/").content.decode()
    assert "Joke 4 here" in html and "/tags/rivers/jokes/" not in html


def test_a_tags_later_headline_pages_leave_its_jokes_to_the_first(
    client, django_assert_num_queries
):
    tag_jokes(2)
    for _ in range(21):
        ArticleFactory(tags=["rivers"])
    # The tag, the headlines and the header's sections: no jokes.
    with django_assert_num_queries(3):
        response = client.get("/tags/rivers/", {"page": 2})
    assert len(response.context["object_list"]) == 1 and not response.context["jokes"]
    assert "Joke 0 here" not in response.content.decode()
    assert "Joke 0 here" in client.get("/tags/rivers/").content.decode()


def test_a_tags_jokes_pages_hold_all_of_them_newest_first(client, django_assert_num_queries):
    tag_jokes(23)
    JokeFactory(text="A draft", tags=["rivers"], status=Joke.Status.DRAFT)
    JokeFactory(text="Flagged here", tags=["rivers"], nsfw=True, published_at=timezone.now())
    url = reverse("portal:tag-jokes", kwargs={"slug": "rivers"})
    assert url == "/tags/rivers/jokes/"
    # The tag, the page of jokes, the header's sections, the jokes' categories.
    with django_assert_num_queries(4):
        first = client.get(url)
    with django_assert_num_queries(2):  # sections and categories from the cache
        second = client.get(url, {"page": 2})
    shown = [joke.text for joke in first.context["object_list"] + second.context["object_list"]]
    assert shown == [f"Joke {i} here" for i in range(23)]
    html = first.content.decode()
    assert "<h1>Jokes tagged “rivers”</h1>" in html
    assert 'href="?page=2"' in html and '<a href="/tags/rivers/">' in html
    assert client.get(url, {"page": 3}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
    # Flagged jokes only with safe mode off, drafts never.
    client.post(reverse("jokes:safe-mode"), {"safe_mode": "off"})
    texts = [joke.text for joke in client.get(url).context["object_list"]]
    assert "Flagged here" in texts and "A draft" not in texts


def test_a_tags_jokes_page_is_a_404_without_public_jokes(client):
    ArticleFactory(tags=["rivers"])
    JokeFactory(text="A draft", tags=["rivers"], status=Joke.Status.DRAFT)
    assert client.get("/tags/rivers/").status_code == 200
    assert client.get("/tags/rivers/jokes/").status_code == 404
    assert client.get("/tags/no-such-tag/jokes/").status_code == 404
    assert client.post("/tags/rivers/jokes/").status_code in (403, 405)


def test_a_tag_only_flagged_jokes_carry_is_there_only_with_safe_mode_off(client):
    """As its feed and the sitemap: in safe mode (the default) such a tag is a 404."""
    JokeFactory(text="A flagged one", tags=["rivers"], nsfw=True)
    assert client.get("/tags/rivers/").status_code == 404
    assert client.get("/tags/rivers/jokes/").status_code == 404
    client.post(reverse("jokes:safe-mode"), {"safe_mode": "off"})
    for url in ("/tags/rivers/", "/tags/rivers/jokes/"):
        assert "A flagged one" in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    ("page", "status"),
    [("0", 404), ("-1", 404), ("1.5", 404), ("10" * 15, 404), ("last", 404), ("%00", 400)],
)
def test_a_tags_jokes_page_that_is_no_page_is_refused(client, page, status):
    tag_jokes(2)
    assert client.get(f"/tags/rivers/jokes/?page={page}").status_code == status


def test_a_tags_jokes_page_with_a_chinese_tag(client):
    JokeFactory(text="A brush joke", tags=["书法"])
    response = client.get("/tags/书法/jokes/")
    assert response.status_code == 200 and "A brush joke" in response.content.decode()


def test_tag_page_with_a_chinese_tag(client):
    ArticleFactory(title="Calligraphy", tags=["书法"])
    response = client.get("/tags/书法/")
    assert response.status_code == 200
    assert b"Calligraphy" in response.content


def test_header_lists_sections_and_has_a_skip_link(client):
    ArticleFactory(section=SectionFactory(name="Culture"))
    html = client.get(reverse("portal:home")).content.decode()
    assert 'class="skip-link" href="#content"' in html
    assert 'href="/bulletin/culture/"' in html
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html


def test_home_and_tag_pages_offer_the_safe_mode_switch(client):
    JokeFactory(tags=["office"])
    for url in [reverse("portal:home"), "/tags/office/"]:
        html = client.get(url).content.decode()
        assert 'action="/jokes/safe-mode/"' in html, url
        assert "Show all jokes" in html, url


def test_pagination_keeps_the_other_parameters(client):
    JokeFactory.create_batch(21)
    html = client.get("/jokes/top/?period=month").content.decode()
    assert 'href="?period=month&amp;page=2"' in html


@pytest.mark.parametrize(
    # sections for the header, and for the article form the sections to choose from;
    # for the joke form the categories
    ("url", "expected"),
    [("/submit/joke/", 2), ("/submit/article/", 2)],
)
def test_submission_forms_query_counts(client, django_assert_num_queries, url, expected):
    ArticleFactory()
    JokeFactory()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    ArticleFactory.create_batch(5)
    JokeFactory.create_batch(5)
    with django_assert_num_queries(expected):
        client.get(url)
