"""A visitor's tour in a browser: home, a section, an article, a tag, the search, a
random joke, votes with and without JavaScript, a report, and a joke sent in."""

import re

import pytest
from playwright.sync_api import expect

from jokes.models import Joke, Report
from tests.e2e.site_content import build_site

pytestmark = pytest.mark.django_db(transaction=True)

NEW_JOKE = "Why don't skeletons fight each other?\nThey don't have the guts."


def test_a_visitor_reads_searches_votes_reports_and_sends_a_joke(
    live_server, browser, roles, screenshot
):
    build_site()
    page = browser.new_context().new_page()

    # Home, then a section from its heading, then an article of it.
    page.goto(live_server.url)
    expect(page).to_have_title("Joke Collection Website")
    page.locator(".section-block h2").get_by_role("link", name="Culture").click()
    expect(page.locator("h1")).to_have_text("Culture")
    page.get_by_role("link", name="Comedy night returns to the old cinema").click()
    expect(page.locator("article h1")).to_have_text("Comedy night returns to the old cinema")
    assert "open-mic comedy night" in page.locator(".article-body").inner_text()

    # A tag of the article: its headlines and its jokes.
    page.locator(".tags").get_by_role("link", name="comedy").click()
    expect(page.locator("h1")).to_have_text("Tagged “comedy”")
    assert page.get_by_role("link", name="Comedy night returns to the old cinema").is_visible()
    assert "no pun in ten did" in page.locator("main").inner_text()

    # The search box in the header.
    page.get_by_label("Search the site").fill("owls")
    page.get_by_label("Search the site").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=owls"))
    expect(page.locator(".result-count")).to_have_text("1 result")
    page.get_by_role("link", name="Volunteers count a record number of owls").click()
    expect(page.locator("article h1")).to_have_text("Volunteers count a record number of owls")

    # A random joke, from the jokes' own menu.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Jokes").click()
    page.get_by_role("link", name="Random joke").click()
    page.wait_for_url(re.compile(r"/jokes/\d+/\?from=random$"))
    joke = Joke.objects.get(pk=re.search(r"/jokes/(\d+)/", page.url)[1])
    score = page.locator("form.vote .score")
    expect(score).to_have_text(str(joke.score))

    # Voting with JavaScript: the score changes in place, the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Vote up").click()
    expect(score).to_have_text(str(joke.score + 1))
    expect(page.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True

    # Without JavaScript (another visitor): the form posts and the page comes back.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(f"{live_server.url}{joke.get_absolute_url()}")
    plain.get_by_role("button", name="Vote up").click()
    plain.wait_for_load_state()
    assert "Thanks, your vote is counted." in plain.locator(".messages").inner_text()
    expect(plain.locator("form.vote .score")).to_have_text(str(joke.score + 2))
    plain.context.close()
    joke.refresh_from_db()
    assert joke.vote_count >= 2

    # Reporting the joke.
    page.get_by_role("link", name="Report this joke").click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything else the moderators should know (optional)").fill(
        "Seen word for word on a cereal box."
    )
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(f"**{joke.get_absolute_url()}")
    assert "the moderators will look at this joke" in page.locator(".messages").inner_text()
    report = Report.objects.get(joke=joke)
    assert report.reason == Report.Reason.NOT_FUNNY_SPAM

    # Sending in a joke, from the footer: its private status page says it is pending.
    page.get_by_role("navigation", name="Footer").get_by_role("link", name="Send in a joke").click()
    page.get_by_label("Your joke").fill(NEW_JOKE)
    page.get_by_label("Category").select_option(label="Puns")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_role("button", name="Send the joke").click()
    page.wait_for_url(re.compile(r"/submit/status/[\w-]+/$"))
    expect(page.locator(".status-pending")).to_contain_text("Waiting for a moderator.")
    assert "They don't have the guts." in page.locator(".joke-text").inner_text()
    sent = Joke.objects.get(text=NEW_JOKE)
    assert sent.status == Joke.Status.PENDING and sent.submitter_name == "Sam"
    screenshot(page, "pending")
