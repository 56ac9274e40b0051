"""Visitor submissions: the joke and article forms, their abuse guards, the private
status page, and the e-mail that tells the moderators."""

import re
import smtplib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article
from jokes import ratelimit
from jokes.models import Joke, JokeOfTheDay
from portal.models import Contribution, paragraphs_html
from tests.factories import (
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JOKE_TEXT = "Why did the zebra cross the savannah?\nTo get to the other stripe."
ARTICLE_TEXT = (
    "The village fair opened on Saturday with a parade.\n\n"
    "Hundreds came to see the giant marrow, which won again."
)
EMAIL = "private-person@example.net"


@pytest.fixture
def category():
    return CategoryFactory(name="Animals")


@pytest.fixture
def section():
    return SectionFactory(name="Local news")


def joke_data(category_, **overrides):
    data = {
        "text": JOKE_TEXT,
        "title": "",
        "category": category_.pk,
        "submitter_name": "Zoe",
        "submitter_email": EMAIL,
        "website": "",
    }
    data.update(overrides)
    return data


def article_data(section_, **overrides):
    data = {
        "title": "Giant marrow wins again",
        "section": section_.pk,
        "text": ARTICLE_TEXT,
        "submitter_name": "Sam",
        "submitter_email": EMAIL,
        "website": "",
    }
    data.update(overrides)
    return data


def submit_joke(client, category_, **overrides):
    return client.post(reverse("portal:submit-joke"), joke_data(category_, **overrides))


def submit_article(client, section_, **overrides):
    return client.post(reverse("portal:submit-article"), article_data(section_, **overrides))


def status_url(item):
    return reverse("portal:submission-status", kwargs={"token": item.status_token})


# The forms


def test_submission_routes_reverse():
    assert reverse("portal:submit-joke") == "/submit/joke/"
    assert reverse("portal:submit-article") == "/submit/article/"
    assert reverse("portal:submission-status", kwargs={"token": "abc_-1"}) == (
        "/submit/status/abc_-1/"
    )


@pytest.mark.parametrize(
    ("url_name", "fields"),
    [
        ("portal:submit-joke", ["text", "title", "category", "submitter_name", "submitter_email"]),
        (
            "portal:submit-article",
            ["title", "section", "text", "submitter_name", "submitter_email"],
        ),
    ],
)
def test_forms_offer_only_their_named_fields_and_a_honeypot(client, url_name, fields):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [*fields, "website"]
    html = response.content.decode()
    # the name is public, the address is not: the help texts say so
    assert "Your name (optional)" in html and "Shown with the" in html
    assert "Your e-mail (optional)" in html
    assert "Never shown: we write to tell you the decision." in html
    assert "---------" not in html and "Choose a " in html
    assert 'name="website"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"]


def test_a_joke_lands_pending_with_a_private_status_link(client, category):
    response = submit_joke(client, category, title="  Stripes  ")
    joke = Joke.objects.get()
    assert response.status_code == 302
    assert response["Location"] == status_url(joke)
    assert joke.status == Joke.Status.PENDING
    assert joke.published_at is None
    assert not joke.is_published
    assert joke.text == JOKE_TEXT
    assert joke.title == "Stripes"
    assert joke.category == category
    assert (joke.submitter_name, joke.submitter_email) == ("Zoe", EMAIL)
    assert joke.decided_by is None


def test_an_article_lands_pending_and_makes_no_article(client, section):
    response = submit_article(client, section)
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == status_url(contribution)
    assert contribution.status == Contribution.Status.PENDING
    assert contribution.section == section
    assert contribution.text == ARTICLE_TEXT
    assert contribution.article is None
    assert not Article.objects.exists()


def test_name_and_email_are_optional(client, category, section):
    assert submit_joke(client, category, submitter_name="", submitter_email="").status_code == 302
    assert submit_article(client, section, submitter_name="", submitter_email="").status_code == 302
    assert Joke.objects.get().submitter_email == ""
    assert Contribution.objects.get().submitter_name == ""


def test_posted_workflow_fields_are_ignored(client, category, moderator):
    submit_joke(
        client,
        category,
        status="published",
        published_at="2020-01-01 00:00",
        score="999",
        decided_by=moderator.pk,
        status_token="chosen-by-me",
        hidden_by_reports="on",
        nsfw="on",
    )
    joke = Joke.objects.get()
    assert joke.status == Joke.Status.PENDING
    assert joke.published_at is None
    assert joke.score == 0
    assert joke.decided_by is None
    assert joke.status_token != "chosen-by-me"
    assert not joke.nsfw


def test_status_tokens_are_long_random_and_distinct(client, category, section):
    submit_joke(client, category)
    submit_article(client, section)
    tokens = [Joke.objects.get().status_token, Contribution.objects.get().status_token]
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)
    assert tokens[0] != tokens[1]


