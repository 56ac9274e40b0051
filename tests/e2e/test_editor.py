"""An editor writes an article in CKEditor, previews it, schedules it, sees it appear
when its time comes, and restores an earlier revision: in a browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bulletin.models import Article
from tests.e2e.site_content import build_site, log_in, serve_site_from, staff_user

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Night market returns to the harbour"


def set_publish_time(page, when):
    local = timezone.localtime(when)
    page.locator("#id_publish_at_0").fill(local.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill(local.strftime("%H:%M:%S"))


def save_and_continue(page):
    page.locator("input[name=_continue]").click()
    page.wait_for_selector(".messagelist")
    assert page.locator(".errornote").count() == 0, page.locator("#content").inner_text()


def test_an_editor_writes_previews_schedules_publishes_and_restores(
    live_server, browser, roles, screenshot
):
    site = build_site()
    serve_site_from(live_server)
    section = site.sections["Bulletin headlines"]
    staff_user("edda", "Editors", first_name="Edda", last_name="Tor")
    visitor = browser.new_context().new_page()
    page = log_in(browser, live_server, "edda", "/admin/bulletin/article/add/")

    # Writing: title, section (an autocomplete), summary, the body in CKEditor.
    page.get_by_label("Title").fill(TITLE)
    page.locator("#id_section + .select2").click()
    page.locator(".select2-results__option", has_text=section.name).click()
    page.get_by_label("Summary").fill("Forty stalls, lanterns and a brass band, every Friday.")
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.type("The night market is back on the quay, ")
    page.locator(".cke_button__bold").click()
    page.keyboard.type("every Friday")
    page.locator(".cke_button__bold").click()
    page.keyboard.type(" until the end of summer. Stall-holders can apply on the ")
    # A link through the editor's own dialog.
    page.locator(".cke_button__link").click()
    dialog = page.locator(".cke_dialog")
    address = dialog.get_by_label(re.compile(r"^URL"))
    expect(address).to_be_focused()  # the dialog has set its fields up: typing may begin
    address.fill("https://market.example.org/stalls")
    dialog.get_by_label("Display Text").fill("market's page")
    dialog.locator(".cke_dialog_ui_button_ok").click()
    page.get_by_label("Tags").fill("markets, harbour")
    assert page.get_by_label("Status").input_value() == "draft"
    save_and_continue(page)

    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT and article.author.username == "edda"
    assert "<strong>every Friday</strong>" in article.body
    assert 'href="https://market.example.org/stalls"' in article.body
    assert sorted(article.tags.names()) == ["harbour", "markets"]
    public_url = live_server.url + article.get_absolute_url()
    assert visitor.goto(public_url).status == 404

    # Preview: the editor sees the draft at its public address, with a banner saying so.
    preview = page.context.new_page()  # the same log-in, another tab
    preview.goto(live_server.url + page.locator("a.viewsitelink").get_attribute("href"))
    assert preview.url == public_url
    banner = preview.locator(".preview-banner").inner_text()
    assert "Preview: this article is not public (Draft)" in banner
    assert preview.locator(".article-body strong").inner_text() == "every Friday"
    link = preview.locator(".article-body a")
    assert link.inner_text() == "market's page"
    assert link.get_attribute("href") == "https://market.example.org/stalls"
    screenshot(preview, "preview")
    preview.close()

    # A preview link for somebody without an account.
    page.locator(".add-row a", has_text=re.compile("preview link", re.I)).click()
    save_and_continue(page)
    address = page.locator(".field-link a").first.get_attribute("href")
    assert visitor.goto(address).status == 200
    assert visitor.locator("h1").inner_text() == TITLE

    # Scheduled a minute ahead: published, but not there yet.
    page.get_by_label("Status").select_option("published")
    set_publish_time(page, timezone.now() + timedelta(minutes=1))
    save_and_continue(page)
    article.refresh_from_db()
    assert article.is_scheduled
    assert visitor.goto(public_url).status == 404
    visitor.goto(live_server.url + section.get_absolute_url())
    assert TITLE not in visitor.content()
    page.goto(live_server.url + "/admin/bulletin/article/")
    assert "Scheduled for" in page.locator("tr", has_text=TITLE).inner_text()

    # Its time comes (set in the past in a second save rather than waiting): it appears.
    page.get_by_role("link", name=TITLE).click()
    set_publish_time(page, timezone.now() - timedelta(minutes=1))
    save_and_continue(page)
    visitor.goto(live_server.url + section.get_absolute_url())
    assert visitor.get_by_role("link", name=TITLE).is_visible()
    assert visitor.goto(public_url).status == 200
    assert visitor.locator(".preview-banner").count() == 0

    # A bad edit, then the revision before it restored from the history.
    page.get_by_label("Title").fill("Night market returns to the harbor (typo)")
    save_and_continue(page)
    assert visitor.goto(public_url).status == 200
    assert "typo" in visitor.locator("h1").inner_text()
    page.locator("a.historylink").click()
    page.wait_for_url(re.compile(r"/history/$"))
    # Newest first: the second row is the revision before the bad edit.
    page.locator("#change-history tbody tr").nth(1).locator("a").first.click()
    page.wait_for_url(re.compile(r"/history/\d+/$"))
    assert page.get_by_label("Title").input_value() == TITLE
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/bulletin/article/$"))
    article.refresh_from_db()
    assert article.title == TITLE and article.is_published
    visitor.goto(public_url)
    assert visitor.locator("h1").inner_text() == TITLE
    screenshot(visitor, "restored")
