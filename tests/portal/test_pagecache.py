"""Whole pages from the cache for visitors without an account: served without a query,
renewed the moment content changes, never for staff or for a visitor's own page, with
a CSRF token of the visitor's own in every form, and 304 for a browser that has it."""

import re
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article
from portal import pagecache
from portal.pagecache import cacheable_response, random_chars
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 10


def test_a_second_visitor_gets_the_page_without_a_query(client, django_assert_num_queries):
    ArticleFactory(title="Walrus parade")
    first = client.get("/")
    assert first.status_code == 200 and "Walrus parade" in first.content.decode()
    with django_assert_num_queries(0):
        second = Client().get("/")
    assert second.status_code == 200
    strip = lambda html: TOKEN.sub("", html.decode())  # noqa: E731
    assert strip(second.content) == strip(first.content)
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Cache-Control"] == "max-age=0, must-revalidate"
    # The security headers are added to answers from the cache too.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                   "Referrer-Policy", "Cross-Origin-Opener-Policy"):  # fmt: skip
        assert second[header] == first[header], header
    assert second["Content-Language"] == first["Content-Language"]


def test_content_changed_while_a_page_renders_is_not_hidden_by_its_copy(client, monkeypatch):
    """A copy is stored under the generation read before rendering: content saved
    during the render makes the next visitor render afresh."""
    from bulletin import views

    ArticleFactory(title="Walrus")
    render = views.ArticleListView.get_context_data

    def save_meanwhile(self, **kwargs):
        context = render(self, **kwargs)
        len(context["object_list"])  # the list is read...
        ArticleFactory(title="Narwhal")  # ...then content changes
        return context

    monkeypatch.setattr(views.ArticleListView, "get_context_data", save_meanwhile)
    assert "Narwhal" not in client.get("/bulletin/").content.decode()
    monkeypatch.setattr(views.ArticleListView, "get_context_data", render)
    assert "Narwhal" in Client().get("/bulletin/").content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/bulletin/", "/jokes/", "/jokes/top/", "/search/?q=walrus", "/feeds/jokes/"]
)
def test_public_pages_are_cached(client, url, django_assert_num_queries):
    ArticleFactory(title="Walrus")
    JokeFactory(title="Walrus joke")
    client.get(url)
    with django_assert_num_queries(0):
        assert Client().get(url).status_code == 200


def test_a_browser_that_has_the_page_gets_a_304(client):
    ArticleFactory()
    etag = client.get("/bulletin/")["ETag"]
    assert etag
    again = Client().get("/bulletin/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert Client().get("/bulletin/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_every_visitor_gets_a_token_of_their_own_that_works(client):
    joke = JokeFactory(title="Walrus joke")
    Client().get(joke.get_absolute_url())  # fills the cache
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(joke.get_absolute_url())
        token = TOKEN.search(page.content.decode()).group(1)
        assert "\x00" not in page.content.decode()
        assert visitor.cookies["csrftoken"].value  # the cookie for that token
        vote = visitor.post(
            reverse("jokes:joke-vote", args=[joke.pk]), {"vote": "up", "csrfmiddlewaretoken": token}
        )
        assert vote.status_code == 302
        tokens.append(token)
    assert tokens[0] != tokens[1]
    joke.refresh_from_db()
    assert joke.score == 2


def test_a_visitor_with_a_token_keeps_it_on_a_page_from_the_cache(client):
    joke = JokeFactory(title="Walrus joke")
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(joke.get_absolute_url())  # rendered: the cookie, and the cache filled
    secret = visitor.cookies["csrftoken"].value
    page = visitor.get(joke.get_absolute_url())  # from the cache
    token = TOKEN.search(page.content.decode()).group(1)
    assert len(token) == 64 and token[32:] != secret  # masked afresh
    assert visitor.cookies["csrftoken"].value == secret
    vote = visitor.post(
        reverse("jokes:joke-vote", args=[joke.pk]), {"vote": "up", "csrfmiddlewaretoken": token}
    )
    assert vote.status_code == 302
    # Another visitor's cookie does not go with this token.
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(joke.get_absolute_url())
    forged = stranger.post(
        reverse("jokes:joke-vote", args=[joke.pk]), {"vote": "up", "csrfmiddlewaretoken": token}
    )
    assert forged.status_code == 403


def test_a_copy_stored_whole_by_the_previous_release_still_gets_each_visitor_a_token():
    """Copies are stored cut where the tokens go; one stored whole, with the marker in
    its body, by the release before (in Redis across a deploy) still works."""
    joke = JokeFactory(title="Walrus joke")
    url = joke.get_absolute_url()
    Client().get(url)  # fills the cache
    key = pagecache.cache_key(RequestFactory().get(url))
    stored = cache.get(key)
    assert len(stored["parts"]) > 1
    old = {**stored, "body": pagecache.MARKER.join(stored.pop("parts"))}
    del old["parts"]
    cache.set(key, old, 10)
    pagecache.local.clear()
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url).content.decode()
    assert "\x00" not in page
    vote = visitor.post(
        reverse("jokes:joke-vote", args=[joke.pk]),
        {"vote": "up", "csrfmiddlewaretoken": TOKEN.search(page).group(1)},
    )
    assert vote.status_code == 302


