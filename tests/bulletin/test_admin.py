"""The staff side of the bulletin in the real Django admin: each role against each
page and action, the editorial workflow, revisions, moved URLs and preview links."""

import html
from datetime import timedelta
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.contrib.redirects.models import Redirect
from django.core.paginator import UnorderedObjectListWarning
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion import create_revision, set_comment
from reversion.models import Version
from taggit.models import Tag

from bulletin.models import Article, PreviewLink, Section
from tests.factories import ArticleFactory, PreviewLinkFactory, SectionFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "visitor", "author", "editor", "moderator", "superuser"]


# Helpers


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def form_data(response):
    """What a browser posts back for the admin form in `response`, left as shown.

    Read from the bound fields, so it holds what the page offers (no read-only
    field) with the management forms of every inline that is there.
    """
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        all_forms.extend(formset.forms)
    for form in all_forms:
        for name, field in form.fields.items():
            key, value, widget = form.add_prefix(name), form[name].value(), field.widget
            if isinstance(widget, forms.MultiWidget):
                for index, (part_widget, part) in enumerate(
                    zip(widget.widgets, widget.decompress(value), strict=True)
                ):
                    data[f"{key}_{index}"] = part_widget.format_value(part) or ""
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            else:
                shown = widget.format_value(value)
                data[key] = shown if shown is not None else ""
    return data


def split_datetime(value):
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def run_action(client, action, *articles, url=None):
    return client.post(
        url or admin_url("bulletin_article_changelist"),
        {"action": action, "_selected_action": [article.pk for article in articles]},
    )


def messages_of(response):
    """The messages as a reader sees them: level and text, HTML entities resolved."""
    return [
        (message.level_tag, html.unescape(str(message)))
        for message in get_messages(response.wsgi_request)
    ]


def change_article(client, article, **changes):
    """Save `article` through its admin change form with `changes`; its new address."""
    url = admin_url("bulletin_article_change", article.pk)
    data = form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article.get_absolute_url()


def assert_permanent_redirect(client, old_url, new_url):
    response = client.get(old_url)
    assert response.status_code == 301
    assert response.url == new_url


def is_login_redirect(response):
    return response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def revision_comments(article):
    return list(Version.objects.get_for_object(article).values_list("revision__comment", flat=True))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users per role are made in nearly every test here; a slow hash buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Content every test can lean on


@pytest.fixture
def section():
    return SectionFactory(name="Bulletin headlines")


@pytest.fixture
def own_draft(author, section):
    return ArticleFactory(title="Author's own draft", author=author, section=section, draft=True)


@pytest.fixture
def others_draft(other_author, section):
    return ArticleFactory(
        title="Another author's draft", author=other_author, section=section, draft=True
    )


@pytest.fixture
def published(author, section):
    return ArticleFactory(title="Already out", author=author, section=section)


# 1. The permission matrix: every role against every admin page.

LOGIN = "login"  # 302 to the admin's login page
OK = 200
DENIED = 403
NOT_THERE = "not there"  # Django's answer for an object outside the user's queryset

# Anonymous people and logged-in visitors who are not staff always go to the login page.
# Columns: author, editor, moderator, superuser.
MATRIX = {
    "admin-index": (OK, OK, OK, OK),
    "article-changelist": (OK, OK, DENIED, OK),
    "article-add": (OK, OK, DENIED, OK),
    "article-change-own": (OK, OK, DENIED, OK),
    "article-change-others": (NOT_THERE, OK, DENIED, OK),
    "article-change-own-published": (OK, OK, DENIED, OK),  # read-only for the author
    "article-delete-own": (DENIED, OK, DENIED, OK),
    "article-delete-others": (DENIED, OK, DENIED, OK),
    "article-history-own": (OK, OK, DENIED, OK),
    "article-history-others": (NOT_THERE, OK, DENIED, OK),
    "article-compare-own": (OK, OK, DENIED, OK),
    "article-compare-others": (NOT_THERE, OK, DENIED, OK),
    "article-revision-own": (DENIED, OK, DENIED, OK),  # restoring is an editor's step
    "article-revision-others": (DENIED, OK, DENIED, OK),
    "article-recoverlist": (DENIED, OK, DENIED, OK),
    "section-autocomplete": (OK, OK, DENIED, OK),  # the section picker on the article form
    "section-changelist": (OK, OK, DENIED, OK),
    "section-add": (DENIED, OK, DENIED, OK),
    "section-change": (OK, OK, DENIED, OK),  # read-only for the author
    "section-delete": (DENIED, OK, DENIED, OK),
    "previewlink-changelist": (DENIED, OK, DENIED, OK),
    "previewlink-add": (DENIED, OK, DENIED, OK),
    "redirect-changelist": (DENIED, OK, DENIED, OK),
    "tag-changelist": (OK, OK, DENIED, OK),
}


def expected_cell(page, role):
    if role in ("anonymous", "visitor"):
        return LOGIN
    return MATRIX[page][["author", "editor", "moderator", "superuser"].index(role)]


@pytest.fixture
def matrix_objects(own_draft, others_draft, published):
    for article in (own_draft, others_draft):
        for comment in ("first", "second"):
            with create_revision():
                article.title = f"{article.title} ({comment})"
                article.save()
                set_comment(comment)
    return {
        "own": own_draft,
        "others": others_draft,
        "published": published,
        "empty_section": SectionFactory(name="Empty"),
    }


