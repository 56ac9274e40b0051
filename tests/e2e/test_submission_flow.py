"""A visitor sends in a joke, a moderator approves it, visitors vote on it: in a browser."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from jokes.models import Joke
from tests.factories import CategoryFactory, JokeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

JOKE = "Why did the scarecrow win an award?\nBecause he was outstanding in his field."


def test_submit_approve_and_vote(live_server, browser, roles, screenshot):
    category = CategoryFactory(name="Farm")
    JokeFactory(category=category, text="Another joke, so the lists are not empty.")
    moderator = UserFactory(username="mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))

    # A visitor sends a joke and lands on its private status page.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/submit/joke/")
    visitor.get_by_label("Your joke").fill(JOKE)
    visitor.get_by_label("Category").select_option(label="Farm")
    visitor.get_by_label("Your name").fill("Dot")
    visitor.get_by_label("Your e-mail").fill("dot@example.org")
    visitor.get_by_role("button", name="Send the joke").click()
    visitor.wait_for_url(re.compile(r"/submit/status/[\w-]+/$"))
    status_url = visitor.url
    assert "Waiting for a moderator." in visitor.content()
    screenshot(visitor, "pending")

    # Pending: on no public page.
    for path in ["/", "/jokes/", "/jokes/top/", category.get_absolute_url()]:
        visitor.goto(f"{live_server.url}{path}")
        assert "outstanding in his field" not in visitor.content(), path
    joke = Joke.objects.get(status=Joke.Status.PENDING)

    # The moderator approves it from the queue.
    staff = browser.new_context().new_page()
    staff.goto(f"{live_server.url}/admin/login/?next=/admin/moderation/")
    staff.get_by_label("Username").fill("mod")
    staff.get_by_label("Password").fill("pass-for-tests-1")
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url(re.compile(r"/admin/moderation/$"))
    row = staff.locator("tr", has_text="outstanding in his field")
    row.get_by_role("button", name="Approve…").click()
    staff.get_by_role("button", name="Approve").click()
    assert "1 approved" in staff.locator(".messagelist").inner_text()
    screenshot(staff, "approved")

    # The status page links to the joke, which is now public.
    visitor.goto(status_url)
    visitor.get_by_role("link", name="See your joke").click()
    visitor.wait_for_url(f"**{joke.get_absolute_url()}")
    assert "outstanding in his field" in visitor.content()

    # Voting with JavaScript: the score changes without a reload.
    score = visitor.locator("form.vote .score")
    assert score.inner_text() == "0"
    visitor.evaluate("window.notReloaded = true")
    visitor.get_by_role("button", name="Vote up").click()
    # expect(), not wait_for_function(): the site's policy forbids the eval that one needs.
    expect(score).to_have_text("1")
    assert visitor.evaluate("window.notReloaded") is True
    assert visitor.get_by_role("button", name="Vote up").get_attribute("aria-pressed") == "true"
    screenshot(visitor, "voted")

    # Voting without JavaScript: the plain form posts and comes back.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(f"{live_server.url}{joke.get_absolute_url()}")
    plain.get_by_role("button", name="Vote down").click()
    plain.wait_for_load_state()
    assert plain.locator("form.vote .score").inner_text() == "0"
    joke.refresh_from_db()
    assert (joke.score, joke.vote_count) == (0, 2)