# Never public until approved


def public_pages(joke):
    return [
        reverse("portal:home"),
        reverse("jokes:joke-list"),
        reverse("jokes:joke-top"),
        reverse("jokes:joke-top") + "?period=week",
        joke.category.get_absolute_url(),
        reverse("portal:tag-detail", kwargs={"slug": "zebras"}),
    ]


def test_a_pending_joke_is_on_no_public_page_until_approved(client, moderator):
    joke = JokeFactory(pending=True, text=JOKE_TEXT, tags=["zebras"])
    for url in public_pages(joke):
        response = client.get(url)
        # a tag that only pending content uses is not there at all for visitors
        assert response.status_code == (404 if "/tags/" in url else 200), url
        assert "other stripe" not in response.content.decode(), url
    assert client.get(joke.get_absolute_url()).status_code == 404
    assert client.get(reverse("jokes:joke-random"))["Location"] == reverse("jokes:joke-list")
    vote = client.post(reverse("jokes:joke-vote", kwargs={"pk": joke.pk}), {"vote": "up"})
    assert vote.status_code == 404
    assert not JokeOfTheDay.objects.exists()

    joke.approve(by=moderator)

    for url in public_pages(joke):
        assert "other stripe" in client.get(url).content.decode(), url
    assert client.get(joke.get_absolute_url()).status_code == 200
    assert client.get(reverse("jokes:joke-random"))["Location"].startswith(joke.get_absolute_url())
    vote = client.post(reverse("jokes:joke-vote", kwargs={"pk": joke.pk}), {"vote": "up"})
    assert vote.status_code == 302
    joke.refresh_from_db()
    assert (joke.score, joke.vote_count) == (1, 1)


def test_a_rejected_joke_stays_off_the_site(client, moderator):
    joke = JokeFactory(pending=True, text=JOKE_TEXT)
    joke.reject(by=moderator, reason="Seen it.")
    assert client.get(joke.get_absolute_url()).status_code == 404
    assert "other stripe" not in client.get(reverse("jokes:joke-list")).content.decode()


# The status page


def test_status_of_a_pending_joke(client):
    joke = JokeFactory(pending=True, text=JOKE_TEXT, title="Stripes")
    response = client.get(status_url(joke))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for a moderator." in html
    assert "Stripes" in html and "other stripe" in html
    assert joke.get_absolute_url() not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_status_of_an_approved_joke_links_to_it(client, moderator):
    joke = JokeFactory(pending=True)
    joke.approve(by=moderator)
    html = client.get(status_url(joke)).content.decode()
    assert "Accepted and published." in html
    assert f'href="{joke.get_absolute_url()}"' in html


def test_status_of_a_rejected_joke_gives_the_reason_escaped(client, moderator):
    joke = JokeFactory(pending=True)
    joke.reject(by=moderator, reason="An old one <em>sorry</em>.\nTry another!")
    html = client.get(status_url(joke)).content.decode()
    assert "Not accepted." in html
    assert "An old one &lt;em&gt;sorry&lt;/em&gt;.<br>Try another!" in html
    assert joke.get_absolute_url() not in html


def test_status_of_an_article_through_moderation_and_editing(client, moderator):
    contribution = ContributionFactory()
    assert "Waiting for a moderator." in client.get(status_url(contribution)).content.decode()

    contribution.approve(by=moderator)
    article = contribution.article
    html = client.get(status_url(contribution)).content.decode()
    assert "our editors are preparing it" in html
    assert article.get_absolute_url() not in html

    article.publish()
    html = client.get(status_url(contribution)).content.decode()
    assert "Accepted and published." in html
    assert f'href="{article.get_absolute_url()}"' in html


def test_status_of_a_rejected_article(client, moderator):
    contribution = ContributionFactory()
    contribution.reject(by=moderator, reason="Not news.")
    html = client.get(status_url(contribution)).content.decode()
    assert "Not accepted." in html and "Not news." in html


