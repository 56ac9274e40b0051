from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jokes.models import (
    FLAG_FIELDS,
    Category,
    Joke,
    JokeOfTheDay,
    ModerationError,
    Report,
    Vote,
    fingerprint,
    normalise_text,
    pick_random,
)
from tests.factories import CategoryFactory, JokeFactory

pytestmark = pytest.mark.django_db

# Every way a joke can be out of sight of visitors, as factory arguments.
NOT_PUBLIC = {
    "draft": {"status": Joke.Status.DRAFT, "published_at": None},
    "pending": {"pending": True},
    "rejected": {"status": Joke.Status.REJECTED, "published_at": None},
    "archived": {"status": Joke.Status.ARCHIVED},
    "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
    "hidden_by_reports": {"hidden_by_reports": True},
}


# Category


def test_category_slug_is_filled_in_from_the_name_and_kept_unique():
    first = Category.objects.create(name="Knock knock")
    second = Category.objects.create(name="Knock-knock")
    chinese = Category.objects.create(name="冷笑话")
    assert first.slug == "knock-knock"
    assert second.slug == "knock-knock-2"
    assert chinese.slug == "冷笑话"
    assert str(first) == "Knock knock"
    assert first.get_absolute_url() == "/jokes/category/knock-knock/"


def test_category_slug_typed_by_hand_is_kept():
    category = Category.objects.create(name="Puns", slug="word-play")
    category.name = "Puns and word play"
    category.save()
    category.refresh_from_db()
    assert category.slug == "word-play"


# Joke basics


def test_joke_str_is_its_title_or_the_start_of_its_text():
    assert str(JokeFactory(title="The doctor", text="Doctor, doctor!")) == "The doctor"
    untitled = JokeFactory(title="", text="Line one\nline two " + "word " * 30)
    assert str(untitled).startswith("Line one line two word")
    assert len(str(untitled)) <= 60
    assert untitled.get_absolute_url() == f"/jokes/{untitled.pk}/"


def test_save_keeps_line_breaks_and_drops_nul_bytes():
    joke = JokeFactory(text="First line\r\nSecond\x00 line\n\nThird")
    joke.refresh_from_db()
    assert joke.text == "First line\nSecond line\n\nThird"


def test_fingerprint_ignores_case_accent_forms_punctuation_and_spacing():
    assert normalise_text("  Why, did the CHICKEN…  cross?\n") == "why did the chicken cross"
    assert fingerprint("Café au lait!") == fingerprint("CAFE\u0301 au   lait")
    assert fingerprint("Café") != fingerprint("Cafe")
    assert fingerprint("?!") == ""
    joke = JokeFactory(text="One joke.")
    assert joke.fingerprint == fingerprint("one JOKE")


def test_saving_the_text_with_update_fields_updates_the_fingerprint():
    joke = JokeFactory(text="Old text")
    joke.text = "New text"
    joke.save(update_fields=["text"])
    joke.refresh_from_db()
    assert joke.fingerprint == fingerprint("new text")


def test_a_published_joke_needs_a_publish_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        JokeFactory(status=Joke.Status.PUBLISHED, published_at=None)


def test_flags_and_is_safe():
    clean = JokeFactory()
    flagged = JokeFactory(nsfw=True, political=True)
    assert clean.is_safe and clean.flags == []
    assert not flagged.is_safe
    assert [str(flag) for flag in flagged.flags] == ["not safe for work", "political"]


# Visibility: published() and is_published agree


@pytest.mark.parametrize("fields", NOT_PUBLIC.values(), ids=NOT_PUBLIC.keys())
def test_not_public_jokes_are_left_out_of_published(fields):
    public = JokeFactory()
    hidden = JokeFactory(**fields)
    assert list(Joke.objects.published()) == [public]
    assert public.is_published
    assert not hidden.is_published


def test_scheduled_joke_becomes_public_on_its_own():
    joke = JokeFactory(published_at=timezone.now() + timedelta(minutes=5))
    assert not Joke.objects.published().exists()
    later = timezone.now() + timedelta(minutes=6)
    assert list(Joke.objects.published(now=later)) == [joke]


