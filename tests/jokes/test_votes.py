"""Votes and reports from visitors without an account, and votes arriving at once."""

import json
import threading
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac

from jokes import visitors
from jokes.models import Joke, Report, Vote
from tests.factories import JokeFactory

pytestmark = pytest.mark.django_db

NOT_VOTABLE = {
    "draft": {"status": Joke.Status.DRAFT, "published_at": None},
    "pending": {"pending": True},
    "archived": {"status": Joke.Status.ARCHIVED},
    "hidden_by_reports": {"hidden_by_reports": True},
}


def vote_url(joke):
    return reverse("jokes:joke-vote", kwargs={"pk": joke.pk})


def report_url(joke):
    return reverse("jokes:joke-report", kwargs={"pk": joke.pk})


def vote_json(client, joke, value):
    response = client.post(vote_url(joke), {"vote": value}, HTTP_ACCEPT="application/json")
    return response.status_code, json.loads(response.content)


def stored(joke):
    joke.refresh_from_db()
    return joke.score, joke.vote_count


def assert_score_equals_the_votes(joke):
    totals = Vote.objects.filter(joke=joke).aggregate(score=Sum("value"), count=Count("pk"))
    joke.refresh_from_db()
    assert joke.score == (totals["score"] or 0)
    assert joke.vote_count == totals["count"]


# Without JavaScript: a form post, then a redirect back


