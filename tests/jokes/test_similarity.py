import pytest

from jokes.models import Joke, normalise_text
from jokes.similarity import SKETCH_SIZE, agreement, sketch
from tests.factories import JokeFactory

pytestmark = pytest.mark.django_db

ORIGINAL = (
    "A programmer's partner says: buy a loaf of bread, and if they have eggs, buy a dozen. "
    "The programmer comes home with twelve loaves of bread."
)
# The same joke with a few words changed
VARIANT = (
    "A developer's wife says: buy a loaf of bread, and if they have eggs, get a dozen. "
    "The programmer comes home with twelve loaves of bread."
)
OTHER = "Why do programmers prefer dark mode? Because light attracts bugs, obviously."


def test_a_sketch_has_fixed_places():
    value = sketch(normalise_text(ORIGINAL))
    assert len(value.split()) == SKETCH_SIZE
    assert len(value) <= Joke._meta.get_field("sketch").max_length
    assert sketch("") == ""


def test_sketches_agree_with_how_alike_texts_are():
    original = sketch(normalise_text(ORIGINAL))
    assert agreement(original, original) == 1
    assert agreement(original, sketch(normalise_text(VARIANT))) >= 0.3
    assert agreement(original, sketch(normalise_text(OTHER))) < 0.2


def test_the_sketch_is_kept_current_on_save():
    joke = JokeFactory(text=ORIGINAL)
    assert joke.sketch == sketch(normalise_text(ORIGINAL))
    joke.text = OTHER
    joke.save(update_fields=["text"])
    joke.refresh_from_db()
    assert joke.sketch == sketch(normalise_text(OTHER))


def test_a_near_duplicate_is_found_among_published_and_pending_jokes():
    original = JokeFactory(text=ORIGINAL)
    JokeFactory(text=OTHER)
    assert Joke.objects.near_duplicate_of(VARIANT) == original
    assert Joke.objects.near_duplicate_of(OTHER.replace("obviously", "")) != original
    assert Joke.objects.near_duplicate_of("Something else entirely, about cats and hats.") is None


def test_rejected_and_archived_jokes_are_not_matched():
    JokeFactory(text=ORIGINAL, status=Joke.Status.REJECTED, published_at=None)
    assert Joke.objects.near_duplicate_of(VARIANT) is None


def test_chinese_text_is_compared_by_characters():
    original = JokeFactory(text="程序员的三大谎言：这个很简单。马上就好。在我的电脑上是好的。")
    variant = "程序员的三大谎言：这个非常简单。马上就好。在我的电脑上是好的。"
    assert Joke.objects.near_duplicate_of(variant) == original


def test_two_jokes_of_one_kind_are_not_near_duplicates():
    JokeFactory(
        text="Knock, knock. Who is there? Lettuce. Lettuce who? Lettuce in, it is cold out here!"
    )
    other = "Knock, knock. Who is there? Boo. Boo who? Do not cry, it is only a joke."
    assert Joke.objects.near_duplicate_of(other) is None
