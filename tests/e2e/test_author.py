"""An author writes an article and sends it to review, and cannot publish it: the
admin does not offer publishing, and a forged request to publish changes nothing."""

import re

import pytest

from bulletin.models import Article
from tests.e2e.site_content import build_site, log_in, staff_user

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Ferry timetable changes for the spring"


def test_an_author_writes_and_sends_to_review_but_cannot_publish(
    live_server, browser, roles, screenshot
):
    site = build_site()
    section = site.sections["Bulletin headlines"]
    staff_user("aud", "Authors", first_name="Aud", last_name="Hor")
    page = log_in(browser, live_server, "aud", "/admin/bulletin/article/add/")

    # The form: no publishing fields, and a status of draft or in review only.
    status = page.get_by_label("Status")
    assert status.locator("option").all_inner_texts() == ["Draft", "In review"]
    assert page.locator("#id_publish_at_0, #id_featured, #id_author").count() == 0
    page.get_by_label("Title").fill(TITLE)
    page.locator("#id_section + .select2").click()
    page.locator(".select2-results__option", has_text=section.name).click()
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.type("From the first of April the morning ferry leaves at seven.")
    page.get_by_label("Tags").fill("transport")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/bulletin/article/$"))
    article = Article.objects.get(title=TITLE)
    assert (article.status, article.author.username) == (Article.Status.DRAFT, "aud")

    # The list's actions: send to review, never publish, unpublish or archive.
    actions = page.locator("select[name=action] option").evaluate_all(
        "(options) => options.map((option) => option.value)"
    )
    assert "submit_for_review" in actions
    assert not {"publish", "unpublish", "archive"} & set(actions)

    # Sent to review with the action.
    page.locator("tr", has_text=TITLE).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("submit_for_review")
    page.get_by_role("button", name="Go").click()
    assert "1 article sent to review" in page.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    # A forged "publish": the option added to the list's own form, and posted with it.
    page.locator("tr", has_text=TITLE).locator("input.action-select").check()
    page.locator("select[name=action]").evaluate(
        """(select) => { select.add(new Option("Publish", "publish"));
                         select.value = "publish"; }"""
    )
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "No action selected" in page.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW and article.publish_at is None

    # A forged status in the change form is refused too.
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Status").evaluate(
        """(select) => { select.add(new Option("Published", "published"));
                         select.value = "published"; }"""
    )
    page.locator("input[name=_continue]").click()
    page.wait_for_selector(".errornote")
    assert "Select a valid choice" in page.locator(".field-status").inner_text()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW and not article.is_published
    screenshot(page, "refused")

    # Visitors never see it.
    visitor = browser.new_context().new_page()
    assert visitor.goto(live_server.url + article.get_absolute_url()).status == 404
    screenshot(visitor, "not-public")