def page_url(page, objects):
    def versions(article):
        return list(Version.objects.get_for_object(article).order_by("pk"))

    def compare(article):
        first, second = versions(article)[:2]
        url = admin_url("bulletin_article_compare", article.pk)
        return f"{url}?version_id1={first.pk}&version_id2={second.pk}"

    own, others = objects["own"], objects["others"]
    section_pk = objects["empty_section"].pk
    urls = {
        "admin-index": lambda: admin_url("index"),
        "article-changelist": lambda: admin_url("bulletin_article_changelist"),
        "article-add": lambda: admin_url("bulletin_article_add"),
        "article-change-own": lambda: admin_url("bulletin_article_change", own.pk),
        "article-change-others": lambda: admin_url("bulletin_article_change", others.pk),
        "article-change-own-published": lambda: admin_url(
            "bulletin_article_change", objects["published"].pk
        ),
        "article-delete-own": lambda: admin_url("bulletin_article_delete", own.pk),
        "article-delete-others": lambda: admin_url("bulletin_article_delete", others.pk),
        "article-history-own": lambda: admin_url("bulletin_article_history", own.pk),
        "article-history-others": lambda: admin_url("bulletin_article_history", others.pk),
        "article-compare-own": lambda: compare(own),
        "article-compare-others": lambda: compare(others),
        "article-revision-own": lambda: admin_url(
            "bulletin_article_revision", own.pk, versions(own)[0].pk
        ),
        "article-revision-others": lambda: admin_url(
            "bulletin_article_revision", others.pk, versions(others)[0].pk
        ),
        "article-recoverlist": lambda: admin_url("bulletin_article_recoverlist"),
        "section-autocomplete": lambda: (
            admin_url("autocomplete") + "?app_label=bulletin&model_name=article&field_name=section"
        ),
        "section-changelist": lambda: admin_url("bulletin_section_changelist"),
        "section-add": lambda: admin_url("bulletin_section_add"),
        "section-change": lambda: admin_url("bulletin_section_change", section_pk),
        "section-delete": lambda: admin_url("bulletin_section_delete", section_pk),
        "previewlink-changelist": lambda: admin_url("bulletin_previewlink_changelist"),
        "previewlink-add": lambda: admin_url("bulletin_previewlink_add"),
        "redirect-changelist": lambda: admin_url("redirects_redirect_changelist"),
        "tag-changelist": lambda: admin_url("taggit_tag_changelist"),
    }
    return urls[page]()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(MATRIX))
def test_permission_matrix(client_for, matrix_objects, page, role):
    titles_before = dict(Article.objects.values_list("pk", "title"))
    response = client_for(role).get(page_url(page, matrix_objects))

    expected = expected_cell(page, role)
    if expected == LOGIN:
        assert is_login_redirect(response)
    elif expected == NOT_THERE:
        # Exactly what a made-up id gets: nothing tells the article exists.
        assert response.status_code == 302
        assert response.url == admin_url("index")
        [(level, text)] = messages_of(response)
        assert level == "warning"
        assert text.endswith("doesn’t exist. Perhaps it was deleted?")
        assert "draft" not in text
    else:
        assert response.status_code == expected
    # Looking never changes anything (the revision page rolls its preview back).
    assert dict(Article.objects.values_list("pk", "title")) == titles_before


@pytest.mark.parametrize(
    "page",
    [page for page in MATRIX if page.startswith(("article", "section", "previewlink"))],
)
def test_moderators_are_refused_every_bulletin_page(client_for, matrix_objects, page):
    response = client_for("moderator").get(page_url(page, matrix_objects))
    assert response.status_code == 403


def test_moderator_sees_no_bulletin_module_on_the_admin_index(client_for):
    response = client_for("moderator").get(admin_url("index"))
    assert response.status_code == 200
    # Only the moderation side: jokes (to approve and reject) and contributions.
    assert [app["app_label"] for app in response.context["app_list"]] == ["jokes", "portal"]


def test_a_read_only_section_page_cannot_be_saved_by_an_author(client_for, section):
    client = client_for("author")
    response = client.post(
        admin_url("bulletin_section_change", section.pk),
        {"name": "Renamed", "slug": "renamed", "description": "", "position": 0},
    )
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.name == "Bulletin headlines"


def test_moderator_cannot_post_to_any_article_page(client_for, own_draft):
    client = client_for("moderator")
    assert client.post(admin_url("bulletin_article_add"), {"title": "x"}).status_code == 403
    change = client.post(admin_url("bulletin_article_change", own_draft.pk), {"title": "x"})
    assert change.status_code == 403
    delete = client.post(admin_url("bulletin_article_delete", own_draft.pk), {"post": "yes"})
    assert delete.status_code == 403
    assert run_action(client, "publish", own_draft).status_code == 403
    own_draft.refresh_from_db()
    assert own_draft.title == "Author's own draft"
    assert own_draft.status == Article.Status.DRAFT


# 2. Authors: write and send to review, never publish.


