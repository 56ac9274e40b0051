"""A site that looks lived in, for the browser tests and their screenshots: the demo
headlines and jokes (portal/demo/), written through the test factories, with authors,
scores, a Chinese headline and a joke sent in by a visitor."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site as SitesSite
from django.utils import timezone

from jokes.models import Joke, Vote
from portal.demo.articles import ARTICLES, SECTIONS
from portal.demo.jokes import CATEGORIES, JOKES
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

PASSWORD = "pass-for-tests-1"  # the factories' password


@dataclass
class Site:
    sections: dict
    categories: dict
    articles: dict  # by title
    jokes: list  # published, in the order of portal/demo/jokes.py
    chinese_article: object
    pending_joke: object


def staff_user(username, group, **names):
    user = UserFactory(username=username, is_staff=True, **names)
    user.groups.add(Group.objects.get(name=group))
    return user


def build_site() -> Site:
    """Published content only (and one pending joke); needs the `roles` fixture first
    when staff users are made afterwards."""
    now = timezone.now()
    writer = UserFactory(username="writer", first_name="Mara", last_name="Quill")
    sections = {
        name: SectionFactory(name=name, description=description, position=position)
        for position, (name, description) in enumerate(SECTIONS)
    }
    articles = {}
    for data in ARTICLES:
        if data["title"].startswith(("Draft:", "Scheduled:")):
            continue
        articles[data["title"]] = ArticleFactory(
            title=data["title"],
            section=sections[data["section"]],
            author=writer,
            summary=data["summary"],
            body="".join(f"<p>{paragraph}</p>" for paragraph in data["body"]),
            featured=data.get("featured", False),
            publish_at=now - timedelta(days=data["days_ago"], hours=2),
            tags=data["tags"],
        )
    chinese = next(a for a in articles.values() if not a.title.isascii())
    categories = {
        name: CategoryFactory(name=name, description=description)
        for name, description in CATEGORIES
    }
    jokes, votes = [], []
    for number, (category, title, text, tags, flags) in enumerate(JOKES):
        # Some votes from made-up visitors, so "best rated" has an order.
        values = [1 if (voter + number) % 4 else -1 for voter in range((28 - number) % 7)]
        joke = JokeFactory(
            category=categories[category],
            title=title,
            text=text,
            tags=tags,
            published_at=now - timedelta(days=number, hours=3),
            score=sum(values),
            vote_count=len(values),
            **{flag: True for flag in flags},
        )
        jokes.append(joke)
        votes += [Vote(joke=joke, voter=f"made-up-{i}", value=v) for i, v in enumerate(values)]
    Vote.objects.bulk_create(votes)
    pending = JokeFactory(
        pending=True,
        category=categories["Puns"],
        text="I wanted to be a photographer,\nbut I never got the picture.",
        submitter_name="Ada Visitor",
    )
    assert Joke.objects.published().count() == len(jokes)
    return Site(sections, categories, articles, jokes, chinese, pending)


def serve_site_from(live_server):
    """Absolute links to the site (the admin's "View on site") lead to the live server."""
    SitesSite.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": live_server.url.split("//", 1)[1]}
    )
    SitesSite.objects.clear_cache()


def log_in(browser, live_server, username, next_path="/admin/"):
    """A new browser context logged in to the admin as `username`; its page, at `next_path`."""
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")
    return page
