"""A moderator decides what visitors sent in, from the admin's moderation queue: one
joke approved (then public), another rejected with a reason (which its sender reads on
the private status page)."""

import pytest

from jokes.models import Joke
from tests.e2e.site_content import build_site, log_in, staff_user
from tests.factories import JokeFactory

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "My dog used to chase people on a bike.\nIt got so bad I had to take his bike away."
BAD = "This is not a joke, it is an advert for cheap watches.\nBuy now!"
REASON = "This is an advertisement, not a joke."


def test_a_moderator_approves_one_joke_and_rejects_another(live_server, browser, roles, screenshot):
    site = build_site()
    puns, office = site.categories["Puns"], site.categories["Office"]
    good = JokeFactory(pending=True, category=puns, text=GOOD, submitter_name="Pat")
    bad = JokeFactory(pending=True, category=office, text=BAD)
    staff_user("mo", "Moderators", first_name="Mo", last_name="Derator")
    visitor = browser.new_context().new_page()
    assert visitor.goto(f"{live_server.url}{good.get_absolute_url()}").status == 404

    # The admin's front page says what waits and leads to the queue.
    page = log_in(browser, live_server, "mo")
    summary = page.locator("#moderation-summary")
    assert "3 items wait for a decision" in summary.inner_text()  # with the site's own
    summary.get_by_role("link", name="Open the moderation queue").click()
    page.wait_for_url("**/admin/moderation/")

    # Approve the good one.
    row = page.locator("tr", has_text="take his bike away")
    row.get_by_role("button", name="Approve…").click()
    assert "take his bike away" in page.locator("#content").inner_text()
    page.get_by_role("button", name="Approve").click()
    assert "1 approved" in page.locator(".messagelist").inner_text()

    # Reject the advert, with a reason; the form asks for one.
    page.goto(f"{live_server.url}/admin/moderation/")
    page.locator("tr", has_text="cheap watches").get_by_role("button", name="Reject…").click()
    reason = page.get_by_label("Reason (shown to the submitter)")
    page.get_by_role("button", name="Reject").click()  # the browser keeps the empty form
    assert reason.evaluate("(field) => field.validity.valueMissing")
    reason.fill(REASON)
    page.get_by_role("button", name="Reject").click()
    assert "1 rejected" in page.locator(".messagelist").inner_text()
    page.goto(f"{live_server.url}/admin/moderation/")
    queue = page.locator("#content").inner_text()
    assert "take his bike away" not in queue and "cheap watches" not in queue
    screenshot(page, "queue")

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == (Joke.Status.PUBLISHED, Joke.Status.REJECTED)
    assert good.decided_by.username == bad.decided_by.username == "mo"

    # The approved joke is public: its page, the newest jokes, its sender's status page.
    visitor.goto(f"{live_server.url}/jokes/")
    visitor.get_by_role("link", name=f"Joke #{good.pk}").first.click()
    visitor.wait_for_url(f"**{good.get_absolute_url()}")
    assert "sent in by Pat" in visitor.locator(".joke-footer").inner_text()
    visitor.goto(f"{live_server.url}/submit/status/{good.status_token}/")
    assert "Accepted and published." in visitor.locator(".status").inner_text()

    # The rejected one is not; its status page gives the moderator's reason.
    assert visitor.goto(f"{live_server.url}{bad.get_absolute_url()}").status == 404
    visitor.goto(f"{live_server.url}/submit/status/{bad.status_token}/")
    status = visitor.locator(".status").inner_text()
    assert "Not accepted." in status and REASON in status
    screenshot(visitor, "rejected-status")