def test_a_masked_token_is_the_one_djangos_masking_makes():
    from django.middleware.csrf import _unmask_cipher_token

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = random_chars(32)
    for _ in range(20):
        token = pagecache.csrf_token(request)
        assert len(token) == 64 and _unmask_cipher_token(token) == secret


def test_token_characters_are_drawn_evenly():
    drawn = random_chars(62 * 1000)
    assert len(drawn) == 62 * 1000 and drawn.isalnum() and drawn.isascii()
    counts = sorted(drawn.count(char) for char in set(drawn))
    assert len(counts) == 62
    # 1,000 expected each (a standard deviation of about 31); `byte % 62` without
    # dropping the top bytes would give eight characters about 1,210 and the rest 970.
    assert counts[0] > 850 and counts[-1] < 1150
    assert random_chars(32) != random_chars(32)


def test_html_and_json_of_one_address_are_cached_apart(client):
    joke = JokeFactory(title="Walrus joke")
    url = joke.get_absolute_url()
    for accept in ("application/json", "text/html", "application/json", "text/html"):
        response = Client().get(url, HTTP_ACCEPT=accept)
        assert response["Content-Type"].split(";")[0] == accept
    assert Client().get(url).content.decode().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("vary", "kept"),
    [("", True), ("Accept", True), ("Cookie, Accept-Language", True), ("accept,cookie", True),
     ("User-Agent", False), ("Accept, Origin", False), ("*", False)],
)  # fmt: skip
def test_only_pages_that_vary_on_what_the_key_holds_are_stored(vary, kept):
    response = HttpResponse("page")
    if vary:
        response["Vary"] = vary
    assert cacheable_response(response) is kept


def test_new_content_shows_at_once(client):
    article = ArticleFactory(title="First headline")
    assert "First headline" in client.get("/").content.decode()
    ArticleFactory(title="Second headline")
    assert "Second headline" in Client().get("/").content.decode()
    article.title = "Renamed headline"
    article.save()
    assert "Renamed headline" in Client().get(article.get_absolute_url()).content.decode()
    article.unpublish()
    assert Client().get(article.get_absolute_url()).status_code == 404
    assert "Renamed headline" not in Client().get("/").content.decode()


def test_a_vote_shows_at_once_to_other_visitors(client):
    joke = JokeFactory(title="Walrus joke")
    url = joke.get_absolute_url()
    assert '<output class="score" aria-live="polite" aria-label="Score">0<' in (
        client.get(url).content.decode()
    )
    Client().post(reverse("jokes:joke-vote", args=[joke.pk]), {"vote": "up"})
    assert '<output class="score" aria-live="polite" aria-label="Score">1<' in (
        Client().get(url).content.decode()
    )


def test_tags_added_show_at_once(client):
    article = ArticleFactory(title="Walrus")
    client.get(article.get_absolute_url())
    article.tags.add("seaside")
    assert "seaside" in Client().get(article.get_absolute_url()).content.decode()


