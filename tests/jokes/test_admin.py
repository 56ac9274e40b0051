"""The jokes in the admin: editors write and publish; moderators decide, nothing more."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from jokes.models import FLAG_FIELDS, Joke
from tests.factories import CategoryFactory, JokeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:jokes_joke_changelist"


def run_action(client, action, jokes):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [j.pk for j in jokes]}
    )


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_editor_publishes_unpublishes_and_archives(client_for):
    client = client_for("editor")
    draft = JokeFactory(status=Joke.Status.DRAFT, published_at=None, title="Draft one")
    live = JokeFactory(title="Live one")

    response = run_action(client, "publish", [draft, live])
    assert ("success", "1 joke published: “Draft one”") in messages_of(response)
    assert ("warning", "Not changed: “Live one”: already published") in messages_of(response)
    draft.refresh_from_db()
    assert draft.is_published

    run_action(client, "unpublish", [draft])
    draft.refresh_from_db()
    assert draft.status == Joke.Status.DRAFT

    run_action(client, "archive", [live])
    live.refresh_from_db()
    assert live.status == Joke.Status.ARCHIVED


def test_a_pending_joke_is_decided_by_moderation_only(client_for):
    client = client_for("editor")
    pending = JokeFactory(pending=True, title="Sent in")
    response = run_action(client, "publish", [pending])
    assert ("warning", "Not changed: “Sent in”: waiting for moderation: approve or reject it") in (
        messages_of(response)
    )
    page = client.get(reverse("admin:jokes_joke_change", args=[pending.pk]))
    assert "status" not in page.context["adminform"].form.fields  # read-only while pending
    pending.refresh_from_db()
    assert pending.status == Joke.Status.PENDING


def test_editor_adds_a_joke_with_flags_and_tags(client_for):
    client = client_for("editor")
    category = CategoryFactory()
    data = {
        "title": "",
        "text": "Line one\nLine two",
        "category": category.pk,
        "tags": "office, puns",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "nsfw": "on",
        "submitter_name": "",
        "submitter_email": "",
        "reports-TOTAL_FORMS": "0",
        "reports-INITIAL_FORMS": "0",
        "reports-MIN_NUM_FORMS": "0",
        "reports-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:jokes_joke_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    joke = Joke.objects.get()
    assert joke.is_published and joke.nsfw
    assert sorted(t.name for t in joke.tags.all()) == ["office", "puns"]


@pytest.mark.parametrize(
    "query",
    ["", "?moderation=waiting", "?moderation=pending", "?moderation=hidden", "?q=banker"]
    + [f"?{flag}__exact=1" for flag in FLAG_FIELDS],
)
def test_changelist_filters_and_search(client_for, query):
    JokeFactory(text="I used to be a banker.\nBut I lost interest.")
    JokeFactory(pending=True)
    response = client_for("editor").get(reverse(CHANGELIST) + query)
    assert response.status_code == 200


def test_moderators_cannot_edit_or_publish_jokes(client_for):
    client = client_for("moderator")
    joke = JokeFactory(status=Joke.Status.DRAFT, published_at=None)
    page = client.get(reverse("admin:jokes_joke_change", args=[joke.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.post(reverse("admin:jokes_joke_add"), {}).status_code == 403
    run_action(client, "publish", [joke])
    joke.refresh_from_db()
    assert joke.status == Joke.Status.DRAFT
    actions = [
        value
        for value, _ in client.get(reverse(CHANGELIST))
        .context["action_form"]
        .fields["action"]
        .choices
    ]
    assert "approve" in actions and "reject" in actions
    assert "publish" not in actions and "delete_selected" not in actions


def test_a_jokes_state_changes_through_actions_only(client_for):
    client = client_for("editor")
    joke = JokeFactory()
    form = client.get(reverse("admin:jokes_joke_change", args=[joke.pk])).context["adminform"].form
    assert "status" not in form.fields and "hidden_by_reports" not in form.fields
    add = client.get(reverse("admin:jokes_joke_add")).context["adminform"].form
    assert [value for value, _ in add.fields["status"].choices] == [
        "draft",
        "review",
        "published",
        "archived",
    ]


# Authors write jokes: their own, as drafts sent to review; they cannot publish.


def test_author_writes_a_joke_and_sends_it_to_review(client_for, author):
    client = client_for("author")
    category = CategoryFactory()
    add = client.get(reverse("admin:jokes_joke_add")).context["adminform"].form
    assert [value for value, _ in add.fields["status"].choices] == ["draft", "review"]
    data = {
        "title": "",
        "text": "An author's joke.\nWith a punchline.",
        "category": category.pk,
        "tags": "",
        "status": "draft",
        "submitter_name": "",
        "submitter_email": "",
        "reports-TOTAL_FORMS": "0",
        "reports-INITIAL_FORMS": "0",
        "reports-MIN_NUM_FORMS": "0",
        "reports-MAX_NUM_FORMS": "1000",
    }
    assert client.post(reverse("admin:jokes_joke_add"), data).status_code == 302
    joke = Joke.objects.get()
    assert joke.author == author and joke.status == Joke.Status.DRAFT

    run_action(client, "submit_for_review", [joke])
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REVIEW


def test_author_cannot_publish_a_joke(client_for, author):
    client = client_for("author")
    joke = JokeFactory(author=author, status=Joke.Status.REVIEW, published_at=None)
    actions = [
        value
        for value, _ in client.get(reverse(CHANGELIST))
        .context["action_form"]
        .fields["action"]
        .choices
    ]
    assert "publish" not in actions and "submit_for_review" in actions
    run_action(client, "publish", [joke])  # forged
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REVIEW
    forged = client.post(
        reverse("admin:jokes_joke_add"),
        {"text": "Forged publication.", "category": joke.category.pk, "status": "published"},
    )
    assert forged.status_code == 200
    assert "status" in forged.context["adminform"].form.errors
    assert not Joke.objects.filter(status=Joke.Status.PUBLISHED).exists()


def test_author_sees_and_edits_only_their_own_drafts(client_for, author, other_author):
    client = client_for("author")
    mine = JokeFactory(author=author, status=Joke.Status.DRAFT, published_at=None)
    theirs = JokeFactory(author=other_author, status=Joke.Status.DRAFT, published_at=None)
    mine_published = JokeFactory(author=author)
    listed = set(client.get(reverse(CHANGELIST)).context["cl"].result_list)
    assert mine in listed and theirs not in listed
    assert client.get(reverse("admin:jokes_joke_change", args=[theirs.pk])).status_code == 302
    page = client.get(reverse("admin:jokes_joke_change", args=[mine_published.pk]))
    assert not page.context["has_change_permission"]  # published: only editors change it


def test_editors_publish_what_authors_sent_to_review(client_for, author):
    joke = JokeFactory(author=author, status=Joke.Status.REVIEW, published_at=None)
    run_action(client_for("editor"), "publish", [joke])
    joke.refresh_from_db()
    assert joke.is_published


def test_only_editors_restore_a_jokes_revision(client_for, author, other_author):
    from reversion import create_revision
    from reversion.models import Version

    joke = JokeFactory(author=other_author, text="The first words.")
    with create_revision():
        joke.save()
    joke.text = "The second words."
    with create_revision():
        joke.save()
    old = Version.objects.get_for_object(joke).last()
    url = reverse("admin:jokes_joke_revision", args=[joke.pk, old.pk])
    assert client_for("author").post(url, {}).status_code == 403
    joke.refresh_from_db()
    assert joke.text == "The second words."
    assert client_for("editor").get(url).status_code == 200