def test_author_adds_an_article_and_becomes_its_author(client_for, author, section):
    client = client_for("author")
    data = form_data(client.get(admin_url("bulletin_article_add")))
    data.update(
        title="A fresh story",
        slug="",
        section=section.pk,
        summary="Short.",
        body="<p>Words.</p>",
        tags="weather, local news",
        # Forged editor-only fields: the form does not have them.
        featured="on",
        publish_at_0="2020-01-01",
        publish_at_1="10:00:00",
        author="",
    )
    response = client.post(admin_url("bulletin_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(title="A fresh story")
    assert article.author == author
    assert article.status == Article.Status.DRAFT
    assert article.slug == "a-fresh-story"
    assert article.featured is False
    assert article.publish_at is None
    assert sorted(article.tags.names()) == ["local news", "weather"]


def test_author_edits_own_draft_and_in_review_article(client_for, own_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", own_draft.pk)
    for status in (Article.Status.DRAFT, Article.Status.REVIEW):
        Article.objects.filter(pk=own_draft.pk).update(status=status)
        data = form_data(client.get(url))
        data["title"] = f"Edited while {status}"
        assert client.post(url, data).status_code == 302
        own_draft.refresh_from_db()
        assert own_draft.title == f"Edited while {status}"
        assert own_draft.status == status


def test_author_sends_a_draft_to_review_through_the_status_field(client_for, own_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", own_draft.pk)
    data = form_data(client.get(url))
    data["status"] = Article.Status.REVIEW
    assert client.post(url, data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.REVIEW


def test_author_sends_drafts_to_review_with_the_action(client_for, author, own_draft, section):
    in_review = ArticleFactory(
        title="Waiting", author=author, section=section, status=Article.Status.REVIEW
    )
    response = run_action(client_for("author"), "submit_for_review", own_draft, in_review)

    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.REVIEW
    assert messages_of(response) == [
        ("success", "1 article sent to review: “Author's own draft”"),
        ("warning", "Not changed: “Waiting”: only a draft can be sent to review"),
    ]
    assert revision_comments(own_draft) == ["Sent to review"]


def test_author_is_not_offered_the_publishing_actions(client_for, own_draft):
    response = client_for("author").get(admin_url("bulletin_article_changelist"))
    offered = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert offered == ["", "submit_for_review"]


def test_editor_is_offered_every_action(client_for):
    response = client_for("editor").get(admin_url("bulletin_article_changelist"))
    offered = {name for name, _label in response.context["action_form"].fields["action"].choices}
    assert offered == {
        "",
        "delete_selected",
        "publish",
        "unpublish",
        "archive",
        "submit_for_review",
    }


@pytest.mark.parametrize("action", ["publish", "unpublish", "archive", "delete_selected"])
def test_forged_publishing_action_from_an_author_changes_nothing(
    client_for, own_draft, published, action
):
    response = run_action(client_for("author"), action, own_draft, published)

    assert response.status_code == 302
    assert messages_of(response) == [("warning", "No action selected.")]
    own_draft.refresh_from_db()
    published.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert published.status == Article.Status.PUBLISHED
    assert not Version.objects.get_for_object(own_draft).exists()


def test_forged_published_status_from_an_author_is_a_form_error(client_for, own_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", own_draft.pk)
    data = form_data(client.get(url))
    data.update(status=Article.Status.PUBLISHED, title="Sneaky")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert own_draft.title == "Author's own draft"


def test_forged_published_status_on_add_from_an_author_creates_nothing(client_for, section):
    client = client_for("author")
    data = form_data(client.get(admin_url("bulletin_article_add")))
    data.update(title="Straight out", section=section.pk, status=Article.Status.PUBLISHED)

    response = client.post(admin_url("bulletin_article_add"), data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.filter(title="Straight out").exists()


def test_publishing_fields_are_read_only_for_an_author(client_for, own_draft):
    response = client_for("author").get(admin_url("bulletin_article_change", own_draft.pk))
    form = response.context["adminform"].form
    assert {"publish_at", "expires_at", "featured", "author"}.isdisjoint(form.fields)
    assert {"title", "body", "status", "tags"} <= set(form.fields)
    assert [value for value, _label in form.fields["status"].choices] == ["draft", "review"]


def test_forged_featured_and_publish_time_from_an_author_are_ignored(client_for, own_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", own_draft.pk)
    data = form_data(client.get(url))
    data.update(featured="on", publish_at_0="2020-01-01", publish_at_1="10:00:00", author="")

    assert client.post(url, data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.featured is False
    assert own_draft.publish_at is None
    assert own_draft.author.username == "author"


def test_author_does_not_see_other_authors_articles(client_for, own_draft, others_draft):
    response = client_for("author").get(admin_url("bulletin_article_changelist"))
    assert list(response.context["cl"].result_list) == [own_draft]
    assert "Another author" not in response.content.decode()


def test_author_cannot_change_another_authors_article(client_for, others_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", others_draft.pk)
    data = {"title": "Hijacked", "section": others_draft.section_id, "status": "draft"}
    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == admin_url("index")
    others_draft.refresh_from_db()
    assert others_draft.title == "Another author's draft"


def test_author_cannot_act_on_another_authors_article(client_for, others_draft):
    response = run_action(client_for("author"), "submit_for_review", others_draft)
    assert response.status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.status == Article.Status.DRAFT
    # The action only ever sees the author's own list, so there is nothing to report.
    assert messages_of(response) == []
    assert revision_comments(others_draft) == []


def test_author_cannot_change_own_article_once_published(client_for, published):
    client = client_for("author")
    url = admin_url("bulletin_article_change", published.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "title" not in page.context["adminform"].form.fields

    data = {"title": "Rewritten", "section": published.section_id, "status": "draft"}
    assert client.post(url, data).status_code == 403
    published.refresh_from_db()
    assert published.title == "Already out"
    assert published.status == Article.Status.PUBLISHED


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.ARCHIVED])
def test_author_cannot_send_a_published_or_archived_article_back(client_for, published, status):
    Article.objects.filter(pk=published.pk).update(status=status)
    response = run_action(client_for("author"), "submit_for_review", published)
    published.refresh_from_db()
    assert published.status == status
    assert messages_of(response)[0][0] == "warning"


# 3. Editors: review, schedule, publish, unpublish, archive, feature, delete.


def test_editor_publishes_and_is_told_what_could_not_be(client_for, own_draft, published):
    response = run_action(client_for("editor"), "publish", own_draft, published)

    assert response.status_code == 302
    assert messages_of(response) == [
        ("success", "1 article published or scheduled: “Author's own draft”"),
        ("warning", "Not changed: “Already out”: already published"),
    ]
    own_draft.refresh_from_db()
    assert own_draft.is_published
    assert own_draft.publish_at <= timezone.now()


def test_editor_unpublishes_to_draft(client_for, own_draft, published):
    response = run_action(client_for("editor"), "unpublish", published, own_draft)

    assert messages_of(response) == [
        ("success", "1 article unpublished: “Already out”"),
        ("warning", "Not changed: “Author's own draft”: not published"),
    ]
    published.refresh_from_db()
    assert published.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_editor_archives(client_for, own_draft, published):
    Article.objects.filter(pk=own_draft.pk).update(status=Article.Status.ARCHIVED)
    response = run_action(client_for("editor"), "archive", published, own_draft)

    assert messages_of(response) == [
        ("success", "1 article archived: “Already out”"),
        ("warning", "Not changed: “Author's own draft”: already archived"),
    ]
    published.refresh_from_db()
    assert published.status == Article.Status.ARCHIVED


def test_bulk_publish_counts_in_plural(client_for, section):
    drafts = [ArticleFactory(title=f"Draft {n}", section=section, draft=True) for n in (1, 2)]
    response = run_action(client_for("editor"), "publish", *drafts)
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert text.startswith("2 articles published or scheduled: ")
    assert {"“Draft 1”", "“Draft 2”"} == set(text.split(": ", 1)[1].split(", "))


def test_titles_in_action_messages_are_escaped_once(client_for, section):
    draft = ArticleFactory(title="<b>Bold</b> & co", section=section, draft=True)
    done = ArticleFactory(title="<i>Out</i>", section=section)
    client = client_for("editor")
    response = run_action(client, "publish", draft, done)
    page = client.get(response.url).content.decode()
    assert "published or scheduled: “&lt;b&gt;Bold&lt;/b&gt; &amp; co”</li>" in page
    assert "“&lt;i&gt;Out&lt;/i&gt;”: already published" in page
    assert "<b>Bold" not in page and "&amp;lt;" not in page


def test_publish_refuses_an_article_that_would_expire_first(client_for, own_draft):
    # No publish time yet: publishing now would be after the expiry time.
    Article.objects.filter(pk=own_draft.pk).update(
        publish_at=None, expires_at=timezone.now() - timedelta(hours=1)
    )
    response = run_action(client_for("editor"), "publish", own_draft)
    assert messages_of(response) == [
        (
            "warning",
            "Not changed: “Author's own draft”: its expiry time is before its publish time",
        )
    ]
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT


def test_publish_with_a_future_time_schedules(client_for, own_draft):
    later = timezone.now() + timedelta(days=2)
    Article.objects.filter(pk=own_draft.pk).update(publish_at=later)
    client = client_for("editor")

    run_action(client, "publish", own_draft)

    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.PUBLISHED
    assert own_draft.is_scheduled
    assert not own_draft.is_published
    changelist = client.get(admin_url("bulletin_article_changelist")).content.decode()
    assert f"Scheduled for {timezone.localtime(later):%Y-%m-%d %H:%M}" in changelist
    assert client.get(own_draft.get_absolute_url()).status_code == 200  # staff preview
    client.logout()
    assert client.get(own_draft.get_absolute_url()).status_code == 404


def test_editor_changes_any_article_and_features_it(client_for, others_draft):
    client = client_for("editor")
    url = admin_url("bulletin_article_change", others_draft.pk)
    data = form_data(client.get(url))
    publish_at = timezone.now() - timedelta(hours=1)
    data.update(title="Edited by the editor", featured="on", status="published")
    data["publish_at_0"], data["publish_at_1"] = split_datetime(publish_at)

    assert client.post(url, data).status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.title == "Edited by the editor"
    assert others_draft.featured is True
    assert others_draft.is_published
    assert others_draft.author.username == "other-author"  # unchanged by the edit


def test_editor_publishing_through_the_form_fills_in_the_time(client_for, own_draft):
    client = client_for("editor")
    url = admin_url("bulletin_article_change", own_draft.pk)
    data = form_data(client.get(url))
    data["status"] = "published"
    assert data["publish_at_0"] == ""

    assert client.post(url, data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.is_published


def test_editor_deletes_an_article(client_for, others_draft):
    client = client_for("editor")
    url = admin_url("bulletin_article_delete", others_draft.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=others_draft.pk).exists()


def test_editor_sees_every_article_in_the_changelist(client_for, own_draft, others_draft):
    response = client_for("editor").get(admin_url("bulletin_article_changelist"))
    assert set(response.context["cl"].result_list) == {own_draft, others_draft}


def test_changelist_queries_do_not_grow_with_articles(
    client_for, section, django_assert_max_num_queries
):
    client = client_for("editor")
    ArticleFactory.create_batch(2, section=section, tags=["a", "b"])
    with django_assert_max_num_queries(30) as few:
        client.get(admin_url("bulletin_article_changelist"))
    ArticleFactory.create_batch(10, section=section, tags=["a", "c"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(admin_url("bulletin_article_changelist"))
    assert len(response.context["cl"].result_list) == 12


# 4. Sections


def test_editor_adds_a_section_with_a_unicode_slug(client_for):
    client = client_for("editor")
    data = form_data(client.get(admin_url("bulletin_section_add")))
    data.update(name="本地新闻", slug="本地新闻", description="Local news.")
    assert client.post(admin_url("bulletin_section_add"), data).status_code == 302
    assert Section.objects.get(name="本地新闻").slug == "本地新闻"


def test_section_picker_lists_sections_in_their_order(client_for, recwarn):
    for name, position in (("Zeta", 1), ("Alpha", 2), ("Mid", 1)):
        SectionFactory(name=name, position=position)
    url = admin_url("autocomplete") + "?app_label=bulletin&model_name=article&field_name=section"
    response = client_for("author").get(url)
    assert [result["text"] for result in response.json()["results"]] == ["Mid", "Zeta", "Alpha"]
    assert not [w for w in recwarn if w.category is UnorderedObjectListWarning]


def test_editor_cannot_delete_a_section_that_has_articles(client_for, own_draft, section):
    response = client_for("editor").post(
        admin_url("bulletin_section_delete", section.pk), {"post": "yes"}
    )
    assert response.status_code == 200  # the page lists what protects it
    assert Section.objects.filter(pk=section.pk).exists()


# 5. Revisions: every save, compare, restore.


def test_every_admin_save_keeps_a_revision(client_for, section):
    client = client_for("editor")
    data = form_data(client.get(admin_url("bulletin_article_add")))
    data.update(title="Versioned", section=section.pk, body="<p>One.</p>")
    assert client.post(admin_url("bulletin_article_add"), data).status_code == 302
    article = Article.objects.get(title="Versioned")
    assert Version.objects.get_for_object(article).count() == 1

    url = admin_url("bulletin_article_change", article.pk)
    for body in ("<p>Two.</p>", "<p>Three.</p>"):
        data = form_data(client.get(url))
        data["body"] = body
        assert client.post(url, data).status_code == 302
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 3
    assert {version.revision.user.username for version in versions} == {"editor"}


def test_workflow_actions_keep_a_revision_with_a_comment(client_for, own_draft):
    client = client_for("editor")
    run_action(client, "publish", own_draft)
    run_action(client, "unpublish", own_draft)
    run_action(client, "archive", own_draft)
    assert revision_comments(own_draft) == ["Archived", "Unpublished", "Published"]
    assert {v.revision.user.username for v in Version.objects.get_for_object(own_draft)} == {
        "editor"
    }


def test_a_refused_step_keeps_no_revision(client_for, published):
    run_action(client_for("editor"), "publish", published)
    assert revision_comments(published) == []


@pytest.fixture
def edited_twice(client_for, own_draft):
    """An article saved through the admin as "Original" and then as "Rewritten"."""
    client = client_for("editor")
    url = admin_url("bulletin_article_change", own_draft.pk)
    for title, body in (("Original", "<p>First body.</p>"), ("Rewritten", "<p>Second body.</p>")):
        data = form_data(client.get(url))
        data.update(title=title, body=body)
        assert client.post(url, data).status_code == 302
    own_draft.refresh_from_db()
    return own_draft


def test_history_and_compare_show_the_difference(client_for, edited_twice):
    client = client_for("editor")
    history = client.get(admin_url("bulletin_article_history", edited_twice.pk))
    assert history.status_code == 200
    assert history.context["comparable"] is True

    first, second = Version.objects.get_for_object(edited_twice).order_by("pk")
    compare_url = admin_url("bulletin_article_compare", edited_twice.pk)
    response = client.get(f"{compare_url}?version_id1={first.pk}&version_id2={second.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Original" in html and "Rewritten" in html
    assert "First body." in html and "Second body." in html
    assert "<del" in html and "<ins" in html


def test_compare_shows_tag_changes_without_logging_errors(client_for, own_draft, caplog):
    client = client_for("editor")
    url = admin_url("bulletin_article_change", own_draft.pk)
    for tags in ("alpha, shared", "beta, shared"):
        data = form_data(client.get(url))
        data["tags"] = tags
        assert client.post(url, data).status_code == 302
    first, second = Version.objects.get_for_object(own_draft).order_by("pk")
    compare_url = admin_url("bulletin_article_compare", own_draft.pk)

    response = client.get(f"{compare_url}?version_id1={first.pk}&version_id2={second.pk}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "tagged with alpha" in html and "tagged with beta" in html
    assert [record for record in caplog.records if record.levelname == "ERROR"] == []


def test_editor_restores_an_earlier_revision(client_for, edited_twice):
    client = client_for("editor")
    first = Version.objects.get_for_object(edited_twice).order_by("pk").first()
    url = admin_url("bulletin_article_revision", edited_twice.pk, first.pk)

    page = client.get(url)
    assert page.status_code == 200
    edited_twice.refresh_from_db()
    assert edited_twice.title == "Rewritten"  # looking does not restore

    response = client.post(url, form_data(page))

    assert response.status_code == 302
    edited_twice.refresh_from_db()
    assert edited_twice.title == "Original"
    assert edited_twice.body == "<p>First body.</p>"
    latest = Version.objects.get_for_object(edited_twice).first()
    assert latest.revision.comment.startswith("Reverted to previous version")


def test_restoring_a_revision_brings_its_tags_back(client_for, own_draft):
    client = client_for("editor")
    url = admin_url("bulletin_article_change", own_draft.pk)
    for tags in ("first, shared", "second, shared"):
        data = form_data(client.get(url))
        data["tags"] = tags
        assert client.post(url, data).status_code == 302
    first = Version.objects.get_for_object(own_draft).order_by("pk").first()
    revision_url = admin_url("bulletin_article_revision", own_draft.pk, first.pk)

    client.post(revision_url, form_data(client.get(revision_url)))

    assert sorted(own_draft.tags.names()) == ["first", "shared"]


def test_author_cannot_restore_a_revision_of_another_authors_article(client_for, others_draft):
    """django-reversion writes the old version before the admin checks who asks, and
    keeps it when the change form answers with a redirect, as it does for an article
    outside the author's list."""
    editor = client_for("editor")
    change_article(editor, others_draft, title="Original")
    run_action(editor, "publish", others_draft)
    draft_version = Version.objects.get_for_object(others_draft).order_by("pk").first()
    url = admin_url("bulletin_article_revision", others_draft.pk, draft_version.pk)

    response = client_for("author").post(url, {"title": "Whatever"})

    assert response.status_code == 403
    others_draft.refresh_from_db()
    assert others_draft.status == Article.Status.PUBLISHED
    assert revision_comments(others_draft)[0] == "Published"


def test_author_cannot_restore_a_revision_of_own_article(client_for, edited_twice):
    client = client_for("author")
    first = Version.objects.get_for_object(edited_twice).order_by("pk").first()
    url = admin_url("bulletin_article_revision", edited_twice.pk, first.pk)
    edit_page = client.get(admin_url("bulletin_article_change", edited_twice.pk))

    response = client.post(url, form_data(edit_page))

    assert response.status_code == 403
    edited_twice.refresh_from_db()
    assert edited_twice.title == "Rewritten"


def test_author_cannot_recover_a_deleted_article(client_for, others_draft):
    client = client_for("editor")
    change_article(client, others_draft, title="Deleted by the editor")
    client.post(admin_url("bulletin_article_delete", others_draft.pk), {"post": "yes"})
    assert not Article.objects.filter(pk=others_draft.pk).exists()
    version = Version.objects.get_deleted(Article).get()

    author = client_for("author")
    assert author.get(admin_url("bulletin_article_recoverlist")).status_code == 403
    assert author.get(admin_url("bulletin_article_recover", version.pk)).status_code == 403
    response = author.post(admin_url("bulletin_article_recover", version.pk), {})

    assert response.status_code == 403
    assert not Article.objects.filter(pk=others_draft.pk).exists()


def test_editor_recovers_a_deleted_article(client_for, edited_twice):
    client = client_for("editor")
    client.post(admin_url("bulletin_article_delete", edited_twice.pk), {"post": "yes"})
    version = Version.objects.get_deleted(Article).first()
    url = admin_url("bulletin_article_recover", version.pk)

    response = client.post(url, form_data(client.get(url)))

    assert response.status_code == 302
    assert Article.objects.get(pk=edited_twice.pk).title == "Rewritten"


@pytest.mark.parametrize(
    ("role", "compare_answer"), [("moderator", DENIED), ("other_author", NOT_THERE)]
)
def test_compare_and_revision_pages_tell_nothing_to_staff_without_access(
    request, edited_twice, role, compare_answer
):
    first, second = Version.objects.get_for_object(edited_twice).order_by("pk")
    compare_url = admin_url("bulletin_article_compare", edited_twice.pk)
    compare_url += f"?version_id1={first.pk}&version_id2={second.pk}"
    revision_url = admin_url("bulletin_article_revision", edited_twice.pk, first.pk)
    client = Client()  # no message left over from the editor's saves
    client.force_login(request.getfixturevalue(role))

    compare = client.get(compare_url, follow=True)
    revision = client.get(revision_url, follow=True)

    if compare_answer == NOT_THERE:
        assert compare.redirect_chain == [(admin_url("index"), 302)]
    else:
        assert compare.status_code == 403
    assert revision.status_code == 403
    for response in (compare, revision):
        assert "Rewritten" not in response.content.decode()
        assert "Rewritten" not in str(messages_of(response))
    edited_twice.refresh_from_db()
    assert edited_twice.title == "Rewritten"


# 6. Rich text is sanitised whatever the admin posts.


def test_admin_add_form_stores_no_script_handlers_or_styles(client_for, section):
    client = client_for("editor")
    data = form_data(client.get(admin_url("bulletin_article_add")))
    data.update(
        title="Hostile body",
        section=section.pk,
        body=(
            '<p style="color:red" onclick="steal()">Hello <script>alert(1)</script></p>'
            '<img src="x.png" onerror="alert(2)" alt="pic">'
            '<a href="javascript:alert(3)">click</a>'
            '<a href="JaVaScRiPt:alert(4)">again</a>'
            '<iframe src="https://evil.example/"></iframe>'
            "<style>body{display:none}</style>"
            '<a href="https://example.com/" target="_blank">ok</a>'
        ),
    )
    assert client.post(admin_url("bulletin_article_add"), data).status_code == 302

    body = Article.objects.get(title="Hostile body").body.lower()
    for banned in ("<script", "alert(", "onerror", "onclick", "style", "javascript:", "iframe"):
        assert banned not in body
    assert "<p>hello </p>" in body
    assert '<img src="x.png" alt="pic">' in body
    assert 'href="https://example.com/"' in body
    assert 'rel="noopener noreferrer"' in body


# 7. Moving a published article keeps its old address working.


def test_changing_the_slug_redirects_the_old_url(client, client_for, published):
    old_url = published.get_absolute_url()
    new_url = change_article(client_for("editor"), published, slug="moved-on")
    client.logout()

    assert new_url.endswith("/moved-on/")
    assert_permanent_redirect(client, old_url, new_url)
    assert client.get(new_url).status_code == 200


def test_changing_the_section_redirects_the_old_url(client, client_for, published):
    elsewhere = SectionFactory(name="Local news")
    old_url = published.get_absolute_url()
    new_url = change_article(client_for("editor"), published, section=elsewhere.pk)
    client.logout()

    assert new_url.startswith(elsewhere.get_absolute_url())
    assert_permanent_redirect(client, old_url, new_url)


def test_a_chinese_slug_redirects_too(client, client_for, section):
    article = ArticleFactory(title="书法展览在市博物馆开幕", slug="", section=section)
    old_url = article.get_absolute_url()
    new_url = change_article(client_for("editor"), article, slug="书法展览延期")
    client.logout()

    assert new_url == f"/bulletin/{section.slug}/{quote('书法展览延期')}/"
    assert_permanent_redirect(client, old_url, new_url)
    assert client.get(new_url).status_code == 200


def test_a_second_move_sends_the_first_url_straight_to_the_newest(client, client_for, published):
    editor = client_for("editor")
    first_url = published.get_absolute_url()
    second_url = change_article(editor, published, slug="second")
    third_url = change_article(editor, published, slug="third")
    client.logout()

    assert_permanent_redirect(client, first_url, third_url)
    assert_permanent_redirect(client, second_url, third_url)
    assert set(Redirect.objects.values_list("new_path", flat=True)) == {third_url}


def test_moving_back_removes_the_loop(client, client_for, published):
    editor = client_for("editor")
    first_slug, first_url = published.slug, published.get_absolute_url()
    second_url = change_article(editor, published, slug="elsewhere")
    back_url = change_article(editor, published, slug=first_slug)
    client.logout()

    assert back_url == first_url
    assert client.get(first_url).status_code == 200
    assert_permanent_redirect(client, second_url, first_url)
    assert not Redirect.objects.filter(old_path=first_url).exists()


def test_changing_a_section_slug_keeps_its_addresses_working(client, client_for, section):
    article = ArticleFactory(title="Under the section", section=section)
    draft = ArticleFactory(title="Not out yet", section=section, draft=True)
    old_section_url, old_article_url = section.get_absolute_url(), article.get_absolute_url()
    editor = client_for("editor")
    url = admin_url("bulletin_section_change", section.pk)
    data = form_data(editor.get(url))
    data["slug"] = "headlines"
    assert editor.post(url, data).status_code == 302
    client.logout()

    article.refresh_from_db()
    assert article.get_absolute_url() == "/bulletin/headlines/under-the-section/"
    assert_permanent_redirect(client, old_section_url, "/bulletin/headlines/")
    assert_permanent_redirect(client, old_article_url, article.get_absolute_url())
    assert client.get(article.get_absolute_url()).status_code == 200
    assert not Redirect.objects.filter(new_path__contains=draft.slug).exists()


def test_moving_a_draft_leaves_no_redirect(client_for, own_draft):
    change_article(client_for("editor"), own_draft, slug="moved-draft")
    assert not Redirect.objects.exists()


def test_restoring_a_revision_with_the_old_slug_keeps_the_newer_url(client, client_for, published):
    editor = client_for("editor")
    change_article(editor, published, title="Old slug", slug="old-slug")
    old_url = published.get_absolute_url()
    new_url = change_article(editor, published, title="New slug", slug="new-slug")
    oldest = Version.objects.get_for_object(published).order_by("pk").first()
    revision_url = admin_url("bulletin_article_revision", published.pk, oldest.pk)

    assert editor.post(revision_url, form_data(editor.get(revision_url))).status_code == 302
    client.logout()

    published.refresh_from_db()
    assert published.get_absolute_url() == old_url
    assert client.get(old_url).status_code == 200
    assert_permanent_redirect(client, new_url, old_url)


# 8. Preview links for people without an account.


def inline_data(client, article):
    """The change form of `article` with one new preview link row, as the admin's
    "Add another" leaves it: the default expiry untouched."""
    url = admin_url("bulletin_article_change", article.pk)
    page = client.get(url)
    data = form_data(page)
    [inline] = page.context["inline_admin_formsets"]
    formset = inline.formset
    assert formset.prefix == "preview_links"
    new_row = formset.empty_form
    new_row.prefix = formset.add_prefix(formset.total_form_count())
    expiry = new_row["expires_at"].value()
    for key, value in zip(("_0", "_1"), split_datetime(expiry), strict=True):
        # Callable defaults come with a hidden copy of the initial value.
        data[new_row.add_prefix("expires_at") + key] = value
        data["initial-" + new_row.add_prefix("expires_at") + key] = value
    data["preview_links-TOTAL_FORMS"] = str(formset.total_form_count() + 1)
    return url, data


def test_editor_adds_a_preview_link_through_the_inline(client_for, editor, own_draft):
    client = client_for("editor")
    url, data = inline_data(client, own_draft)

    assert client.post(url, data).status_code == 302

    link = PreviewLink.objects.get(article=own_draft)
    assert link.created_by == editor
    assert link.is_active
    expected = timezone.now() + timedelta(days=7)
    assert abs(link.expires_at - expected) < timedelta(minutes=1)
    page = client.get(url).content.decode()
    # the whole address, ready to send, and the creator's name without a link to the
    # user admin (which editors may not open)
    assert f'href="http://testserver{link.get_absolute_url()}"' in page
    assert "/admin/auth/user/" not in page


def test_the_author_field_offers_writers_only(client_for, editor, author, moderator, own_draft):
    form = client_for("editor").get(admin_url("bulletin_article_change", own_draft.pk))
    choices = set(form.context["adminform"].form.fields["author"].queryset)
    assert {editor, author} <= choices
    assert moderator not in choices


def test_preview_link_shows_the_draft_to_anyone_without_indexing(client, own_draft, editor):
    link = PreviewLinkFactory(article=own_draft, created_by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Author&#39;s own draft" in html
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_revoked_preview_link_is_gone(client, client_for, own_draft):
    link = PreviewLinkFactory(article=own_draft)
    response = run_action(
        client_for("editor"), "revoke", link, url=admin_url("bulletin_previewlink_changelist")
    )
    assert messages_of(response) == [("success", "1 preview link revoked.")]
    client.logout()

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(link.get_absolute_url()).status_code == 404


def test_expired_preview_link_is_gone(client, own_draft):
    link = PreviewLinkFactory(article=own_draft)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(link.get_absolute_url()).status_code == 404


def test_restoring_a_revision_does_not_bring_a_revoked_link_back(client, client_for, own_draft):
    editor = client_for("editor")
    url, data = inline_data(editor, own_draft)
    editor.post(url, data)  # the revision saved here holds the article with its new link
    link = PreviewLink.objects.get(article=own_draft)
    run_action(editor, "revoke", link, url=admin_url("bulletin_previewlink_changelist"))
    latest = Version.objects.get_for_object(own_draft).first()
    revision_url = admin_url("bulletin_article_revision", own_draft.pk, latest.pk)

    assert editor.post(revision_url, form_data(editor.get(revision_url))).status_code == 302
    client.logout()

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(link.get_absolute_url()).status_code == 404


def test_authors_get_no_preview_link_inline(client_for, own_draft):
    client = client_for("author")
    url = admin_url("bulletin_article_change", own_draft.pk)
    page = client.get(url)
    assert page.context["inline_admin_formsets"] == []

    data = form_data(page)
    data.update(
        {
            "preview_links-TOTAL_FORMS": "1",
            "preview_links-INITIAL_FORMS": "0",
            "preview_links-MIN_NUM_FORMS": "0",
            "preview_links-MAX_NUM_FORMS": "1000",
            "preview_links-0-expires_at_0": "2099-01-01",
            "preview_links-0-expires_at_1": "00:00:00",
        }
    )
    assert client.post(url, data).status_code == 302
    assert not PreviewLink.objects.exists()


def test_editor_adds_a_preview_link_on_its_own_page(client_for, editor, own_draft):
    client = client_for("editor")
    data = form_data(client.get(admin_url("bulletin_previewlink_add")))
    data["article"] = own_draft.pk
    assert client.post(admin_url("bulletin_previewlink_add"), data).status_code == 302
    assert PreviewLink.objects.get(article=own_draft).created_by == editor


# 9. Drafts on their public address.


def test_editor_previews_a_draft_on_its_public_url(client_for, others_draft):
    response = client_for("editor").get(others_draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="preview-banner"' in html
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_author_previews_own_draft_only(client_for, own_draft, others_draft):
    client = client_for("author")
    response = client.get(own_draft.get_absolute_url())
    assert response.status_code == 200
    assert 'class="preview-banner"' in response.content.decode()
    assert client.get(others_draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "visitor", "moderator"])
def test_drafts_are_404_for_everybody_else(client_for, own_draft, role):
    assert client_for(role).get(own_draft.get_absolute_url()).status_code == 404


def test_published_article_has_no_preview_banner(client, published):
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    assert 'class="preview-banner"' not in response.content.decode()
    assert "X-Robots-Tag" not in response


# Bookkeeping the admin does besides


def test_admin_changes_are_logged(client_for, own_draft):
    change_article(client_for("editor"), own_draft, title="Logged")
    entry = LogEntry.objects.get(object_id=str(own_draft.pk))
    assert entry.user.username == "editor"
    assert entry.is_change()


def test_tag_admin_lists_article_tags(client_for, own_draft):
    own_draft.tags.add("weather")
    response = client_for("editor").get(admin_url("taggit_tag_changelist"))
    assert list(response.context["cl"].result_list) == [Tag.objects.get(name="weather")]