@pytest.mark.parametrize("decision", ["pending", "approved", "rejected"])
def test_the_email_is_never_shown_publicly(client, moderator, decision):
    joke = JokeFactory(pending=True, submitter_email=EMAIL, submitter_name="Zoe")
    contribution = ContributionFactory(submitter_email=EMAIL)
    for item in (joke, contribution):
        if decision == "approved":
            item.approve(by=moderator)
        elif decision == "rejected":
            item.reject(by=moderator, reason="No.")
    pages = [status_url(joke), status_url(contribution)]
    if decision == "approved":
        pages += [joke.get_absolute_url(), reverse("jokes:joke-list")]
    for url in pages:
        html = client.get(url).content.decode()
        assert EMAIL not in html, url
        assert "private-person" not in html, url
    if decision == "approved":
        assert "sent in by Zoe" in client.get(joke.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "token",
    ["not-a-real-token", "x" * 65, "x" * 5000, "a%00b", "%00", "..", "%E2%80%AE", "😀"],
)
def test_unknown_or_odd_tokens_are_a_404(client, token):
    JokeFactory(pending=True)
    ContributionFactory()
    response = client.get(f"/submit/status/{token}/")
    # a NUL byte is refused before any view (400), everything else finds nothing
    assert response.status_code == (400 if "%00" in token else 404)


def test_a_nul_byte_in_a_tag_address_is_refused(client):
    """PostgreSQL refuses NUL in a query: the address must not reach the database."""
    JokeFactory(tags=["zebras"])
    assert client.get("/tags/zebras%00/").status_code == 400
    assert client.get("/tags/%00/").status_code == 400
    assert client.get("/tags/zebras/").status_code == 200


def test_a_staff_joke_has_no_status_page(client):
    joke = JokeFactory()
    assert joke.status_token is None
    assert client.get("/submit/status/None/").status_code == 404


@pytest.mark.parametrize("kind", ["joke", "article"])
def test_status_page_query_count(client, moderator, django_assert_num_queries, kind):
    if kind == "joke":
        item = JokeFactory(pending=True)
        # the joke, the sections for the header
        expected = 2
    else:
        item = ContributionFactory()
        # no joke with the token, the contribution with its section and article,
        # the sections for the header
        expected = 3
    with django_assert_num_queries(expected):
        client.get(status_url(item))
    item.approve(by=moderator)
    if kind == "article":
        item.article.publish()
    with django_assert_num_queries(expected):
        assert client.get(status_url(item)).status_code == 200


# Abuse: honeypot, rate limit, length limits, bad input, duplicates


