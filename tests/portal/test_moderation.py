"""Moderation: the queue, the admin index summary, approve and reject (single, bulk,
twice, at once), what each decision records and tells, and what moderators may do."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from reversion.models import Version

from bulletin.models import Article
from jokes.models import FLAG_FIELDS, Joke, ModerationError, Report
from portal.models import Contribution
from tests.factories import (
    ArticleFactory,
    ContributionFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUBMITTER = "visitor@example.org"  # what the factories give a visitor's submission


def jokes_admin():
    return reverse("admin:jokes_joke_changelist")


def contributions_admin():
    return reverse("admin:portal_contribution_changelist")


def changelist_for(item):
    return jokes_admin() if isinstance(item, Joke) else contributions_admin()


def run_action(client, action, items, apply=True, **fields):
    """Post an admin action the way the admin does: first the selection (which shows
    the page that asks), then, with `apply`, the answers to it."""
    data = {"action": action, "_selected_action": [item.pk for item in items], **fields}
    if apply:
        data["apply"] = "1"
    client.cookies.pop("messages", None)  # so that messages_of() sees this action's only
    return client.post(changelist_for(items[0]), data)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def template_names(response):
    return [t.name for t in response.templates]


def age(item, **delta):
    """Pretend `item` was sent in that long ago (created_at is set on insert only)."""
    moment = timezone.now() - timedelta(**delta)
    type(item).objects.filter(pk=item.pk).update(created_at=moment)
    item.refresh_from_db()
    return moment


def hidden_by_reports(reported_ago=None, **kwargs):
    joke = JokeFactory(hidden_by_reports=True, **kwargs)
    for n in range(3):
        report = Report.objects.create(joke=joke, reporter=f"r{n}", reason="offensive")
        if reported_ago:
            Report.objects.filter(pk=report.pk).update(
                created_at=timezone.now() - reported_ago + timedelta(minutes=n)
            )
    return joke


@pytest.fixture
def second_moderator(db):
    user = UserFactory(username="second-moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


# The queue


def test_queue_route():
    assert reverse("moderation:queue") == "/admin/moderation/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("visitor", 302),
        ("author", 403),
        ("editor", 200),
        ("moderator", 200),
        ("superuser", 200),
    ],
)
def test_who_may_open_the_queue(client_for, role, status):
    response = client_for(role).get(reverse("moderation:queue"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_queue_holds_what_waits_oldest_first(mod_client):
    old_pending = JokeFactory(pending=True, text="Pending for three days")
    age(old_pending, days=3)
    new_pending = JokeFactory(pending=True, text="Pending for an hour")
    age(new_pending, hours=1)
    contribution = ContributionFactory(title="Contribution of two days")
    age(contribution, days=2)
    hidden = hidden_by_reports(reported_ago=timedelta(days=5), text="Reported five days ago")
    # none of these waits for anybody
    JokeFactory(text="Published and fine")
    JokeFactory(status=Joke.Status.DRAFT, published_at=None)
    JokeFactory(status=Joke.Status.REJECTED, published_at=None, rejection_reason="No")
    ContributionFactory(status=Contribution.Status.APPROVED)
    ContributionFactory(status=Contribution.Status.REJECTED)

    response = mod_client.get(reverse("moderation:queue"))
    items = response.context["items"]
    assert [entry["object"] for entry in items] == [hidden, old_pending, contribution, new_pending]
    assert [entry["kind"] for entry in items] == ["joke", "joke", "article", "joke"]
    assert [str(entry["why"]) for entry in items] == [
        "hidden by reports",
        "pending",
        "pending",
        "pending",
    ]
    html = response.content.decode()
    assert "4 items wait for a decision, oldest first." in html
    assert "Published and fine" not in html
    assert reverse("admin:jokes_joke_change", args=[hidden.pk]) in html
    assert reverse("admin:portal_contribution_change", args=[contribution.pk]) in html
    # each row posts its item to the admin action that decides it
    assert f'action="{contributions_admin()}"' in html
    assert f'name="_selected_action" value="{contribution.pk}"' in html


def test_the_queue_escapes_visitor_text(mod_client):
    JokeFactory(pending=True, text="<script>alert(1)</script> is not a punchline")
    ContributionFactory(title="<b>Loud</b>")
    html = mod_client.get(reverse("moderation:queue")).content.decode()
    assert "<script>alert(1)" not in html and "<b>Loud</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_queue_query_count_does_not_grow(mod_client):
    JokeFactory(pending=True)
    ContributionFactory()
    hidden_by_reports()
    mod_client.get(reverse("moderation:queue"))  # whatever a first visit does only once
    with CaptureQueriesContext(connection) as few:
        mod_client.get(reverse("moderation:queue"))
    original = JokeFactory()  # the queue shows the joke a waiting one resembles
    for _ in range(4):
        JokeFactory(pending=True, similar_to=original)
        ContributionFactory(section=SectionFactory())
        hidden_by_reports(similar_to=original)
    with CaptureQueriesContext(connection) as many:
        response = mod_client.get(reverse("moderation:queue"))
    assert len(response.context["items"]) == 15
    assert len(many) == len(few)


# The admin index at a glance


def test_the_admin_index_summarises_moderation(mod_client, moderator, second_moderator, editor):
    age(JokeFactory(pending=True), days=2, hours=3)
    age(ContributionFactory(), hours=5)
    hidden_by_reports(reported_ago=timedelta(hours=1))
    now = timezone.now()
    decisions = [
        # (decider, kind, days ago)
        (moderator, "joke", 1),
        (moderator, "joke", 6),
        (moderator, "article", 2),
        (second_moderator, "article", 0),
        (editor, "joke", 3),
        (second_moderator, "joke", 8),  # older than a week: not counted
    ]
    for user, kind, days in decisions:
        if kind == "joke":
            item = JokeFactory(status=Joke.Status.REJECTED, published_at=None)
        else:
            item = ContributionFactory(status=Contribution.Status.REJECTED)
        type(item).objects.filter(pk=item.pk).update(
            decided_by=user, decided_at=now - timedelta(days=days)
        )

    response = mod_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["waiting"] == 3
    assert response.context["decisions"] == [
        ("editor", 1, 0),
        ("moderator", 2, 1),
        ("second-moderator", 0, 1),
    ]
    html = response.content.decode()
    assert 'id="moderation-summary"' in html
    assert "3 items wait for a decision." in html
    assert "The oldest has waited 2\xa0days, 3\xa0hours." in html
    assert f'href="{reverse("moderation:queue")}"' in html


def test_the_admin_index_when_nothing_waits(mod_client):
    html = mod_client.get(reverse("admin:index")).content.decode()
    assert "0 items wait for a decision." in html
    assert "The oldest has waited" not in html
    assert "Decisions in the last seven days" not in html


def test_the_summary_is_only_for_those_who_moderate(client_for):
    JokeFactory(pending=True)
    response = client_for("author").get(reverse("admin:index"))
    assert response.status_code == 200
    assert 'id="moderation-summary"' not in response.content.decode()


# Approving and rejecting jokes


def test_approving_asks_for_flags_first(mod_client):
    joke = JokeFactory(pending=True)
    response = run_action(mod_client, "approve", [joke], apply=False)
    assert response.status_code == 200
    assert "admin/moderate.html" in template_names(response)
    assert set(response.context["form"].fields["flags"].choices) >= {("nsfw", "not safe for work")}
    html = response.content.decode()
    assert f'name="_selected_action" value="{joke.pk}"' in html
    assert 'name="apply" value="1"' in html
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PENDING


def test_approving_a_joke_publishes_it_with_flags_and_records_who(
    mod_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    joke = JokeFactory(pending=True)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(mod_client, "approve", [joke], flags=["nsfw", "political"])
    assert response.status_code == 302
    assert response["Location"] == jokes_admin()
    assert messages_of(response) == [("success", f"1 approved: “{joke}”")]

    joke.refresh_from_db()
    assert joke.status == Joke.Status.PUBLISHED
    assert joke.is_published
    assert (joke.nsfw, joke.political) == (True, True)
    assert not any(getattr(joke, flag) for flag in set(FLAG_FIELDS) - {"nsfw", "political"})
    assert joke.decided_by == moderator
    assert before <= joke.decided_at <= timezone.now()
    assert before <= joke.published_at <= timezone.now()

    [version] = Version.objects.get_for_object(joke)
    assert version.revision.user == moderator
    assert version.revision.comment == "Approved"
    # and in the admin's own log, shown on the joke's history page
    [entry] = LogEntry.objects.filter(object_id=str(joke.pk))
    assert (entry.user, entry.get_change_message()) == (moderator, "Approved")

    [mail] = mailoutbox
    assert mail.to == [SUBMITTER]
    assert "It was accepted." in mail.body
    assert f"http://testserver/submit/status/{joke.status_token}/" in mail.body
    assert moderator.username not in mail.body


def test_an_unknown_flag_is_a_form_error(mod_client):
    joke = JokeFactory(pending=True)
    response = run_action(mod_client, "approve", [joke], flags=["status"])
    assert response.status_code == 200
    assert response.context["form"].has_error("flags", "invalid_choice")
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PENDING


@pytest.mark.parametrize("reason", [None, "", "   \n  ", "A NUL\x00 byte"])
def test_rejecting_needs_a_reason(mod_client, mailoutbox, reason):
    joke = JokeFactory(pending=True)
    fields = {} if reason is None else {"reason": reason}
    response = run_action(mod_client, "reject", [joke], **fields)
    assert response.status_code == 200
    assert "admin/moderate.html" in template_names(response)
    assert response.context["form"].errors["reason"]
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PENDING
    assert joke.decided_by is None
    assert mailoutbox == []


def test_rejecting_a_joke_records_and_tells_the_reason(
    mod_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    joke = JokeFactory(pending=True)
    page = run_action(mod_client, "reject", [joke], apply=False)
    assert "admin/moderate.html" in template_names(page)
    assert "reason" in page.context["form"].fields
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            mod_client, "reject", [joke], reason="  We have this one already.\n  "
        )
    assert response.status_code == 302
    assert messages_of(response) == [("success", f"1 rejected: “{joke}”")]
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REJECTED
    assert joke.rejection_reason == "We have this one already."
    assert joke.decided_by == moderator
    assert joke.decided_at is not None
    assert not joke.is_published
    [version] = Version.objects.get_for_object(joke)
    assert version.revision.comment == "Rejected: We have this one already."
    [mail] = mailoutbox
    assert mail.to == [SUBMITTER]
    assert "It was not accepted:\n\nWe have this one already." in mail.body
    assert f"/submit/status/{joke.status_token}/" in mail.body


def test_a_reason_too_long_is_a_form_error(mod_client):
    joke = JokeFactory(pending=True)
    response = run_action(mod_client, "reject", [joke], reason="x" * 1001)
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", "max_length")
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PENDING


def test_no_email_no_notification(mod_client, mailoutbox, django_capture_on_commit_callbacks):
    silent = JokeFactory(pending=True, submitter_email="")
    quiet = ContributionFactory(submitter_email="")
    with django_capture_on_commit_callbacks(execute=True):
        run_action(mod_client, "approve", [silent])
        run_action(mod_client, "reject", [quiet], reason="Off topic.")
    assert mailoutbox == []
    silent.refresh_from_db()
    quiet.refresh_from_db()
    assert silent.status == Joke.Status.PUBLISHED
    assert quiet.status == Contribution.Status.REJECTED


def test_a_decision_does_not_mail_the_moderators(
    mod_client, second_moderator, mailoutbox, django_capture_on_commit_callbacks
):
    joke = JokeFactory(pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(mod_client, "approve", [joke])
    assert [mail.to for mail in mailoutbox] == [[SUBMITTER]]


def test_bulk_approve_and_reject(mod_client, mailoutbox, django_capture_on_commit_callbacks):
    to_approve = JokeFactory.create_batch(3, pending=True)
    to_reject = JokeFactory.create_batch(2, pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        approved = run_action(mod_client, "approve", to_approve, flags=["explicit"])
        rejected = run_action(mod_client, "reject", to_reject, reason="Not jokes.")
    [(level, message)] = messages_of(approved)
    assert level == "success" and message.startswith("3 approved: “")
    assert all(f"“{joke}”" in message for joke in to_approve)
    [(level, message)] = messages_of(rejected)
    assert level == "success" and message.startswith("2 rejected: “")
    assert set(Joke.objects.filter(status=Joke.Status.PUBLISHED, explicit=True)) == set(to_approve)
    assert set(Joke.objects.filter(status=Joke.Status.REJECTED)) == set(to_reject)
    assert len(mailoutbox) == 5


def test_bulk_action_skips_what_is_already_decided(mod_client, second_moderator):
    pending = JokeFactory(pending=True)
    done = JokeFactory(pending=True)
    done.reject(by=second_moderator, reason="Seen it.")
    published = JokeFactory()
    response = run_action(mod_client, "approve", [pending, done, published])
    [approved, refused] = messages_of(response)
    assert approved == ("success", f"1 approved: “{pending}”")
    assert refused[0] == "warning"
    assert refused[1].startswith("Not changed: “")
    assert f"“{done}”: already decided (Rejected)" in refused[1]
    assert f"“{published}”: already decided (Published)" in refused[1]
    done.refresh_from_db()
    assert (done.status, done.decided_by, done.rejection_reason) == (
        Joke.Status.REJECTED,
        second_moderator,
        "Seen it.",
    )


# Jokes hidden by reports


def test_approving_a_hidden_joke_restores_it_and_resolves_its_reports(mod_client, moderator):
    joke = hidden_by_reports()
    assert Client().get(joke.get_absolute_url()).status_code == 404
    run_action(mod_client, "approve", [joke])
    joke.refresh_from_db()
    assert joke.is_published
    assert Client().get(joke.get_absolute_url()).status_code == 200
    assert joke.decided_by == moderator
    assert not joke.reports.filter(resolved_at__isnull=True).exists()
    assert set(joke.reports.values_list("resolved_by", flat=True)) == {moderator.pk}
    assert mod_client.get(reverse("moderation:queue")).context["items"] == []


def test_rejecting_a_hidden_joke_takes_it_down(mod_client):
    joke = hidden_by_reports()
    run_action(mod_client, "reject", [joke], reason="Offensive.")
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REJECTED
    assert not joke.hidden_by_reports
    assert not joke.is_published
    assert not joke.reports.filter(resolved_at__isnull=True).exists()
    assert Client().get(joke.get_absolute_url()).status_code == 404


# Article contributions


def test_approving_a_contribution_hands_it_to_the_editors(
    client, mod_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    section = SectionFactory(name="Local news")
    contribution = ContributionFactory(section=section, title="Fair opens", submitter_name="Sam")
    page = run_action(mod_client, "approve", [contribution], apply=False)
    assert page.status_code == 200
    assert "admin/moderate.html" in template_names(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(mod_client, "approve", [contribution])
    assert messages_of(response) == [("success", "1 approved: “Fair opens”")]

    contribution.refresh_from_db()
    article = contribution.article
    assert contribution.status == Contribution.Status.APPROVED
    assert contribution.decided_by == moderator
    assert contribution.decided_at is not None
    assert article.status == Article.Status.REVIEW
    assert (article.title, article.section) == ("Fair opens", section)
    assert article.author is None
    assert article.source_name == "Visitor contribution from Sam"
    assert article.body == (
        "<p>First paragraph of a visitor's article.</p>\n"
        "<p>Second paragraph, &lt;b&gt;not bold&lt;/b&gt;.</p>"
    )
    assert [mail.to for mail in mailoutbox] == [[SUBMITTER]]

    # in review is not public; the moderator cannot publish it, an editor can
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Fair opens" not in client.get(reverse("bulletin:article-list")).content.decode()
    client.force_login(moderator)
    assert client.get(reverse("admin:bulletin_article_change", args=[article.pk])).status_code == (
        403
    )
    article.publish()
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_an_anonymous_contribution_says_so_on_its_article(mod_client):
    contribution = ContributionFactory(submitter_name="")
    run_action(mod_client, "approve", [contribution])
    contribution.refresh_from_db()
    assert contribution.article.source_name == "Visitor contribution from an anonymous visitor"


def test_bulk_reject_contributions(mod_client, moderator, mailoutbox):
    contributions = ContributionFactory.create_batch(3)
    response = run_action(mod_client, "reject", contributions, reason="Not for us.")
    assert messages_of(response)[0][1].startswith("3 rejected: ")
    for contribution in contributions:
        contribution.refresh_from_db()
        assert contribution.status == Contribution.Status.REJECTED
        assert contribution.rejection_reason == "Not for us."
        assert contribution.decided_by == moderator
        assert contribution.article is None
    assert not Article.objects.exists()


# Deciding twice: the second is told, and nothing changes


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
@pytest.mark.parametrize("kind", ["joke", "article"])
def test_the_second_decision_is_already_decided(
    client,
    moderator,
    second_moderator,
    mailoutbox,
    django_capture_on_commit_callbacks,
    kind,
    first,
    second,
):
    item = JokeFactory(pending=True) if kind == "joke" else ContributionFactory()
    fields = {"approve": {}, "reject": {"reason": "First reason."}}
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, first, [item], **fields[first])
    item.refresh_from_db()
    decided = {
        field: getattr(item, field)
        for field in ("status", "decided_by_id", "decided_at", "rejection_reason")
    }
    if kind == "article":
        decided["article"] = item.article_id
    articles = Article.objects.count()

    client.force_login(second_moderator)
    second_fields = {"approve": {}, "reject": {"reason": "Second reason."}}[second]
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, second, [item], **second_fields)
    [(level, message)] = messages_of(response)
    assert level == "warning"
    assert message.startswith(f"Not changed: “{item}”: already decided (")

    item.refresh_from_db()
    assert {field: getattr(item, field) for field in decided if field != "article"} == {
        field: value for field, value in decided.items() if field != "article"
    }
    if kind == "article":
        assert item.article_id == decided["article"]
    assert Article.objects.count() == articles
    assert len(mailoutbox) == 1  # the submitter hears once


@pytest.mark.parametrize("kind", ["joke", "article"])
def test_the_model_refuses_a_second_decision(moderator, second_moderator, kind):
    item = JokeFactory(pending=True) if kind == "joke" else ContributionFactory()
    item.approve(by=moderator)
    with pytest.raises(ModerationError, match="already decided"):
        item.approve(by=second_moderator)
    with pytest.raises(ModerationError, match="already decided"):
        item.reject(by=second_moderator, reason="Late.")
    item.refresh_from_db()
    assert item.decided_by == moderator
    assert item.rejection_reason == ""


@pytest.mark.parametrize("kind", ["joke", "article"])
def test_the_model_refuses_to_reject_without_a_reason(moderator, kind):
    item = JokeFactory(pending=True) if kind == "joke" else ContributionFactory()
    with pytest.raises(ModerationError, match="reason"):
        item.reject(by=moderator, reason="  ")
    item.refresh_from_db()
    assert item.decided_by is None


def test_a_stale_object_cannot_decide_again(moderator, second_moderator):
    """A moderator's page loaded before the other's decision: approve() re-reads the
    row under its lock, so the object in hand being stale changes nothing."""
    joke = JokeFactory(pending=True)
    stale = Joke.objects.get(pk=joke.pk)
    joke.reject(by=moderator, reason="No.")
    assert stale.status == Joke.Status.PENDING
    with pytest.raises(ModerationError):
        stale.approve(by=second_moderator)
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REJECTED


# At the same moment, on PostgreSQL


def decide_at_once(monkeypatch, model, lock_method, steps):
    """Run each step in its own thread, released together; whoever takes the row's lock
    first keeps it a little while, so the other is sure to arrive while it is held."""
    original = getattr(model, lock_method)

    def slow_lock(self):
        locked = original(self)
        time.sleep(0.3)
        return locked

    monkeypatch.setattr(model, lock_method, slow_lock)
    start = threading.Barrier(len(steps))
    outcomes = [None] * len(steps)

    def run(index, step):
        try:
            start.wait()
            step()
            outcomes[index] = "done"
        except ModerationError as why:
            outcomes[index] = str(why)
        except Exception as error:  # anything else is reported by the caller's assertions
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and writers that wait for each other: SQLite's in-memory test "
    "database is shared by threads through a shared cache, where the second writer fails "
    "at once with 'database table is locked' (CI runs this on PostgreSQL)",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_one_joke_at_once(monkeypatch):
    first, second = UserFactory(username="m1"), UserFactory(username="m2")
    joke = JokeFactory(pending=True)
    outcomes = decide_at_once(
        monkeypatch,
        Joke,
        "_lock_for_decision",
        [
            lambda: Joke.objects.get(pk=joke.pk).approve(by=first, flags=["nsfw"]),
            lambda: Joke.objects.get(pk=joke.pk).reject(by=second, reason="No."),
        ],
    )
    assert outcomes.count("done") == 1, outcomes
    [refusal] = [o for o in outcomes if o != "done"]
    assert refusal.startswith("already decided"), outcomes

    joke.refresh_from_db()
    if outcomes[0] == "done":
        assert (joke.status, joke.decided_by, joke.nsfw) == (Joke.Status.PUBLISHED, first, True)
        assert joke.rejection_reason == ""
    else:
        assert (joke.status, joke.decided_by, joke.nsfw) == (Joke.Status.REJECTED, second, False)
        assert joke.rejection_reason == "No."


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_one_contribution_at_once_make_one_article(monkeypatch):
    first, second = UserFactory(username="m1"), UserFactory(username="m2")
    contribution = ContributionFactory()
    outcomes = decide_at_once(
        monkeypatch,
        Contribution,
        "_lock_pending",
        [
            lambda: Contribution.objects.get(pk=contribution.pk).approve(by=first),
            lambda: Contribution.objects.get(pk=contribution.pk).approve(by=second),
        ],
    )
    assert outcomes.count("done") == 1, outcomes
    assert [o for o in outcomes if o != "done"][0].startswith("already decided"), outcomes
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.APPROVED
    assert contribution.decided_by == (first if outcomes[0] == "done" else second)
    assert Article.objects.count() == 1
    assert contribution.article == Article.objects.get()


# Every decision is visible on the item


def readonly_value(html, field):
    match = re.search(
        rf'field-{field}\b.*?<div class="readonly">(.*?)</div>', html, flags=re.DOTALL
    )
    assert match, f"no read-only {field} on the page"
    return strip_tags(match.group(1)).strip()


def test_a_jokes_decision_shows_on_its_admin_page(client, second_moderator, moderator):
    joke = JokeFactory(pending=True)
    joke.reject(by=second_moderator, reason="Too <em>old</em>.")
    client.force_login(moderator)
    response = client.get(reverse("admin:jokes_joke_change", args=[joke.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert readonly_value(html, "decided_by") == "second-moderator"
    assert readonly_value(html, "decided_at") != "-"
    assert readonly_value(html, "rejection_reason") == "Too &lt;em&gt;old&lt;/em&gt;."


def test_a_contributions_decision_shows_on_its_admin_page(client, second_moderator, moderator):
    contribution = ContributionFactory()
    contribution.approve(by=second_moderator)
    client.force_login(moderator)
    response = client.get(reverse("admin:portal_contribution_change", args=[contribution.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert readonly_value(html, "decided_by") == "second-moderator"
    assert readonly_value(html, "status") == "Approved"
    assert contribution.article.title in readonly_value(html, "article")


# Moderators can moderate, and nothing else


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:bulletin_section_changelist",
        "admin:bulletin_section_add",
        "admin:bulletin_article_changelist",
        "admin:bulletin_article_add",
        "admin:bulletin_previewlink_changelist",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:sites_site_changelist",
        "admin:redirects_redirect_changelist",
        "admin:taggit_tag_changelist",
        "admin:jokes_joke_add",
        "admin:jokes_category_add",
        "admin:jokes_jokeoftheday_changelist",
        "admin:jokes_joke_recoverlist",
        "admin:portal_contribution_add",
    ],
)
def test_moderators_cannot_reach_other_admin_pages(mod_client, url_name):
    assert mod_client.get(reverse(url_name)).status_code == 403


def test_moderators_cannot_use_the_editors_uploads(mod_client):
    for response in (
        mod_client.get(reverse("ckeditor_browse")),
        mod_client.post(reverse("ckeditor_upload"), {}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_moderators_see_only_their_apps(mod_client):
    response = mod_client.get(reverse("admin:index"))
    models = {
        (app["app_label"], model["object_name"])
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert models == {("jokes", "Joke"), ("jokes", "Category"), ("portal", "Contribution")}


def test_moderators_cannot_change_a_user_a_section_or_an_article(mod_client, editor):
    section = SectionFactory(name="Sport")
    article = ArticleFactory(section=section, title="Staff article", draft=True)
    responses = [
        mod_client.post(
            reverse("admin:auth_user_change", args=[editor.pk]),
            {"username": "editor", "is_superuser": "on", "is_staff": "on"},
        ),
        mod_client.post(
            reverse("admin:bulletin_section_change", args=[section.pk]),
            {"name": "Hijacked", "slug": "sport", "position": 0},
        ),
        mod_client.post(
            reverse("admin:bulletin_section_delete", args=[section.pk]), {"post": "yes"}
        ),
        mod_client.post(
            reverse("admin:bulletin_article_change", args=[article.pk]),
            {"title": "Hijacked", "status": "published"},
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    editor.refresh_from_db()
    section.refresh_from_db()
    article.refresh_from_db()
    assert not editor.is_superuser
    assert section.name == "Sport"
    assert (article.title, article.status) == ("Staff article", Article.Status.DRAFT)


def test_moderators_cannot_edit_or_delete_jokes_or_contributions(mod_client):
    joke = JokeFactory(pending=True, text="Original text of the joke.")
    contribution = ContributionFactory(title="Original title")
    change = mod_client.get(reverse("admin:jokes_joke_change", args=[joke.pk]))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    responses = [
        mod_client.post(
            reverse("admin:jokes_joke_change", args=[joke.pk]),
            {"text": "Edited", "category": joke.category_id, "status": "published"},
        ),
        mod_client.post(reverse("admin:jokes_joke_delete", args=[joke.pk]), {"post": "yes"}),
        mod_client.post(
            reverse("admin:portal_contribution_change", args=[contribution.pk]),
            {"title": "Edited"},
        ),
        mod_client.post(
            reverse("admin:portal_contribution_delete", args=[contribution.pk]), {"post": "yes"}
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    joke.refresh_from_db()
    contribution.refresh_from_db()
    assert (joke.text, joke.status) == ("Original text of the joke.", Joke.Status.PENDING)
    assert contribution.title == "Original title"


def action_names(client, url):
    form = client.get(url).context["action_form"]
    return {value for value, _label in form.fields["action"].choices if value}


def test_moderators_get_only_approve_and_reject(mod_client):
    assert action_names(mod_client, jokes_admin()) == {"approve", "reject"}
    assert action_names(mod_client, contributions_admin()) == {"approve", "reject"}


def test_editors_moderate_jokes_but_not_contributions(client_for):
    client = client_for("editor")
    assert {"approve", "reject", "publish"} <= action_names(client, jokes_admin())
    assert client.get(contributions_admin()).context["action_form"] is None
    contribution = ContributionFactory()
    run_action(client, "approve", [contribution])
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PENDING


@pytest.mark.parametrize("action", ["publish", "unpublish", "archive", "delete_selected"])
def test_a_moderator_posting_a_staff_action_changes_nothing(mod_client, action):
    draft = JokeFactory(status=Joke.Status.DRAFT, published_at=None)
    published = JokeFactory()
    response = run_action(mod_client, action, [draft, published], post="yes")
    assert response.status_code in (200, 302)
    assert set(Joke.objects.values_list("status", flat=True)) == {"draft", "published"}


def test_a_moderator_cannot_revert_a_joke_to_an_old_version(mod_client):
    joke = JokeFactory(pending=True)
    run_action(mod_client, "approve", [joke])
    [version] = Version.objects.get_for_object(joke)
    run_action(mod_client, "reject", [JokeFactory(pending=True)], reason="x")
    joke.refresh_from_db()
    response = mod_client.post(
        reverse("admin:jokes_joke_revision", args=[joke.pk, version.pk]),
        {"text": "Reverted", "category": joke.category_id, "status": "draft"},
    )
    assert response.status_code == 403
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PUBLISHED


@pytest.mark.parametrize("role", ["author", "visitor"])
def test_others_cannot_moderate(client_for, role):
    joke = JokeFactory(pending=True)
    contribution = ContributionFactory()
    client = client_for(role)
    for item in (joke, contribution):
        response = run_action(client, "approve", [item])
        # refused (403), sent to log in (302), or the list again without the action (200)
        assert response.status_code in (200, 302, 403)
        item.refresh_from_db()
        assert item.status == "pending"
