"""The Content Security Policy in a real browser: public pages, the API's docs page
and the admin's CKEditor work under it, and the browser reports no violation."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bulletin.models import Article
from tests.factories import ArticleFactory, JokeFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Every violation the browser reports, kept on the page for the test to read.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watched_page(browser):
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console):
    return page.evaluate("window.__violations") + console


def test_public_pages_and_the_api_docs_run_under_the_policy(live_server, browser, screenshot):
    article = ArticleFactory(title="Walrus parade", tags=["sea"])
    joke = JokeFactory(title="Walrus joke")
    page, console = watched_page(browser)
    for path in ["/", article.get_absolute_url(), joke.get_absolute_url(), "/search/?q=walrus",
                 "/submit/joke/"]:  # fmt: skip
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert violations(page, console) == [], path
    # Voting with JavaScript still works (the site's own script, from 'self').
    page.goto(live_server.url + joke.get_absolute_url())
    page.get_by_role("button", name="Vote up").click()
    # expect(), not wait_for_function(): the policy forbids the eval that one needs.
    expect(page.locator("form.vote .score")).to_have_text("1")
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "API" in page.locator(".swagger-ui .info .title").inner_text()
    screenshot(page, "api-docs")
    assert violations(page, console) == []


def test_an_editor_writes_in_ckeditor_under_the_policy(live_server, browser, roles, screenshot):
    section = SectionFactory(name="Town")
    editor = UserFactory(username="ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    page, console = watched_page(browser)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/bulletin/article/add/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill("pass-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/bulletin/article/add/$"))
    page.get_by_label("Title").fill("Written under a policy")
    # The section is an autocomplete (select2): its search runs through the admin's
    # own JSON view under the same policy.
    page.locator("#id_section + .select2").click()
    page.locator(".select2-results__option", has_text=section.name).click()
    frame = page.frame_locator("iframe.cke_wysiwyg_frame")
    frame.locator("body").click()
    page.keyboard.type("Typed into the editor.")
    page.locator(".cke_button__bold").click()
    page.keyboard.type(" Bold words.")
    screenshot(page, "editor")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/bulletin/article/$"))
    body = Article.objects.get(title="Written under a policy").body
    assert "Typed into the editor." in body and "<strong>" in body
    assert violations(page, console) == []