@pytest.mark.parametrize("flag", FLAG_FIELDS)
def test_safe_mode_leaves_out_each_flag(flag):
    clean = JokeFactory()
    flagged = JokeFactory(**{flag: True})
    assert list(Joke.objects.for_visitor(safe_mode=True)) == [clean]
    assert set(Joke.objects.for_visitor(safe_mode=False)) == {clean, flagged}


def test_for_visitor_never_shows_unpublished_even_outside_safe_mode():
    JokeFactory(status=Joke.Status.DRAFT, published_at=None, nsfw=True)
    assert not Joke.objects.for_visitor(safe_mode=False).exists()


def test_for_listing_is_newest_first():
    now = timezone.now()
    old = JokeFactory(published_at=now - timedelta(days=2))
    new = JokeFactory(published_at=now - timedelta(hours=1))
    middle = JokeFactory(published_at=now - timedelta(days=1))
    assert list(Joke.objects.published().for_listing()) == [new, middle, old]


def test_tags_are_the_shared_taggit_vocabulary():
    joke = JokeFactory(tags=["Animals", "doctors"])
    assert sorted(joke.tags.names()) == ["Animals", "doctors"]
    assert list(Joke.objects.filter(tags__slug="animals")) == [joke]


# Workflow


def test_publish_unpublish_archive():
    joke = JokeFactory(status=Joke.Status.DRAFT, published_at=None)
    joke.publish()
    joke.refresh_from_db()
    assert joke.is_published and joke.published_at is not None
    with pytest.raises(ModerationError):
        joke.publish()
    joke.unpublish()
    joke.refresh_from_db()
    assert joke.status == Joke.Status.DRAFT and not joke.is_published
    with pytest.raises(ModerationError):
        joke.unpublish()
    joke.archive()
    assert Joke.objects.get(pk=joke.pk).status == Joke.Status.ARCHIVED
    with pytest.raises(ModerationError):
        joke.archive()


def test_approve_restores_a_joke_hidden_by_reports_and_resolves_its_reports(moderator):
    joke = JokeFactory(hidden_by_reports=True)
    Report.objects.create(joke=joke, reporter="a", reason=Report.Reason.OFFENSIVE)
    joke.approve(by=moderator, flags=["political"])
    joke.refresh_from_db()
    assert joke.is_published and joke.political
    assert joke.decided_by == moderator
    assert not joke.reports.filter(resolved_at__isnull=True).exists()
    with pytest.raises(ModerationError):  # already decided
        joke.approve(by=moderator)


def test_reject_needs_a_reason(moderator):
    joke = JokeFactory(pending=True)
    with pytest.raises(ModerationError):
        joke.reject(by=moderator, reason="  ")
    joke.reject(by=moderator, reason="Not a joke.")
    joke.refresh_from_db()
    assert joke.status == Joke.Status.REJECTED
    assert joke.rejection_reason == "Not a joke."


# Votes at the model level (views and concurrency: test_votes.py)


def test_vote_up_change_and_take_back():
    joke = JokeFactory()
    assert joke.vote("alice", 1) == 1
    assert joke.vote("bob", 1) == 2
    assert joke.vote("alice", 1) == 2  # the same vote again counts once
    assert joke.vote("alice", -1) == 0
    assert joke.vote("bob", 0) == -1
    assert joke.vote("bob", 0) == -1  # taking back a vote that is gone is harmless
    joke.refresh_from_db()
    assert (joke.score, joke.vote_count) == (-1, 1)
    assert list(Vote.objects.values_list("voter", "value")) == [("alice", -1)]


@pytest.mark.parametrize("value", [2, -2, "up", None])
def test_vote_refuses_other_values(value):
    joke = JokeFactory()
    with pytest.raises(ValueError):
        joke.vote("alice", value)
    assert not Vote.objects.exists()


