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
    assert ("success", "1 joke published: Draft one") in messages_of(response)
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
        "published",
        "archived",
    ]