def test_a_scheduled_article_appears_when_the_cache_runs_out(client, settings):
    settings.PAGE_CACHE_SECONDS = 1
    ArticleFactory(title="Soon", publish_at=timezone.now() + timezone.timedelta(seconds=1))
    assert "Soon" not in client.get("/bulletin/").content.decode()
    time.sleep(1.2)
    assert "Soon" in Client().get("/bulletin/").content.decode()


def test_staff_never_get_cached_pages(client, django_assert_max_num_queries):
    ArticleFactory(title="Walrus")
    Client().get("/")
    staff = UserFactory(username="ed", is_staff=True)
    client.force_login(staff)
    response = client.get("/")
    assert "private" in response["Cache-Control"]
    draft = ArticleFactory(title="Draft walrus", draft=True, author=staff)
    # The staff preview of a draft is theirs alone, and never stored for others.
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_visitor_who_voted_sees_their_own_vote(client):
    joke = JokeFactory(title="Walrus joke")
    client.post(reverse("jokes:joke-vote", args=[joke.pk]), {"vote": "up"})
    html = client.get(joke.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html
    assert 'aria-pressed="true"' not in Client().get(joke.get_absolute_url()).content.decode()


def test_safe_mode_off_has_its_own_copy(client):
    JokeFactory(title="Clean walrus")
    JokeFactory(title="Rude walrus", nsfw=True)
    assert "Rude walrus" not in client.get("/jokes/").content.decode()
    bold = Client()
    bold.cookies["safe_mode"] = "off"
    assert "Rude walrus" in bold.get("/jokes/").content.decode()
    assert "Rude walrus" not in Client().get("/jokes/").content.decode()


@pytest.mark.parametrize("url", ["/api/jokes", "/submit/joke/", "/jokes/random/", "/healthz"])
def test_some_addresses_are_never_cached(client, url, django_assert_max_num_queries):
    JokeFactory()
    client.get(url)
    assert Client().get(url).status_code in (200, 302)
    assert Article.objects.count() == 0  # nothing else changed in between


# A Redis that does not answer.
CACHE_DOWN = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


def test_pages_are_served_when_the_cache_is_down(client, settings):
    settings.CACHES = CACHE_DOWN
    ArticleFactory(title="Walrus")
    assert client.get("/").status_code == 200
    assert "Walrus" in Client().get("/").content.decode()
    ArticleFactory(title="Narwhal")  # moving the generation fails quietly
    assert "Narwhal" in Client().get("/").content.decode()


def test_the_headers_sections_come_from_the_cache_until_content_changes(
    client, django_assert_num_queries
):
    """What every page shows alike is kept (pagecache.shared): a page rendered for a
    visitor asks the database for its own content only, and a change shows at once."""
    ArticleFactory(section=SectionFactory(name="Weather"))
    with django_assert_num_queries(2):  # the header's sections, the headlines
        assert "Weather</a>" in client.get("/bulletin/?a").content.decode()
    with django_assert_num_queries(1):
        assert "Weather</a>" in client.get("/bulletin/?b").content.decode()
    gardens = ArticleFactory(section=SectionFactory(name="Gardens"))
    with django_assert_num_queries(2):
        assert "Gardens</a>" in client.get("/bulletin/?c").content.decode()
    gardens.status = Article.Status.DRAFT
    gardens.save()
    assert "Gardens</a>" not in client.get("/bulletin/?d").content.decode()


def test_the_jokes_menu_comes_from_the_cache_until_a_category_changes(
    client, django_assert_num_queries
):
    JokeFactory(category=CategoryFactory(name="Puns"))
    client.get("/jokes/top/?a")
    with django_assert_num_queries(1):  # the jokes; the menu's categories from the cache
        assert "Puns</a>" in client.get("/jokes/top/?b").content.decode()
    limericks = CategoryFactory(name="Limericks")
    assert "Limericks</a>" in client.get("/jokes/top/?c").content.decode()
    limericks.name = "Verses"
    limericks.save()
    html = client.get("/jokes/top/?d").content.decode()
    assert "Verses</a>" in html and "Limericks" not in html
    limericks.delete()
    assert "Verses" not in client.get("/jokes/top/?e").content.decode()


def test_the_headers_sections_are_read_every_time_without_the_fragment_cache(
    client, settings, django_assert_num_queries
):
    settings.FRAGMENT_CACHE_SECONDS = 0
    ArticleFactory(section=SectionFactory(name="Weather"))
    for query in "ab":
        with django_assert_num_queries(2):
            assert "Weather</a>" in client.get(f"/bulletin/?{query}").content.decode()


def test_the_headers_sections_are_shown_when_the_cache_is_down(client, settings):
    settings.CACHES = CACHE_DOWN
    ArticleFactory(section=SectionFactory(name="Weather"))
    assert "Weather</a>" in client.get("/bulletin/").content.decode()
    ArticleFactory(section=SectionFactory(name="Gardens"))
    assert "Gardens</a>" in client.get("/bulletin/").content.decode()


def count_cache_reads(monkeypatch):
    """How many times the shared cache is read (get and get_many), from now on."""
    reads = []

    def counted(real):
        def read(*args, **kwargs):
            reads.append(real.__name__)
            return real(*args, **kwargs)

        return read

    for name in ("get", "get_many"):
        monkeypatch.setattr(cache, name, counted(getattr(cache, name)))
    return reads


def test_a_worker_serves_its_own_copy_without_asking_the_shared_cache(client, monkeypatch):
    ArticleFactory(title="Walrus")
    first = client.get("/bulletin/")
    reads = count_cache_reads(monkeypatch)
    second = Client().get("/bulletin/")
    assert not reads
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_a_change_through_another_worker_shows_within_the_local_seconds(client, settings):
    """Another worker's change moves the shared generation only: this worker sees it
    when it next reads the generation, PAGE_CACHE_LOCAL_SECONDS at the latest."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 0.3
    article = ArticleFactory(title="Walrus")
    assert "Walrus" in client.get("/bulletin/").content.decode()
    # What another worker does: the row changes, the shared generation moves.
    Article.objects.filter(pk=article.pk).update(title="Narwhal")
    cache.incr(pagecache.GENERATION_KEY)
    assert "Walrus" in Client().get("/bulletin/").content.decode()
    time.sleep(0.35)
    assert "Narwhal" in Client().get("/bulletin/").content.decode()


def test_a_rendered_page_takes_the_headers_sections_from_the_workers_own_copy(
    client, settings, monkeypatch
):
    """While a worker trusts the generation, what every page shows alike comes from its
    own copy (pagecache.shared): a page it renders does not ask the shared cache."""
    settings.PAGE_CACHE_SECONDS = 0  # every page rendered
    ArticleFactory(section=SectionFactory(name="Weather"))
    client.get("/bulletin/")
    reads = count_cache_reads(monkeypatch)
    assert "Weather</a>" in Client().get("/bulletin/").content.decode()
    assert not reads


def test_another_workers_change_shows_in_the_header_within_the_local_seconds(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_CACHE_LOCAL_SECONDS = 0.3
    section = SectionFactory(name="Weather")
    ArticleFactory(section=section)
    assert "Weather</a>" in client.get("/bulletin/").content.decode()
    # What another worker does: the row changes, the shared generation moves.
    type(section).objects.filter(pk=section.pk).update(name="Climate")
    cache.incr(pagecache.GENERATION_KEY)
    assert "Weather</a>" in Client().get("/bulletin/").content.decode()
    time.sleep(0.35)
    assert "Climate</a>" in Client().get("/bulletin/").content.decode()


def test_a_workers_copy_of_the_header_lasts_no_longer_than_the_shared_one(settings):
    """What changes by the clock alone shows within FRAGMENT_CACHE_SECONDS: a copy read
    from the shared cache is kept here for what is left of its time, not afresh."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    pagecache.shared("clock", lambda: "first")
    key = "shared:clock"
    generation, value, until = cache.get(key)
    cache.set(key, (generation, value, time.time() + 0.2), 10)  # nearly out of time
    pagecache.local.clear()
    assert pagecache.shared("clock", lambda: "second") == "first"
    time.sleep(0.25)
    cache.delete(key)  # what its expiry does in the shared cache
    assert pagecache.shared("clock", lambda: "second") == "second"


def test_a_worker_keeps_a_bounded_number_of_copies(client, monkeypatch):
    monkeypatch.setattr(pagecache.LocalCopies, "LOCAL_PAGES", 3)
    ArticleFactory(title="Walrus")
    for page in range(1, 7):
        Client().get(f"/bulletin/?from={page}")
        Client().get(f"/bulletin/?from={page}")
    assert len(pagecache.local.pages) == 3


def test_nothing_is_kept_by_a_worker_while_the_cache_is_down(client, settings):
    settings.CACHES = CACHE_DOWN
    ArticleFactory(title="Walrus")
    client.get("/bulletin/")
    Client().get("/bulletin/")
    assert not pagecache.local.pages
    assert pagecache.local.trusted_generation() is None


def test_a_generation_read_before_a_change_in_this_process_is_not_trusted():
    """A request that read the generation, then a change in this process, then the
    request's turn to trust what it read: it must not (threads of one process)."""
    local = pagecache.local
    epoch = local.epoch
    pagecache.content_changed()  # another thread saves something
    local.learn(0, epoch)
    assert local.trusted_generation() is None
    local.learn(5, local.epoch)
    assert local.trusted_generation() == 5


def test_a_change_moves_the_generation_again_when_it_is_committed(
    django_capture_on_commit_callbacks,
):
    """A page rendered between the save and the commit shows what the database still
    held: stored under the first move, it goes out of date with the second."""
    cache.set(pagecache.GENERATION_KEY, 7, timeout=None)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Walrus")
        moved = cache.get(pagecache.GENERATION_KEY)
        assert moved > 7
    assert cache.get(pagecache.GENERATION_KEY) > moved


def test_a_change_is_not_lost_when_a_request_starts_the_generation_meanwhile(monkeypatch):
    cache.delete(pagecache.GENERATION_KEY)
    real_add = cache.add

    def a_request_was_first(key, value, **kwargs):
        real_add(key, 0, **kwargs)  # what start_generation did in another request
        return real_add(key, value, **kwargs)

    monkeypatch.setattr(cache, "add", a_request_was_first)
    pagecache.move_generation()
    assert cache.get(pagecache.GENERATION_KEY) == 1


def test_counting_still_fails_when_redis_is_away(settings):
    """Rate limits count with add and incr: a fail-open cache must not swallow those,
    or a limit that cannot count would let everything through (jokes/ratelimit.py)."""
    from django.core.cache import caches
    from redis.exceptions import RedisError

    settings.CACHES = CACHE_DOWN
    with pytest.raises(RedisError):
        caches["default"].add("count", 1)


def test_a_workers_copy_runs_out_with_the_shared_copy(client, settings):
    settings.PAGE_CACHE_SECONDS = 1
    ArticleFactory(title="Walrus")
    client.get("/bulletin/")
    (_stored, deadline) = pagecache.local.pages[
        pagecache.cache_key(RequestFactory().get("/bulletin/"))
    ]
    assert deadline - time.monotonic() <= 1


def test_while_redis_is_away_a_page_does_not_wait_for_it_again_and_again(
    client, settings, monkeypatch
):
    """After one failed call the fail-open cache does without Redis for AWAY_SECONDS:
    a page rendered meanwhile asks it nothing (each ask could wait REDIS_TIMEOUT)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from portal.cache import ReusedClientRedisCacheClient

    settings.CACHES = CACHE_DOWN
    ArticleFactory(title="Walrus")
    attempts = []

    def unreachable(self, *args, **kwargs):
        attempts.append(1)
        raise RedisConnectionError("unreachable")

    for name in ("get", "get_many", "set", "add", "set_many"):
        monkeypatch.setattr(ReusedClientRedisCacheClient, name, unreachable)
    assert "Walrus" in client.get("/bulletin/").content.decode()
    assert len(attempts) == 1
    assert "Walrus" in Client().get("/bulletin/?again").content.decode()
    assert len(attempts) == 1
    from django.core.cache import caches

    caches["default"]._away_until = 0.0  # AWAY_SECONDS later
    Client().get("/bulletin/?later")
    assert len(attempts) == 2