def test_a_filled_honeypot_is_refused(client, category, section, mailoutbox):
    response = submit_joke(client, category, website="http://spam.example")
    assert response.status_code == 400
    assert response.context["form"].has_error("website", "honeypot")
    assert "This looks automated" in response.content.decode()
    response = submit_article(client, section, website="buy now")
    assert response.status_code == 400
    assert not Joke.objects.exists()
    assert not Contribution.objects.exists()
    assert mailoutbox == []


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, fixed in the middle of an hour and movable."""
    now = SimpleNamespace(value=1_000 * 3600 + 1800.0)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now.value))
    return now


def test_too_many_submissions_get_a_429_page(client, category, section, settings, clock):
    settings.SUBMISSIONS_PER_HOUR = 3
    assert submit_joke(client, category).status_code == 302
    # refused ones count too: a bot cannot probe for free
    assert submit_joke(client, category, text="").status_code == 400
    assert submit_article(client, section).status_code == 302

    response = submit_article(client, section, title="One too many")
    assert response.status_code == 429
    assert "rate_limited.html" in [t.name for t in response.templates]
    assert "Too many at once" in response.content.decode()
    assert not Contribution.objects.filter(title="One too many").exists()
    assert (
        submit_joke(client, category, text="Another joke entirely, quite new.").status_code == 429
    )
    # reading the forms is not limited
    assert client.get(reverse("portal:submit-joke")).status_code == 200

    # another client has its own budget
    other = client.post(
        reverse("portal:submit-article"),
        article_data(section, title="From elsewhere"),
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 302

    clock.value += 3600  # the next hour
    assert submit_article(client, section, title="Next hour").status_code == 302


def test_the_rate_limit_is_kept_in_the_cache(client, category, settings, clock):
    settings.SUBMISSIONS_PER_HOUR = 1
    assert submit_joke(client, category).status_code == 302
    assert submit_joke(client, category, text="A different joke altogether.").status_code == 429
    cache.clear()  # what a shared cache forgets, every worker forgets
    assert submit_joke(client, category, text="A different joke altogether.").status_code == 302


def test_a_429_says_when_to_come_back(client, category, settings):
    settings.SUBMISSIONS_PER_HOUR = 0
    response = submit_joke(client, category)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3601


def test_a_cache_outage_asks_to_try_again_and_stores_nothing(client, category, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr("jokes.ratelimit.cache.add", down)
    response = submit_joke(client, category)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Please try again in a moment" in response.content
    assert not Joke.objects.exists()


def test_rate_limit_key_behind_a_proxy_trusts_only_the_last_address(settings):
    factory = RequestFactory()

    def key(**meta):
        return ratelimit.client_key(factory.post("/", **meta))

    settings.BEHIND_PROXY = True
    real = key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    spoofed = key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert real == spoofed
    assert real != key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert "203.0.113.9" not in real

    settings.BEHIND_PROXY = False
    # without a proxy the header is the client's to forge: ignored
    assert key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1") == key(
        REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )


@pytest.mark.parametrize(
    ("kind", "field", "value", "code"),
    [
        ("joke", "text", "", "required"),
        ("joke", "text", "   \n\t  ", "required"),
        ("joke", "text", "Ha ha.", "too_short"),
        ("joke", "text", "!!! ??? ... --- ***", "no_words"),
        ("joke", "text", "😂" * 12, "no_words"),
        ("joke", "text", "word " * 1001, "max_length"),
        ("joke", "title", "t" * 201, "max_length"),
        ("joke", "category", "", "required"),
        ("joke", "category", "999999", "invalid_choice"),
        ("joke", "category", "not-a-number", "invalid_choice"),
        ("joke", "category", "9" * 40, "invalid_choice"),
        ("joke", "submitter_name", "n" * 101, "max_length"),
        ("joke", "submitter_email", "not an address", "invalid"),
        ("joke", "submitter_email", "a@" + "b" * 300 + ".com", "invalid"),
        ("article", "title", "", "required"),
        ("article", "title", "   ", "required"),
        ("article", "title", "t" * 201, "max_length"),
        ("article", "section", "", "required"),
        ("article", "section", "-1", "invalid_choice"),
        ("article", "text", "", "required"),
        ("article", "text", "Too short to be an article.", "too_short"),
        ("article", "text", "x" * 20001, "max_length"),
        ("article", "submitter_name", "n" * 101, "max_length"),
    ],
)
def test_bad_values_are_form_errors(client, category, section, kind, field, value, code):
    if kind == "joke":
        response = submit_joke(client, category, **{field: value})
    else:
        response = submit_article(client, section, **{field: value})
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code), response.context["form"].errors
    assert 'class="field-errors"' in response.content.decode()
    assert not Joke.objects.exists()
    assert not Contribution.objects.exists()


def test_the_longest_joke_allowed_is_accepted(client, category):
    text = ("word " * 1000).strip()
    assert len(text) < 5000
    assert submit_joke(client, category, text=text + "s" * (5000 - len(text))).status_code == 302
    assert len(Joke.objects.get().text) == 5000


def test_an_empty_post_is_a_form_error(client):
    for url in (reverse("portal:submit-joke"), reverse("portal:submit-article")):
        response = client.post(url, {})
        assert response.status_code == 400
        assert response.context["form"].errors


@pytest.mark.parametrize("field", ["text", "title", "submitter_name", "submitter_email", "website"])
def test_nul_bytes_are_a_form_error(client, category, section, field):
    value = {"submitter_email": "a\x00@example.com"}.get(field, "A perfectly\x00 fine value here")
    for response in (
        submit_joke(client, category, **{field: value}),
        submit_article(client, section, **{field: value}),
    ):
        assert response.status_code == 400
        assert response.context["form"].errors[field]
    assert not Joke.objects.exists()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("field", ["category", "section"], ids=["joke-category", "article-section"])
def test_nul_bytes_in_a_choice_are_a_form_error(client, category, section, field):
    if field == "category":
        response = submit_joke(client, category, category=f"{category.pk}\x00")
    else:
        response = submit_article(client, section, section=f"{section.pk}\x00")
    assert response.status_code == 400
    assert response.context["form"].errors[field]


@pytest.mark.parametrize(
    "text",
    [
        "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ ｍａｋｅ ａ ｊｏｋｅ",
        "\u202eThis line is reversed by an override\u202c, then normal.",
        "Zero\u200bwidth\u200dspaces\ufeffin between the words here.",
        "Cafe\u0301 with a combining accent, and a pun.",
        "𝕿𝖍𝖎𝖘 𝖏𝖔𝖐𝖊 𝖎𝖘 𝖎𝖓 𝖋𝖗𝖆𝖐𝖙𝖚𝖗 😂🦓",
        "为什么斑马过马路？为了到另一边去。",
        "Line one\r\nLine two\rLine three\n\n\nLine four",
        "A joke with \ufffd replacement characters \ufffd in it.",
    ],
)
def test_odd_unicode_is_stored_safely_and_shown(client, category, text):
    response = submit_joke(client, category, text=text)
    assert response.status_code == 302
    joke = Joke.objects.get()
    assert "\r" not in joke.text
    assert joke.fingerprint
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_invalid_utf8_in_the_body_is_never_a_500(client, category):
    body = (
        f"text=%FF%FE%ED%A0%80+bad+bytes+around+a+joke+%C0%AF&category={category.pk}"
        "&submitter_name=%80%81&website="
    ).encode()
    response = client.post(
        reverse("portal:submit-joke"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    joke = Joke.objects.get()
    assert "bad bytes around a joke" in joke.text


def test_a_huge_post_is_refused(client, category, section):
    huge = "x" * (6 * 1024 * 1024)  # past what any public form takes: unread, a 413
    assert submit_joke(client, category, text=huge).status_code == 413
    assert submit_article(client, section, text=huge).status_code == 413
    long = "x" * (512 * 1024)  # read, and longer than the field takes: a 400
    assert submit_joke(client, category, text=long).status_code == 400
    assert submit_article(client, section, text=long).status_code == 400
    assert not Joke.objects.exists()
    assert not Contribution.objects.exists()


def test_html_and_script_are_kept_as_text_and_escaped(client, category, moderator):
    text = "<script>alert('x')</script> Why is <b>this</b> joke & that one funny?"
    response = submit_joke(client, category, text=text, title="<img src=x onerror=alert(1)>")
    joke = Joke.objects.get()
    assert joke.text == text  # stored as typed: it is plain text
    for html in (
        client.get(response["Location"]).content.decode(),
        (joke.approve(by=moderator), client.get(joke.get_absolute_url()))[1].content.decode(),
        client.get(reverse("jokes:joke-list")).content.decode(),
    ):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert "&lt;b&gt;this&lt;/b&gt; joke &amp; that" in html


def test_article_text_becomes_escaped_paragraphs(client, section, moderator):
    text = "First <b>bold?</b> paragraph\nstill the first.\n\n\n<script>x()</script> second one."
    submit_article(client, section, text=text)
    contribution = Contribution.objects.get()
    contribution.approve(by=moderator)
    assert contribution.article.body == (
        "<p>First &lt;b&gt;bold?&lt;/b&gt; paragraph still the first.</p>\n"
        "<p>&lt;script&gt;x()&lt;/script&gt; second one.</p>"
    )


def test_paragraphs_html():
    assert paragraphs_html("") == ""
    assert paragraphs_html("one\r\n\r\ntwo &\n three") == "<p>one</p>\n<p>two &amp; three</p>"
    assert paragraphs_html("\n\n\n\n  \n\nonly") == "<p>only</p>"


@pytest.mark.parametrize(
    "variant",
    [
        JOKE_TEXT,
        "WHY DID THE ZEBRA CROSS THE SAVANNAH to get to the other stripe",
        "  why   did the zebra -- cross the savannah...\n\nTo get to the other stripe!!  ",
        "Ｗｈｙ ｄｉｄ ｔｈｅ ｚｅｂｒａ ｃｒｏｓｓ ｔｈｅ ｓａｖａｎｎａｈ? "
        "To get to the other stripe.",
    ],
)
def test_a_duplicate_of_a_published_joke_is_refused_with_a_link(client, category, variant):
    original = JokeFactory(text=JOKE_TEXT)
    response = submit_joke(client, category, text=variant)
    assert response.status_code == 400
    assert response.context["form"].has_error("text", "duplicate")
    assert f'We already have this joke: <a href="{original.get_absolute_url()}">' in (
        response.content.decode()
    )
    assert Joke.objects.count() == 1


def test_a_duplicate_of_a_pending_joke_is_refused_without_a_link(client, category):
    original = JokeFactory(pending=True, text=JOKE_TEXT)
    response = submit_joke(client, category, text=JOKE_TEXT.upper())
    assert response.status_code == 400
    assert response.context["form"].has_error("text", "duplicate")
    html = response.content.decode()
    assert "waiting for a moderator" in html
    assert original.get_absolute_url() not in html  # not public: no link
    assert original.status_token not in html


def test_a_duplicate_of_both_links_to_the_published_one(client, category):
    """On PostgreSQL NULLs sort first in "-published_at" order: the published joke
    must still be the one found, on every database."""
    published = JokeFactory(text=JOKE_TEXT)
    JokeFactory(pending=True, text=JOKE_TEXT.upper())
    response = submit_joke(client, category)
    assert response.status_code == 400
    assert f'<a href="{published.get_absolute_url()}">' in response.content.decode()


@pytest.mark.parametrize(
    "joke",
    [
        {"hidden_by_reports": True},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["hidden-by-reports", "scheduled"],
)
def test_a_duplicate_of_a_joke_not_public_gives_no_link(client, category, joke):
    original = JokeFactory(text=JOKE_TEXT, **joke)
    response = submit_joke(client, category)
    assert response.status_code == 400
    assert response.context["form"].has_error("text", "duplicate")
    html = response.content.decode()
    assert "We already have this joke." in html
    assert original.get_absolute_url() not in html
    assert "waiting for a moderator" not in html


@pytest.mark.parametrize("status", [Joke.Status.REJECTED, Joke.Status.DRAFT, Joke.Status.ARCHIVED])
def test_a_joke_matching_nothing_public_or_pending_is_accepted(client, category, status):
    JokeFactory(text=JOKE_TEXT, status=status)
    assert submit_joke(client, category).status_code == 302
    assert Joke.objects.filter(status=Joke.Status.PENDING).count() == 1


def test_a_different_joke_is_not_a_duplicate(client, category):
    JokeFactory(text=JOKE_TEXT)
    assert submit_joke(client, category, text=JOKE_TEXT + " Again.").status_code == 302


# Telling the moderators


@pytest.fixture
def audience(moderator, editor, superuser, author):
    """Everybody who could be told: only active moderators with an address should be."""
    moderators = Group.objects.get(name="Moderators")
    second = UserFactory(username="second-moderator", is_staff=True)
    second.groups.add(moderators)
    UserFactory(username="gone-moderator", is_staff=True, is_active=False).groups.add(moderators)
    UserFactory(username="silent-moderator", is_staff=True, email="").groups.add(moderators)
    UserFactory(username="ordinary-visitor")
    return sorted([moderator.email, second.email])


@pytest.mark.parametrize("kind", ["joke", "article"])
def test_a_submission_tells_the_moderators_only(
    client, category, section, audience, mailoutbox, django_capture_on_commit_callbacks, kind
):
    with django_capture_on_commit_callbacks(execute=True):
        if kind == "joke":
            submit_joke(client, category)
        else:
            submit_article(client, section)
    [mail] = mailoutbox
    assert mail.to == []  # moderators do not see each other's addresses
    assert sorted(mail.bcc) == audience
    assert not mail.cc
    assert mail.subject == f"New {kind} waiting for moderation"
    assert mail.body.startswith(f"A visitor sent in a new {kind}:\n\n")
    assert "http://testserver/admin/moderation/" in mail.body
    assert EMAIL not in mail.body
    assert EMAIL not in mail.subject


def test_moderators_are_told_only_after_the_commit(
    client, category, audience, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submit_joke(client, category)
        assert mailoutbox == []
    # Besides the page cache's second move of its generation (portal/pagecache.py).
    from portal.pagecache import move_generation

    mail = [callback for callback in callbacks if callback is not move_generation]
    assert len(mail) == 1
    mail[0]()
    assert len(mailoutbox) == 1


def test_a_refused_submission_tells_nobody(
    client, category, audience, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_joke(client, category, text="short")
    assert mailoutbox == []


def test_a_mail_outage_loses_no_submission(
    client, category, audience, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr("portal.services.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_joke(client, category)
    assert response.status_code == 302
    assert Joke.objects.get().status == Joke.Status.PENDING
    assert "could not send" in caplog.text


def test_a_near_duplicate_is_accepted_and_shown_beside_its_twin(client, category, moderator):
    original = JokeFactory(
        text="I told my doctor I broke my arm in two places. He told me to stop going to "
        "those places."
    )
    response = submit_joke(
        client,
        category,
        text="I told the doctor I had broken my arm in two places. He said to stop going to "
        "those places.",
    )
    assert response.status_code == 302
    joke = Joke.objects.get(status=Joke.Status.PENDING)
    assert joke.similar_to == original
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert "Resembles:" in queue
    assert reverse("admin:jokes_joke_change", args=[original.pk]) in queue
