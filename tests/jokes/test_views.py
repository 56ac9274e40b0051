"""The public joke pages: lists, a joke, random, joke of the day, safe mode, bad input."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jokes.models import Joke, JokeOfTheDay
from tests.factories import CategoryFactory, JokeFactory

pytestmark = pytest.mark.django_db

NOT_PUBLIC = {
    "draft": {"status": Joke.Status.DRAFT, "published_at": None},
    "pending": {"pending": True},
    "rejected": {"status": Joke.Status.REJECTED, "published_at": None},
    "archived": {"status": Joke.Status.ARCHIVED},
    "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
    "hidden_by_reports": {"hidden_by_reports": True},
}


@pytest.fixture
def category():
    return CategoryFactory(name="Puns", slug="puns")


def page(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def vote_up(client, joke):
    return client.post(reverse("jokes:joke-vote", kwargs={"pk": joke.pk}), {"vote": "up"})


def turn_safe_mode_off(client):
    response = client.post(reverse("jokes:safe-mode"), {"safe_mode": "off"})
    assert response.status_code == 302


# Routes


def test_every_route_reverses():
    assert reverse("jokes:joke-list") == "/jokes/"
    assert reverse("jokes:joke-top") == "/jokes/top/"
    assert reverse("jokes:joke-random") == "/jokes/random/"
    assert reverse("jokes:safe-mode") == "/jokes/safe-mode/"
    assert reverse("jokes:category-detail", kwargs={"slug": "puns"}) == "/jokes/category/puns/"
    assert reverse("jokes:joke-detail", kwargs={"pk": 7}) == "/jokes/7/"
    assert reverse("jokes:joke-vote", kwargs={"pk": 7}) == "/jokes/7/vote/"
    assert reverse("jokes:joke-report", kwargs={"pk": 7}) == "/jokes/7/report/"


# What the pages show


def test_lists_show_published_jokes_only(client, category):
    JokeFactory(category=category, text="The public one", tags=["animals"])
    for name, fields in NOT_PUBLIC.items():
        JokeFactory(category=category, text=f"Hidden {name}", tags=["animals"], **fields)
    urls = [
        reverse("jokes:joke-list"),
        reverse("jokes:joke-top"),
        reverse("jokes:joke-top") + "?period=week",
        category.get_absolute_url(),
        reverse("portal:tag-detail", kwargs={"slug": "animals"}),
        reverse("portal:home"),
    ]
    for url in urls:
        html = page(client, url)
        assert "The public one" in html, url
        for name in NOT_PUBLIC:
            assert f"Hidden {name}" not in html, (url, name)


def test_newest_list_is_newest_first_and_paginated(client):
    now = timezone.now()
    for hours in range(25, 0, -1):
        JokeFactory(title=f"Joke {hours:02d}h", published_at=now - timedelta(hours=hours))
    response = client.get(reverse("jokes:joke-list"))
    titles = [joke.title for joke in response.context["object_list"]]
    assert titles == [f"Joke {hours:02d}h" for hours in range(1, 21)]
    html = response.content.decode()
    assert "Joke 21h" not in html
    assert 'rel="next" href="?page=2"' in html
    html = page(client, reverse("jokes:joke-list") + "?page=2")
    assert "Joke 21h" in html and "Joke 25h" in html
    assert "Joke of the day" not in html  # shown on the first page only


def test_joke_text_is_escaped_with_its_line_breaks_kept(client):
    joke = JokeFactory(
        title="<b>Bold</b> title",
        text="Knock knock.\nWho's there?\n\n<script>alert(1)</script>",
    )
    for url in [joke.get_absolute_url(), reverse("jokes:joke-list")]:
        html = page(client, url)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; title" in html
        assert "<p>Knock knock.<br>Who&#x27;s there?</p>" in html


def test_joke_page_shows_what_a_reader_expects(client, category):
    joke = JokeFactory(
        category=category, text="A pun.", tags=["word play"], submitter_name="Sam", nsfw=True
    )
    html = page(client, joke.get_absolute_url())
    assert f"<h1>Joke #{joke.pk}</h1>" in html
    assert 'href="/jokes/category/puns/"' in html
    assert 'href="/tags/word-play/"' in html
    assert "sent in by Sam" in html
    assert "Content note:" in html and "not safe for work" in html
    assert f'action="/jokes/{joke.pk}/vote/"' in html
    assert f'href="/jokes/{joke.pk}/report/"' in html
    assert f'href="/jokes/random/?not={joke.pk}"' in html
    assert "noindex" not in html


def test_untitled_and_titled_jokes(client):
    titled = JokeFactory(title="Doctor, doctor")
    untitled = JokeFactory(title="")
    html = page(client, reverse("jokes:joke-list"))
    assert "Doctor, doctor" in html
    assert f"Joke #{untitled.pk}" in html
    assert "<h1>Doctor, doctor</h1>" in page(client, titled.get_absolute_url())


def test_category_page_lists_only_its_jokes(client, category):
    JokeFactory(category=category, text="A pun here")
    JokeFactory(text="Not a pun")
    html = page(client, category.get_absolute_url())
    assert "<h1>Puns</h1>" in html
    assert "A pun here" in html and "Not a pun" not in html
    assert 'href="/jokes/category/puns/" aria-current="page"' in html


def test_category_with_a_chinese_slug(client):
    category = CategoryFactory(name="冷笑话")
    JokeFactory(category=category, text="A cold joke")
    assert "A cold joke" in page(client, "/jokes/category/冷笑话/")


def test_empty_category_page_invites_a_submission(client, category):
    html = page(client, category.get_absolute_url())
    assert "No jokes here yet." in html
    assert reverse("portal:submit-joke") in html


# Best rated


def test_top_is_ordered_by_score(client):
    low, high, middle = (JokeFactory(title=t) for t in ["Low", "High", "Middle"])
    Joke.objects.filter(pk=low.pk).update(score=-2)
    Joke.objects.filter(pk=high.pk).update(score=10)
    Joke.objects.filter(pk=middle.pk).update(score=3)
    response = client.get(reverse("jokes:joke-top"))
    assert [joke.title for joke in response.context["object_list"]] == ["High", "Middle", "Low"]


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        ("week", {"Two days old"}),
        ("month", {"Two days old", "Twenty days old"}),
        ("all", {"Two days old", "Twenty days old", "A year old"}),
        ("", {"Two days old", "Twenty days old", "A year old"}),
        ("decade", {"Two days old", "Twenty days old", "A year old"}),
    ],
)
def test_top_periods(client, period, shown):
    now = timezone.now()
    JokeFactory(title="Two days old", published_at=now - timedelta(days=2))
    JokeFactory(title="Twenty days old", published_at=now - timedelta(days=20))
    JokeFactory(title="A year old", published_at=now - timedelta(days=365))
    response = client.get(reverse("jokes:joke-top"), {"period": period})
    assert {joke.title for joke in response.context["object_list"]} == shown
    assert response.context["period"] in {"week", "month", "all"}


def test_top_page_links_keep_the_period(client):
    JokeFactory.create_batch(21)
    html = page(client, reverse("jokes:joke-top") + "?period=week")
    assert 'href="?period=week&amp;page=2"' in html
    assert 'href="?period=week" aria-current="page"' in html
    html = page(client, reverse("jokes:joke-top") + "?period=week&page=2")
    assert 'href="?period=week&amp;page=1"' in html
    # A vote posted from the page comes back to the same period and page.
    assert 'name="next" value="/jokes/top/?period=week&amp;page=2#joke-' in html


# Visibility of one joke


@pytest.mark.parametrize("fields", NOT_PUBLIC.values(), ids=NOT_PUBLIC.keys())
@pytest.mark.parametrize("role", ["anonymous", "visitor", "author"])
def test_unpublished_joke_is_a_404_for_visitors(client_for, fields, role):
    joke = JokeFactory(**fields)
    client = client_for(role)
    assert client.get(joke.get_absolute_url()).status_code == 404
    assert client.get(reverse("jokes:joke-report", kwargs={"pk": joke.pk})).status_code == 404


@pytest.mark.parametrize("role", ["editor", "moderator", "superuser"])
def test_staff_preview_an_unpublished_joke(client_for, role):
    joke = JokeFactory(pending=True, text="Waiting for a decision")
    response = client_for(role).get(joke.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: this joke is not public (Pending moderation)." in html
    assert "Waiting for a decision" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]
    # Nothing to vote on or report until it is public.
    assert "/vote/" not in html and "/report/" not in html


def test_scheduled_joke_appears_on_its_own(client):
    joke = JokeFactory(published_at=timezone.now() + timedelta(seconds=30))
    assert client.get(joke.get_absolute_url()).status_code == 404
    Joke.objects.filter(pk=joke.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert client.get(joke.get_absolute_url()).status_code == 200


# Random


def test_random_redirects_to_a_published_joke(client):
    joke = JokeFactory()
    for fields in NOT_PUBLIC.values():
        JokeFactory(**fields)
    JokeFactory(sexist=True)
    for _ in range(10):
        response = Client().get(reverse("jokes:joke-random"))
        assert response.status_code == 302
        assert response["Location"] == f"{joke.get_absolute_url()}?from=random"
        assert "no-cache" in response["Cache-Control"]


def test_random_gives_a_different_joke_on_each_visit(client):
    JokeFactory.create_batch(3)
    seen = []
    # Each visit after the first has a one in three chance of any joke but the last:
    # 60 visits miss one with a chance of about 1e-10 (15 missed it once in 300 runs).
    for _ in range(60):
        seen.append(client.get(reverse("jokes:joke-random"))["Location"])
    assert all(one != next_one for one, next_one in zip(seen, seen[1:], strict=False))
    assert len(set(seen)) == 3


def test_random_skips_the_joke_the_visitor_comes_from(client):
    first, second = JokeFactory.create_batch(2)
    for _ in range(10):
        response = Client().get(reverse("jokes:joke-random"), {"not": first.pk})
        assert response["Location"] == f"{second.get_absolute_url()}?from=random"


def test_random_joke_page_offers_another(client):
    joke = JokeFactory()
    html = page(client, joke.get_absolute_url() + "?from=random")
    assert "Another random joke" in html


def test_random_with_nothing_to_pick_goes_to_the_list(client):
    JokeFactory(status=Joke.Status.DRAFT, published_at=None)
    response = client.get(reverse("jokes:joke-random"), follow=True)
    assert response.redirect_chain == [(reverse("jokes:joke-list"), 302)]
    assert "There are no jokes to pick from yet." in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "9" * 40, "١٢", ""])
def test_random_ignores_a_bad_not_parameter(client, value):
    JokeFactory()
    response = client.get(reverse("jokes:joke-random"), {"not": value})
    assert response.status_code == 302


# Joke of the day


def test_joke_of_the_day_is_the_same_for_every_visitor(client):
    JokeFactory.create_batch(10)
    first = Client().get(reverse("jokes:joke-list")).context["joke_of_the_day"]
    assert first is not None
    for _ in range(5):
        assert Client().get(reverse("jokes:joke-list")).context["joke_of_the_day"] == first
        assert Client().get(reverse("portal:home")).context["joke_of_the_day"] == first
    stored = JokeOfTheDay.objects.get()
    assert stored.date == timezone.localdate() and stored.joke == first


def test_joke_of_the_day_never_shows_an_unpublished_joke(client):
    for fields in NOT_PUBLIC.values():
        JokeFactory(**fields)
    html = page(client, reverse("jokes:joke-list"))
    assert "Joke of the day" not in html
    assert "Joke of the day" not in page(client, reverse("portal:home"))


def test_joke_of_the_day_also_in_the_list_keeps_ids_unique(client):
    joke = JokeFactory()
    html = page(client, reverse("jokes:joke-list"))
    assert html.count("Joke of the day") == 1
    assert html.count(f'id="joke-{joke.pk}"') == 1
    assert html.count(f'id="jotd-joke-{joke.pk}"') == 1


# Safe mode


def test_safe_mode_is_on_by_default_and_hides_flagged_jokes_everywhere(client, category):
    JokeFactory(category=category, text="Clean one", tags=["animals"])
    JokeFactory(category=category, text="Flagged one", nsfw=True, tags=["animals"])
    urls = [
        reverse("jokes:joke-list"),
        reverse("jokes:joke-top"),
        category.get_absolute_url(),
        reverse("portal:tag-detail", kwargs={"slug": "animals"}),
        reverse("portal:home"),
    ]
    for url in urls:
        html = page(client, url)
        assert "Clean one" in html and "Flagged one" not in html, url
    html = page(client, reverse("jokes:joke-list"))
    assert "Safe mode is on: flagged jokes are hidden." in html
    assert 'name="safe_mode" value="off"' in html


def test_visitor_turns_safe_mode_off_and_on_again(client, category):
    JokeFactory(category=category, text="Clean one", tags=["animals"])
    JokeFactory(category=category, text="Flagged one", religious=True, tags=["animals"])
    response = client.post(
        reverse("jokes:safe-mode"), {"safe_mode": "off", "next": "/jokes/top/"}, follow=True
    )
    assert response.redirect_chain == [("/jokes/top/", 302)]
    html = response.content.decode()
    assert "Safe mode is off: flagged jokes are shown, with their flags." in html
    assert "Flagged one" in html and '<span class="flag">religious</span>' in html
    for url in [
        reverse("jokes:joke-list"),
        category.get_absolute_url(),
        reverse("portal:tag-detail", kwargs={"slug": "animals"}),
        reverse("portal:home"),
    ]:
        assert "Flagged one" in page(client, url), url
    # Another visitor still browses in safe mode.
    assert "Flagged one" not in page(Client(), reverse("jokes:joke-list"))

    response = client.post(reverse("jokes:safe-mode"), {"safe_mode": "on"}, follow=True)
    assert response.redirect_chain == [(reverse("jokes:joke-list"), 302)]
    assert "Flagged one" not in response.content.decode()


def test_random_follows_safe_mode(client):
    flagged = JokeFactory(explicit=True)
    assert client.get(reverse("jokes:joke-random"))["Location"] == reverse("jokes:joke-list")
    turn_safe_mode_off(client)
    response = client.get(reverse("jokes:joke-random"))
    assert response["Location"] == f"{flagged.get_absolute_url()}?from=random"


def test_joke_of_the_day_is_safe_even_with_safe_mode_off(client):
    JokeFactory(political=True)
    turn_safe_mode_off(client)
    assert page(client, reverse("jokes:joke-list")).count("Joke of the day") == 0


def test_safe_mode_switch_refuses_get_and_foreign_redirects(client):
    assert client.get(reverse("jokes:safe-mode")).status_code == 405
    response = client.post(
        reverse("jokes:safe-mode"), {"safe_mode": "off", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("jokes:joke-list")
    response = client.post(
        reverse("jokes:safe-mode"), {"safe_mode": "off", "next": "//evil.example"}
    )
    assert response["Location"] == reverse("jokes:joke-list")


def test_safe_mode_switch_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("jokes:safe-mode"), {"safe_mode": "off"}).status_code == 403


# Bad input: a clear 4xx, never a 500


@pytest.mark.parametrize(
    "url",
    [
        "/jokes/999999/",
        "/jokes/999999999999999999/",  # the largest id the route accepts
        "/jokes/9999999999999999999/",  # beyond a 64-bit integer
        "/jokes/99999999999999999999999999999999/",
        "/jokes/abc/",
        "/jokes/-1/",
        "/jokes/category/nope/",
        "/jokes/category/a.b/",
        "/jokes/category/" + "x" * 300 + "/",
        "/jokes/?page=abc",
        "/jokes/?page=99",
        "/jokes/top/?page=0",
        "/jokes/999999/report/",
        "/jokes/9999999999999999999/vote/",
    ],
)
def test_bad_addresses_are_a_404(client, url):
    JokeFactory()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/jokes/%00/",
        "/jokes/1%00/",
        "/jokes/category/%00/",  # PostgreSQL refuses a NUL byte in a query
        "/jokes/category/a%00b/",
        "/jokes/?page=%00",
        "/jokes/top/?period=%00",
        "/jokes/random/?not=%00",
        "/jokes/1/?from=%00",
        "/jokes/1/report/?x=%00",
    ],
)
def test_nul_bytes_in_the_address_are_a_4xx(client, url):
    JokeFactory(pk=1)
    assert 400 <= client.get(url).status_code < 500


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "joke-vote"),
        ("put", "joke-vote"),
        ("delete", "joke-vote"),
        ("put", "joke-report"),
        ("delete", "joke-report"),
        ("post", "joke-detail"),
        ("delete", "joke-detail"),
    ],
)
def test_wrong_method_is_a_405(client, method, url_name):
    joke = JokeFactory()
    response = getattr(client, method)(reverse(f"jokes:{url_name}", kwargs={"pk": joke.pk}))
    assert response.status_code == 405


@pytest.mark.parametrize("url_name", ["joke-list", "joke-top", "joke-random", "safe-mode"])
def test_wrong_method_on_lists_is_a_405(client, url_name):
    assert client.put(reverse(f"jokes:{url_name}")).status_code == 405


# Query counts: pinned, and the same with many more jokes


def fill(count, category):
    for joke in JokeFactory.create_batch(count, category=category, tags=["animals", "pets"]):
        Joke.objects.filter(pk=joke.pk).update(score=joke.pk)


# Each measured after a visit to the same page, so the header's sections come from the
# cache (tests/portal/test_site.py counts the query they take after a change). Then:
PAGES = {
    # joke of the day, jokes (never a count); the menu's categories from the cache
    "joke-list": (lambda c: reverse("jokes:joke-list"), 2),
    # jokes
    "joke-top": (lambda c: reverse("jokes:joke-top"), 1),
    "joke-top-week": (lambda c: reverse("jokes:joke-top") + "?period=week", 1),
    # category, jokes
    "category": (lambda c: c.get_absolute_url(), 2),
    "category-page-2": (lambda c: c.get_absolute_url() + "?page=2", 2),
    # the joke, its tags
    "joke-detail": (lambda c: c.jokes.order_by("pk").first().get_absolute_url(), 2),
    # the joke
    "joke-report": (
        lambda c: reverse("jokes:joke-report", kwargs={"pk": c.jokes.order_by("pk").first().pk}),
        1,
    ),
    # the lowest and highest ids, the joke (a redirect: no header)
    "joke-random": (lambda c: reverse("jokes:joke-random"), 3),
}


@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_the_jokes(
    client, category, django_assert_num_queries, name
):
    url_for, queries = PAGES[name]
    fill(21, category)
    url = url_for(category)
    client.get(reverse("jokes:joke-list"))  # the first visit of the day picks its joke
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code in (200, 302)
    fill(30, category)
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)


@pytest.mark.parametrize("name", PAGES)
def test_a_visitor_who_voted_costs_one_query_more_at_most(
    client, category, django_assert_num_queries, name
):
    url_for, queries = PAGES[name]
    fill(21, category)
    client.get(reverse("jokes:joke-list"))
    for joke in Joke.objects.all()[:5]:
        vote_up(client, joke)
    url = url_for(category)
    extra = 0 if name in {"joke-report", "joke-random"} else 1  # the visitor's own votes
    client.get(url)
    with django_assert_num_queries(queries + extra):
        client.get(url)
    fill(30, category)
    client.get(url)
    with django_assert_num_queries(queries + extra):
        client.get(url)


def test_a_joke_page_answers_in_json_when_asked(client):
    joke = JokeFactory(
        title="Orchestra", submitter_name="Zoe", submitter_email="zoe@example.org", tags=["music"]
    )
    response = client.get(joke.get_absolute_url(), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    data = response.json()
    assert data["id"] == joke.pk and data["title"] == "Orchestra"
    assert data["text"] == joke.text
    assert data["category"] == {"slug": joke.category.slug, "name": joke.category.name}
    assert data["tags"] == ["music"] and data["safe"] is True
    assert data["submitted_by"] == "Zoe"
    assert "zoe@example.org" not in response.content.decode()
    html = client.get(joke.get_absolute_url())
    assert html["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),  # a browser
        ("text/html,application/json;q=0.1", "text/html"),
        ("application/jsonx", "text/html"),
        ("application/json, text/plain, */*", "application/json"),  # a script
        ("text/html;q=0.5, application/json", "application/json"),
    ],
)
def test_the_representation_follows_the_preferred_type(client, accept, kind):
    joke = JokeFactory()
    response = client.get(joke.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == kind


def test_an_unpublished_or_missing_joke_is_a_404_in_json_too(client):
    joke = JokeFactory(pending=True)
    for url in (joke.get_absolute_url(), "/jokes/999999/"):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"error": "No such joke."}
        assert "Accept" in response["Vary"]
    assert client.get("/jokes/999999/")["Content-Type"].startswith("text/html")