def test_plain_form_vote_redirects_back_and_shows_the_new_score(client):
    joke = JokeFactory()
    response = client.post(
        vote_url(joke), {"vote": "up", "next": joke.get_absolute_url()}, follow=True
    )
    assert response.redirect_chain == [(joke.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Thanks, your vote is counted." in html
    assert ">1</output>" in html
    # The up button is pressed, and pressing it again takes the vote back.
    assert 'value="clear" data-direction="up" aria-pressed="true"' in html
    assert 'value="down" data-direction="down" aria-pressed="false"' in html
    assert stored(joke) == (1, 1)


def test_plain_form_vote_from_a_list_comes_back_to_the_joke(client):
    joke = JokeFactory()
    html = client.get(reverse("jokes:joke-list") + "?page=1").content.decode()
    next_value = f"/jokes/?page=1#joke-{joke.pk}"
    assert f'name="next" value="{next_value}"' in html
    response = client.post(vote_url(joke), {"vote": "down", "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == next_value
    assert stored(joke) == (-1, 1)


def test_change_and_take_back_a_vote(client):
    joke = JokeFactory()
    client.post(vote_url(joke), {"vote": "up"})
    assert stored(joke) == (1, 1)
    client.post(vote_url(joke), {"vote": "up"})  # once only
    assert stored(joke) == (1, 1)
    client.post(vote_url(joke), {"vote": "down"})
    assert stored(joke) == (-1, 1)
    client.post(vote_url(joke), {"vote": "clear"})
    assert stored(joke) == (0, 0)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:1"])
def test_vote_never_redirects_off_site(client, target):
    joke = JokeFactory()
    response = client.post(vote_url(joke), {"vote": "up", "next": target})
    assert response["Location"] == joke.get_absolute_url()


# With JavaScript: the same post asking for JSON


def test_json_vote_answers_with_the_score(client):
    joke = JokeFactory()
    assert vote_json(client, joke, "up") == (200, {"score": 1, "votes": 1, "vote": 1})
    assert vote_json(Client(), joke, "up") == (200, {"score": 2, "votes": 2, "vote": 1})
    assert vote_json(client, joke, "down") == (200, {"score": 0, "votes": 2, "vote": -1})
    assert vote_json(client, joke, "clear") == (200, {"score": 1, "votes": 1, "vote": 0})
    assert stored(joke) == (1, 1)


def test_json_vote_answers_json_not_a_redirect(client):
    joke = JokeFactory()
    response = client.post(vote_url(joke), {"vote": "up"}, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert "Location" not in response


def test_pages_load_the_vote_script_that_asks_for_json(client):
    joke = JokeFactory()
    for url in [joke.get_absolute_url(), reverse("jokes:joke-list"), reverse("jokes:joke-top")]:
        assert (
            '<script src="/static/js/vote.js" defer></script>' in client.get(url).content.decode()
        )
    script = Path(finders.find("js/vote.js")).read_text()
    assert 'Accept: "application/json"' in script
    assert "form[data-vote]" in script


# Who the visitor is: a signed cookie, and only a keyed hash of it stored


def test_visitor_gets_a_signed_cookie_and_only_a_hash_is_stored(client):
    joke = JokeFactory()
    client.post(vote_url(joke), {"vote": "up"}, REMOTE_ADDR="203.0.113.7")
    cookie = client.cookies[visitors.VISITOR_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == visitors.COOKIE_AGE
    signed = cookie.value
    visitor_id = signed.split(":")[0]
    assert signed != visitor_id  # the value carries a signature
    vote = Vote.objects.get()
    assert vote.voter == salted_hmac("jokes.voter", visitor_id).hexdigest()
    assert visitor_id not in vote.voter and "203.0.113.7" not in vote.voter
    # The same visitor later is recognised: their vote is changed, not added.
    client.post(vote_url(joke), {"vote": "down"})
    assert list(Vote.objects.values_list("voter", "value")) == [(vote.voter, -1)]


def test_a_forged_cookie_counts_as_a_new_visitor(client):
    joke = JokeFactory()
    client.post(vote_url(joke), {"vote": "up"})
    real = client.cookies[visitors.VISITOR_COOKIE].value
    forger = Client()
    forger.cookies[visitors.VISITOR_COOKIE] = real.split(":")[0] + ":forged-signature"
    forger.post(vote_url(joke), {"vote": "down"})
    assert forger.cookies[visitors.VISITOR_COOKIE].value != real
    assert stored(joke) == (0, 2)
    assert sorted(Vote.objects.values_list("value", flat=True)) == [-1, 1]


def test_my_vote_is_shown_on_the_lists(client):
    joke = JokeFactory()
    other = JokeFactory()
    client.post(vote_url(joke), {"vote": "down"})
    response = client.get(reverse("jokes:joke-list"))
    votes = {j.pk: j.my_vote for j in response.context["object_list"]}
    assert votes == {joke.pk: -1, other.pk: 0}
    assert response.context["joke_of_the_day"].my_vote in (-1, 0)


# Bad votes: a clear 4xx, nothing stored


@pytest.mark.parametrize("value", ["sideways", "", "UP", "1", "+1", "u\x00p", "up" * 5000])
def test_vote_values_other_than_up_down_clear_are_refused(client, value):
    joke = JokeFactory()
    status, answer = vote_json(client, joke, value)
    assert status == 400
    assert answer == {"error": "A vote is up, down or clear."}
    response = client.post(vote_url(joke), {"vote": value, "next": "/jokes/"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That vote could not be understood" in html
    # The joke is shown again, and voting from here comes back to the joke's page.
    assert f'name="next" value="/jokes/{joke.pk}/#joke-{joke.pk}"' in html
    assert not Vote.objects.exists()
    assert stored(joke) == (0, 0)


def test_vote_without_a_value_is_refused(client):
    joke = JokeFactory()
    assert client.post(vote_url(joke)).status_code == 400
    assert client.post(vote_url(joke), HTTP_ACCEPT="application/json").status_code == 400
    assert not Vote.objects.exists()


@pytest.mark.parametrize("fields", NOT_VOTABLE.values(), ids=NOT_VOTABLE.keys())
def test_no_vote_or_report_on_a_joke_visitors_cannot_see(client, fields):
    joke = JokeFactory(**fields)
    assert client.post(vote_url(joke), {"vote": "up"}).status_code == 404
    json_post = client.post(vote_url(joke), {"vote": "up"}, HTTP_ACCEPT="application/json")
    assert json_post.status_code == 404
    assert client.post(report_url(joke), {"reason": "spam"}).status_code == 404
    assert not Vote.objects.exists() and not Report.objects.exists()


def test_vote_on_an_unknown_or_huge_id_is_a_404(client):
    assert client.post("/jokes/123456/vote/", {"vote": "up"}).status_code == 404
    assert client.post("/jokes/999999999999999999/vote/", {"vote": "up"}).status_code == 404
    assert client.post("/jokes/99999999999999999999/vote/", {"vote": "up"}).status_code == 404


def test_vote_needs_post(client):
    joke = JokeFactory()
    assert client.get(vote_url(joke), {"vote": "up"}).status_code == 405
    assert not Vote.objects.exists()


def test_vote_without_the_csrf_token_is_refused():
    joke = JokeFactory()
    client = Client(enforce_csrf_checks=True)
    assert client.post(vote_url(joke), {"vote": "up"}).status_code == 403
    json_post = client.post(vote_url(joke), {"vote": "up"}, HTTP_ACCEPT="application/json")
    assert json_post.status_code == 403
    assert not Vote.objects.exists()
    # With the token from the page's form, the same post counts.
    client.get(joke.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(vote_url(joke), {"vote": "up", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert stored(joke) == (1, 1)


# Reports


def test_report_form_and_report(client):
    joke = JokeFactory(text="Questionable")
    response = client.get(report_url(joke))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Questionable" in html and 'type="radio"' in html and 'value="offensive"' in html
    response = client.post(
        report_url(joke), {"reason": "offensive", "details": "  Mean.\x00  "}, follow=True
    )
    # A NUL byte in the details is refused like any invalid form field, not a 500.
    assert response.status_code == 400
    assert not Report.objects.exists()
    response = client.post(
        report_url(joke), {"reason": "offensive", "details": " Mean. "}, follow=True
    )
    assert response.redirect_chain == [(joke.get_absolute_url(), 302)]
    assert "the moderators will look at this joke" in response.content.decode()
    report = Report.objects.get()
    assert (report.reason, report.details) == ("offensive", "Mean.")
    visitor_id = client.cookies[visitors.VISITOR_COOKIE].value.split(":")[0]
    assert report.reporter == salted_hmac("jokes.voter", visitor_id).hexdigest()
    assert report.resolved_at is None


def test_a_visitor_reporting_twice_counts_once(client, settings):
    settings.JOKE_REPORTS_TO_HIDE = 2
    joke = JokeFactory()
    client.post(report_url(joke), {"reason": "spam"})
    response = client.post(report_url(joke), {"reason": "other"}, follow=True)
    assert "You have already reported this joke" in response.content.decode()
    assert Report.objects.count() == 1
    joke.refresh_from_db()
    assert joke.is_published


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "boring"}, {"reason": "\x00"}, {"reason": "spam", "details": "x" * 1001}],
    ids=["no-reason", "unknown-reason", "nul-reason", "long-details"],
)
def test_bad_reports_are_a_400_with_the_form_again(client, data):
    joke = JokeFactory()
    response = client.post(report_url(joke), data)
    assert response.status_code == 400
    assert "<form" in response.content.decode()
    assert not Report.objects.exists()


def test_report_without_the_csrf_token_is_refused():
    joke = JokeFactory()
    client = Client(enforce_csrf_checks=True)
    assert client.post(report_url(joke), {"reason": "spam"}).status_code == 403
    assert not Report.objects.exists()


def test_enough_distinct_visitors_hide_a_joke_until_a_moderator_decides(
    client, settings, moderator
):
    settings.JOKE_REPORTS_TO_HIDE = 3
    joke = JokeFactory(text="Reported joke", tags=["office"])
    for number in range(2):
        Client().post(report_url(joke), {"reason": "offensive"}, REMOTE_ADDR=f"10.0.0.{number}")
    # dropping the cookie is no new voice: the same address again counts once
    Client().post(report_url(joke), {"reason": "offensive"}, REMOTE_ADDR="10.0.0.1")
    joke.refresh_from_db()
    assert joke.is_published
    last = Client().post(report_url(joke), {"reason": "offensive"}, REMOTE_ADDR="10.0.0.9")
    assert last["Location"] == reverse("jokes:joke-list")  # its page is gone
    joke.refresh_from_db()
    assert joke.hidden_by_reports and not joke.is_published
    assert client.get(joke.get_absolute_url()).status_code == 404
    for url in [reverse("jokes:joke-list"), "/tags/office/", reverse("portal:home")]:
        assert "Reported joke" not in client.get(url).content.decode(), url
    assert client.get(reverse("jokes:joke-random"))["Location"] == reverse("jokes:joke-list")

    joke.approve(by=moderator)  # the moderator keeps it
    assert client.get(joke.get_absolute_url()).status_code == 200
    assert not Report.objects.filter(resolved_at__isnull=True).exists()


def test_staff_can_still_see_a_hidden_joke(client_for):
    joke = JokeFactory(hidden_by_reports=True)
    response = client_for("moderator").get(joke.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this joke is not public" in response.content.decode()


# Many visitors at once


def run_at_once(tasks):
    """Run the callables in threads released together; return what they raised."""
    barrier = threading.Barrier(len(tasks))
    errors = []

    def run(task):
        try:
            barrier.wait(timeout=30)
            task()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database is shared between threads through a "
    "shared cache that answers 'table is locked' at once instead of waiting; "
    "CI runs this on PostgreSQL, where the row lock is what is tested.",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_lose_nothing_and_double_count_nothing():
    joke = JokeFactory()
    url = vote_url(joke)
    # A visitor who flips their vote from several tabs at once, among the others.
    flipper = Client()
    assert flipper.post(url, {"vote": "up"}).status_code == 302
    flipper_cookie = flipper.cookies[visitors.VISITOR_COOKIE].value
    flipper_key = salted_hmac("jokes.voter", flipper_cookie.split(":")[0]).hexdigest()

    # Clients are made before the threads start, so that the posts really overlap.
    def visitor(n):
        client, value = Client(), "down" if n % 4 == 0 else "up"

        def task():
            if n % 2:  # half without JavaScript, half asking for JSON
                assert client.post(url, {"vote": value}).status_code == 302
            else:
                answer = client.post(url, {"vote": value}, HTTP_ACCEPT="application/json")
                assert answer.status_code == 200

        return value, task

    def flip(value):
        tab = Client()
        tab.cookies[visitors.VISITOR_COOKIE] = flipper_cookie

        def task():
            answer = tab.post(url, {"vote": value}, HTTP_ACCEPT="application/json")
            assert answer.status_code == 200

        return task

    def others_score():
        others = Vote.objects.filter(joke=joke).exclude(voter=flipper_key)
        return others.aggregate(score=Sum("value"))["score"], others.count()

    # First wave: thirty visitors and the flipping visitor's eight tabs.
    wave = [visitor(n) for n in range(30)]
    flips = [flip(value) for value in ["down", "clear", "up", "down", "up", "clear", "down", "up"]]
    assert run_at_once([*(task for _, task in wave), *flips]) == []
    values = [value for value, _ in wave]
    assert others_score() == (values.count("up") - values.count("down"), 30)
    assert Vote.objects.filter(joke=joke, voter=flipper_key).count() <= 1
    assert_score_equals_the_votes(joke)

    # Second wave: forty more visitors, no flipper; the last commit must have seen all.
    wave = [visitor(n) for n in range(30, 70)]
    assert run_at_once([task for _, task in wave]) == []
    values += [value for value, _ in wave]
    assert others_score() == (values.count("up") - values.count("down"), 70)
    assert_score_equals_the_votes(joke)


def test_votes_and_reports_are_rate_limited_per_client(settings):
    settings.VOTES_PER_HOUR = 2
    settings.REPORTS_PER_HOUR = 1
    joke = JokeFactory()
    for _ in range(2):  # a fresh cookie each time: still the same client
        assert Client().post(vote_url(joke), {"vote": "up"}).status_code == 302
    too_many = Client().post(vote_url(joke), {"vote": "up"})
    assert too_many.status_code == 429
    assert int(too_many["Retry-After"]) > 0
    status, body = vote_json(Client(), joke, "up")
    assert status == 429 and "Too many votes" in body["error"]
    joke.refresh_from_db()
    assert joke.score == 2

    assert Client().post(report_url(joke), {"reason": "spam"}).status_code == 302
    assert Client().post(report_url(joke), {"reason": "spam"}).status_code == 429
    assert joke.reports.count() == 1


@pytest.mark.parametrize("target", ["foo", "joke-list", "admin"])
def test_a_bare_word_as_next_is_a_relative_redirect_not_an_error(client, target):
    joke = JokeFactory()
    response = client.post(vote_url(joke), {"vote": "up", "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    response = client.post(reverse("jokes:safe-mode"), {"safe_mode": "off", "next": target})
    assert response.status_code == 302