def test_the_database_keeps_one_vote_per_visitor_of_plus_or_minus_one():
    joke = JokeFactory()
    Vote.objects.create(joke=joke, voter="alice", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(joke=joke, voter="alice", value=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(joke=joke, voter="bob", value=5)


def test_report_counts_each_visitor_once(settings):
    settings.JOKE_REPORTS_TO_HIDE = 2
    joke = JokeFactory()
    assert joke.report("alice", Report.Reason.OFFENSIVE, client="net-a") is True
    assert joke.report("alice", Report.Reason.OTHER, client="net-a") is False
    joke.refresh_from_db()
    assert not joke.hidden_by_reports
    # a "new visitor" from the same address (the cookie dropped) is not a second voice
    assert joke.report("alice-again", Report.Reason.OTHER, client="net-a") is True
    joke.refresh_from_db()
    assert not joke.hidden_by_reports
    assert joke.report("bob", Report.Reason.NOT_FUNNY_SPAM, client="net-b")
    joke.refresh_from_db()
    assert joke.hidden_by_reports and not joke.is_published
    assert joke.reports.count() == 3


# Joke of the day and random picks


def test_joke_of_the_day_is_the_same_all_day_and_stored():
    JokeFactory.create_batch(5)
    day = date(2026, 3, 14)
    first = JokeOfTheDay.for_date(day)
    assert first is not None
    assert all(JokeOfTheDay.for_date(day) == first for _ in range(5))
    assert JokeOfTheDay.objects.get(date=day).joke == first


def test_joke_of_the_day_changes_the_next_day():
    JokeFactory.create_batch(2)
    day = date(2026, 3, 14)
    yesterday = JokeOfTheDay.for_date(day)
    for offset in range(1, 11):
        today = JokeOfTheDay.for_date(day + timedelta(days=offset))
        assert today is not None and today != yesterday
        yesterday = today


def test_joke_of_the_day_with_one_joke_repeats_it():
    joke = JokeFactory()
    day = date(2026, 3, 14)
    assert JokeOfTheDay.for_date(day) == joke
    assert JokeOfTheDay.for_date(day + timedelta(days=1)) == joke


def test_joke_of_the_day_is_never_unpublished_or_flagged():
    for fields in NOT_PUBLIC.values():
        JokeFactory(**fields)
    JokeFactory(nsfw=True)
    assert JokeOfTheDay.for_date(date(2026, 3, 14)) is None
    assert not JokeOfTheDay.objects.exists()
    clean = JokeFactory()
    assert JokeOfTheDay.for_date(date(2026, 3, 14)) == clean


@pytest.mark.parametrize("change", [{"status": Joke.Status.ARCHIVED}, {"racist": True}])
def test_joke_of_the_day_is_chosen_again_when_it_stops_being_public_or_safe(change):
    JokeFactory.create_batch(3)
    day = date(2026, 3, 14)
    first = JokeOfTheDay.for_date(day)
    Joke.objects.filter(pk=first.pk).update(**change)
    second = JokeOfTheDay.for_date(day)
    assert second is not None and second != first
    assert JokeOfTheDay.objects.get(date=day).joke == second


def test_pick_random_without_order_by_random_and_in_constant_queries():
    assert pick_random(safe=False) is None
    JokeFactory.create_batch(30)
    with CaptureQueriesContext(connection) as queries:
        joke = pick_random(safe=False)
    assert joke is not None
    # the lowest and highest ids, then the joke at or after a random point
    assert len(queries) == 3
    assert all("RANDOM" not in query["sql"].upper() for query in queries.captured_queries)


def test_pick_random_reaches_every_joke_and_skips_the_excluded_one():
    jokes = JokeFactory.create_batch(3)
    seen = {pick_random(safe=False, exclude_pk=jokes[0].pk) for _ in range(60)}
    assert seen == {jokes[1], jokes[2]}


def test_pick_random_gives_the_excluded_joke_when_it_is_the_only_one():
    only = JokeFactory()
    assert pick_random(safe=False, exclude_pk=only.pk) == only


def test_pick_random_with_a_seed_is_repeatable():
    JokeFactory.create_batch(10)
    assert len({pick_random(seed=42) for _ in range(5)}) == 1


def test_category_protects_its_jokes():
    category = CategoryFactory()
    JokeFactory(category=category)
    with pytest.raises(IntegrityError), transaction.atomic():
        category.delete()


@pytest.mark.parametrize("step", ["publish", "archive"])
def test_staff_steps_do_not_go_around_moderation(step):
    joke = JokeFactory(pending=True)
    with pytest.raises(ModerationError, match="waiting for moderation"):
        getattr(joke, step)()
    joke.refresh_from_db()
    assert joke.status == Joke.Status.PENDING
